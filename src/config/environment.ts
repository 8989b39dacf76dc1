import { ConfigProvider, Context, DefaultServices, Effect, Layer } from "effect"

/**
 * The process's environment as a ConfigProvider that keeps its names' case, read when the layer is built (after
 * main.ts loaded `.env`). Effect's own (`fromEnv`) lists names upper-cased but reads them as written, so a brand's
 * variable in another case (`ADMIN_CHAT_ID_cg`) would be listed and then not found.
 */
export const environmentProvider = (): ConfigProvider.ConfigProvider =>
  ConfigProvider.fromMap(
    new Map(Object.entries(process.env).flatMap(([name, value]) => (value === undefined ? [] : [[name, value]]))),
    { pathDelim: "_" }
  )

const effectsDefault = Context.get(DefaultServices.liveServices, ConfigProvider.ConfigProvider)

/**
 * The settings' source: the environment (as `environmentProvider` reads it) where nobody chose another; a provider
 * set around the app (a test's `ConfigProvider.fromMap`) stays.
 */
export const EnvironmentLive = Layer.unwrapEffect(
  Effect.configProviderWith((current) =>
    Effect.sync(() => (current === effectsDefault ? Layer.setConfigProvider(environmentProvider()) : Layer.empty))
  )
)

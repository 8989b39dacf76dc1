import { ConfigProvider } from "effect"

/**
 * The process's environment as a ConfigProvider that keeps its names' case, read when called (main.ts calls it
 * after loading `.env`). Effect's own (`fromEnv`) lists names upper-cased but reads them as written, so a brand's
 * variable in another case (`ADMIN_CHAT_ID_cg`) would be listed and then not found.
 */
export const environmentProvider = (): ConfigProvider.ConfigProvider =>
  ConfigProvider.fromMap(
    new Map(Object.entries(process.env).flatMap(([name, value]) => (value === undefined ? [] : [[name, value]]))),
    { pathDelim: "_" }
  )

import { Schema } from "effect"

/** A key that is safe in callback data and in an environment variable name. */
export const Slug = Schema.String.pipe(
  Schema.pattern(/^[a-z0-9_]{1,24}$/, { message: () => "expected lowercase letters, digits or _ (1-24)" })
)

const Text = Schema.String.pipe(Schema.nonEmptyString({ message: () => "expected a non-empty text" }))

export const ServiceSchema = Schema.Struct({ id: Slug, icon: Schema.String, title: Text })

export const ProfileSchema = Schema.Struct({
  name: Text,
  webhook_url: Schema.optional(Schema.String),
  welcome: Text,
  services: Schema.NonEmptyArray(ServiceSchema).pipe(
    Schema.filter((services) => new Set(services.map((s) => s.id)).size === services.length || "service ids must be unique")
  ),
  follow_up_ask: Text
})

export const TextsSchema = Schema.Struct({
  accepted: Text.pipe(Schema.includes("{title}", { message: () => "expected a text containing {title}" })),
  strategist: Text,
  choose_brand: Text,
  stale_menu: Text,
  already_accepted: Text,
  follow_up_thanks: Text
})

export const LocalesSchema = Schema.Struct({
  texts: TextsSchema,
  profiles: Schema.Record({ key: Slug, value: ProfileSchema }).pipe(
    Schema.filter((profiles) => Object.keys(profiles).length > 0 || "expected at least one profile")
  )
})
export type Locales = typeof LocalesSchema.Type

/** The file's text to locales: JSON syntax and shape checked in one decode. */
export const LocalesFromJson = Schema.parseJson(LocalesSchema)

/** `{name}` in a text: a placeholder, filled in by the code that sends the text. */
const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g

const listed = (names: ReadonlyArray<string>) => names.map((name) => `{${name}}`).join(", ")

/** The first placeholder of `text` that is not one of `known`, as the line that says so; none: undefined. */
export const unknownPlaceholder = (text: string, known: ReadonlyArray<string>): string | undefined => {
  for (const [, name] of text.matchAll(PLACEHOLDER)) {
    if (!known.includes(name!)) {
      return `unknown placeholder {${name}} (${
        known.length === 0 ? "this text has no placeholders" : `this text knows ${listed(known)}`
      })`
    }
  }
  return undefined
}

/**
 * A check of the texts among `fields`, each against its placeholders (`placeholders[field]`, none when it is not
 * there): the first unknown one is an issue at its field's path.
 */
export const placeholdersKnown = (
  placeholders: Readonly<Partial<Record<string, ReadonlyArray<string>>>>,
  fields?: ReadonlyArray<string>
) =>
(
  texts: Readonly<Record<string, unknown>>
): true | { readonly path: ReadonlyArray<string>; readonly message: string } => {
  for (const field of fields ?? Object.keys(texts)) {
    const text = texts[field]
    const message = typeof text === "string" ? unknownPlaceholder(text, placeholders[field] ?? []) : undefined
    if (message !== undefined) return { path: [field], message }
  }
  return true
}

/** The text with each placeholder replaced by its value (by a function: a `$` in a value is kept as it is). */
export const fillPlaceholders = (text: string, values: Readonly<Record<string, string>>): string =>
  text.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(values, name) ? values[name]! : whole))

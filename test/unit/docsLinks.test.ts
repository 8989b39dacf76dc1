// The docs' relative links lead somewhere: every link of README.md, BENCHMARKS.md and docs/*.md to a file names one
// that exists, and one to a heading (`page.md#section`) names a heading of that page, as GitHub makes its anchors.
// Each audience page opens with a contents list that links every one of its sections.
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"

import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../..", import.meta.url))
const pages = [
  "README.md",
  "BENCHMARKS.md",
  ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)
]
/** The pages for one reader each: each starts with a contents list. */
const audiencePages = ["docs/operating.md", "docs/managers.md", "docs/marketers.md", "docs/developers.md"]

/** The text outside fenced code blocks, where headings are. */
const outsideCode = (markdown: string) => markdown.replace(/^```[\s\S]*?^```/gm, "")
/** The text outside fenced code blocks and inline code, where links are. */
const prose = (markdown: string) => outsideCode(markdown).replace(/`[^`\n]*`/g, "")

/** GitHub's anchor of a heading: lower case, punctuation and symbols dropped, spaces made hyphens. */
const anchorOf = (heading: string) =>
  heading.trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-")

/** A page's anchors, in order; a repeated heading's get -1, -2, … as on GitHub. */
const anchorsOf = (markdown: string): Array<string> => {
  const seen = new Map<string, number>()
  // A heading keeps its inline code's text: GitHub's anchor is made from it.
  return [...outsideCode(markdown).matchAll(/^#{1,6} (.+)$/gm)].map(([, text]) => {
    const anchor = anchorOf(text!)
    const count = seen.get(anchor) ?? 0
    seen.set(anchor, count + 1)
    return count === 0 ? anchor : `${anchor}-${count}`
  })
}

const read = (page: string) => readFileSync(join(root, page), "utf8")

/** Every relative link of a page: where it points (a file, relative to the root) and its anchor. */
const relativeLinks = (page: string) =>
  [...prose(read(page)).matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)]
    .map(([, target]) => target!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
    .map((target) => {
      const [path, anchor] = target.split("#") as [string, string | undefined]
      const file = path === "" ? page : relative(root, resolve(dirname(join(root, page)), decodeURI(path)))
      return { page, target, file, anchor: anchor === undefined ? undefined : decodeURIComponent(anchor) }
    })

describe("the docs' relative links", () => {
  it("anchors are made as GitHub makes them", () => {
    expect(anchorOf("The \"Внесено в CRM\" button")).toBe("the-внесено-в-crm-button")
    expect(anchorOf("locales.json")).toBe("localesjson")
    expect(anchorOf("Cards under ADMIN_NOTIFY=all")).toBe("cards-under-admin_notifyall")
    expect(anchorOf("The sandbox's HTTP API")).toBe("the-sandboxs-http-api")
    expect(anchorOf("Data kept, data removed")).toBe("data-kept-data-removed")
    expect(anchorsOf("## Notes\n\n```\n## not a heading\n```\n## Notes\n")).toEqual(["notes", "notes-1"])
  })

  it("every link names a file that exists, and a heading that the page has", () => {
    const links = pages.flatMap(relativeLinks)
    expect(links.length).toBeGreaterThan(50)
    const broken = links.flatMap(({ anchor, file, page, target }) => {
      if (!existsSync(join(root, file))) return [`${page}: ${target}: no file ${file}`]
      if (anchor === undefined) return []
      if (!file.endsWith(".md")) return [`${page}: ${target}: an anchor into a file that is not a page`]
      return anchorsOf(read(file)).includes(anchor) ? [] : [`${page}: ${target}: ${file} has no heading #${anchor}`]
    })
    expect(broken).toEqual([])
  })

  it.each(audiencePages)("%s opens with a contents list that links each of its sections", (page) => {
    const markdown = read(page)
    const firstSection = markdown.search(/^## /m)
    expect(firstSection).toBeGreaterThan(0)
    const contents = [...markdown.slice(0, firstSection).matchAll(/^- \[[^\]]+\]\(#([^)]+)\)$/gm)].map(([, a]) => a)
    const sections = [...outsideCode(markdown).matchAll(/^## (.+)$/gm)].map(([, text]) => anchorOf(text!))
    expect(sections.length).toBeGreaterThan(2)
    expect(contents).toEqual(sections)
  })
})

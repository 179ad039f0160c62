// The tables in docs/ that the code defines are what the code says: the settings (SETTINGS in
// src/config.ts, which must name every variable the gateway reads) and the event types.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { SETTINGS } from "../../src/config.ts";
import { GENERATED_TABLES, renderPages, undescribedEventTypes, withTable } from "../support/docs-tables.ts";

/** The environment variables a source file reads: `settings.integer("PORT", …)`, `env.STRIPE_SECRET_KEY`. */
function variablesReadIn(file: string): string[] {
  const source = fs.readFileSync(new URL(`../../${file}`, import.meta.url), "utf8");
  const byReader = [...source.matchAll(/settings\.\w+\(\s*"([A-Z][A-Z0-9_]+)"/g)].map((match) => match[1]!);
  const byEnv = [...source.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)].map((match) => match[1]!);
  return [...byReader, ...byEnv];
}

describe("docs/ tables", () => {
  it("are what the code generates", () => {
    const stale = [...renderPages()].filter(([, { current, expected }]) => current !== expected).map(([page]) => `docs/${page}`);
    expect(stale, `${stale.join(", ")} differ from what the code generates: run npm run docs:tables`).toEqual([]);
  });

  it("list every setting the gateway reads, once", () => {
    const read = new Set([...variablesReadIn("src/config.ts"), ...variablesReadIn("src/payments/config.ts")]);
    const documented = SETTINGS.map((setting) => setting.name);
    expect(new Set(documented).size, "a setting is listed twice in SETTINGS").toBe(documented.length);
    expect([...read].filter((name) => !documented.includes(name)), "read but missing from SETTINGS in src/config.ts").toEqual([]);
    expect(
      documented.filter((name) => !read.has(name)),
      "in SETTINGS but read nowhere",
    ).toEqual([]);
  });

  it("say when each event type is written", () => {
    expect(undescribedEventTypes(), "event types without a line in EVENT_TYPE_WHEN (test/support/docs-tables.ts)").toEqual([]);
  });

  it("are rewritten between their markers only, and refused on a page without them", () => {
    const page = "# Page\n\nBefore.\n\n<!-- generated: x (npm run docs:tables) -->\n\nold\n\n<!-- end generated: x -->\n\nAfter.\n";
    expect(withTable(page, "x", "| a |")).toBe(
      "# Page\n\nBefore.\n\n<!-- generated: x (npm run docs:tables) -->\n\n| a |\n\n<!-- end generated: x -->\n\nAfter.\n",
    );
    expect(() => withTable("# Page\n", "x", "| a |")).toThrow(/has no markers/);
    expect(GENERATED_TABLES.map((table) => table.name)).toEqual(["settings", "stripe-settings", "test-settings", "event-types"]);
  });
});

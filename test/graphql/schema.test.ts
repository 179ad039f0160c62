import fs from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { schema } from "../../src/graphql/schema.ts";

// Pothos builds the schema with graphql's CommonJS build, as Node resolves it; printing it with
// the ESM build Vite would hand this file is refused by graphql's realm check.
const { printSchema } = createRequire(import.meta.url)("graphql") as typeof import("graphql");

describe("schema.graphql", () => {
  it("is the schema the code builds", () => {
    const committed = fs.readFileSync(new URL("../../schema.graphql", import.meta.url), "utf8");
    expect(committed, "schema.graphql is out of date: regenerate it with `npm run schema:print` and commit it").toBe(
      `${printSchema(schema)}\n`,
    );
  });

  it("serialises every amount as Money, a string of minor units", () => {
    const printed = printSchema(schema);
    expect(printed).toMatch(/scalar Money/);
    expect(printed).not.toMatch(/\b(amount|remaining|available|total|used|frozen): (Int|Float)/);
  });
});

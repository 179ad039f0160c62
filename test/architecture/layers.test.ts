// The layers the README describes, held in place: the GraphQL API, the REST shim, the HTTP edge,
// the CLI and the server use the ledger through its public surface (src/ledger/index.ts) only,
// and take the rows they pass on from it rather than from the generated Prisma client.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(import.meta.dirname, "../../src");
const ADAPTERS = ["graphql", "rest", "http", "cli", "app.ts", "server.ts"];

/** Generated modules an adapter may use: Pothos' Prisma plugin types, query filter types, the pool's client type, payments' and webhooks' enums. */
const GENERATED_ALLOWED: Record<string, readonly string[]> = {
  "graphql/builder.ts": ["pothos-types.ts"],
  "graphql/types/queries.ts": ["client.ts"],
  "graphql/types/top-up.ts": ["enums.ts"],
  "graphql/types/webhook-endpoint.ts": ["enums.ts"],
  "http/read-routing.ts": ["client.ts"],
};

function sourceFiles(entry: string): string[] {
  const full = path.join(SRC, entry);
  if (fs.statSync(full).isFile()) return [entry];
  return fs.readdirSync(full).flatMap((name) => sourceFiles(path.join(entry, name)));
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(SRC, file), "utf8");
  return [...text.matchAll(/^(?:import|export)\b[^;]*?from\s+"([^"]+)"/gms)].map((match) => path.normalize(path.join(path.dirname(file), match[1]!)));
}

const adapterFiles = ADAPTERS.flatMap(sourceFiles).filter((file) => file.endsWith(".ts"));

describe("adapters", () => {
  it("use the ledger through its index only", () => {
    const reachingIn = adapterFiles.flatMap((file) =>
      importsOf(file)
        .filter((target) => target.startsWith("ledger/") && target !== "ledger/index.ts")
        .map((target) => `${file} imports ${target}`),
    );
    expect(reachingIn).toEqual([]);
  });

  it("take ledger rows from the ledger, not from the generated Prisma client", () => {
    const generated = adapterFiles.flatMap((file) =>
      importsOf(file)
        .filter((target) => target.startsWith("db/generated/") && !(GENERATED_ALLOWED[file] ?? []).includes(path.basename(target)))
        .map((target) => `${file} imports ${target}`),
    );
    expect(generated).toEqual([]);
  });

  it("are all found (the checks above look at real files)", () => {
    expect(adapterFiles.length).toBeGreaterThan(40);
    expect(adapterFiles.flatMap(importsOf)).toContain("ledger/index.ts");
  });
});

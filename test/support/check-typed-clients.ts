// `npm run lint:clients`: generates the typed-client recipe's types (docs/typed-clients/) into a
// scratch directory, from schema.graphql and the /openapi.json this code serves, and type-checks
// the example client against them with the project's compiler settings. Offline: nothing is
// fetched, the OpenAPI document is taken from the code that serves it.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { OpenAPI3 } from "openapi-typescript";
import { generateTypes } from "../../docs/typed-clients/generate-types.ts";
import { openApiDocument } from "../../src/rest/openapi.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "typed-clients-"));
try {
  // The example's imports (graphql, @graphql-typed-document-node/core, @types/node) resolve as in the project.
  fs.symlinkSync(path.join(root, "node_modules"), path.join(scratch, "node_modules"), "dir");
  fs.writeFileSync(path.join(scratch, "package.json"), JSON.stringify({ type: "module" }));
  fs.copyFileSync(path.join(root, "docs/typed-clients/example-client.ts"), path.join(scratch, "example-client.ts"));
  // The document as JSON, which is what openapi-typescript reads (its types are stricter than zod's output).
  await generateTypes(path.join(scratch, "generated"), JSON.parse(JSON.stringify(openApiDocument)) as OpenAPI3);
  const { compilerOptions } = JSON.parse(
    fs
      .readFileSync(path.join(root, "tsconfig.json"), "utf8")
      .replace(/^\s*\/\/.*$/gm, "")
      .replace(/,(\s*[}\]])/g, "$1"),
  ) as { compilerOptions: Record<string, unknown> };
  fs.writeFileSync(path.join(scratch, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["example-client.ts"] }));
  const tsc = spawnSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", scratch], { encoding: "utf8" });
  if (tsc.status !== 0) {
    console.error(`docs/typed-clients/example-client.ts does not type-check against the generated types:\n${tsc.stdout}${tsc.stderr}`);
    process.exitCode = 1;
  }
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}

// Writes TypeScript types for both of the gateway's APIs into a directory:
//   graphql.ts  from schema.graphql and operations.graphql (GraphQL Code Generator: each operation's
//               variables and answer, the inputs they take, and a typed document to send)
//   rest.ts     from /openapi.json (openapi-typescript: `paths`, each path's parameters, bodies and answers)
//
//   npx tsx docs/typed-clients/generate-types.ts <out-dir> [openapi: URL or file, default http://localhost:4000/openapi.json]
import { codegen } from "@graphql-codegen/core";
import * as typedDocumentNode from "@graphql-codegen/typed-document-node";
import * as typescriptOperations from "@graphql-codegen/typescript-operations";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parse } from "graphql";
import openapiTS, { astToString, type OpenAPI3 } from "openapi-typescript";

const here = path.dirname(fileURLToPath(import.meta.url));

/** Custom scalars as they travel in JSON: Money is a string of minor units, never a number. */
const SCALARS = { Money: "string", DateTime: "string", JSONObject: "Record<string, unknown>" };

export async function generateGraphQLTypes(schemaFile: string, operationsFile: string): Promise<string> {
  return codegen({
    filename: "graphql.ts",
    schema: parse(fs.readFileSync(schemaFile, "utf8")),
    documents: [{ location: operationsFile, document: parse(fs.readFileSync(operationsFile, "utf8")) }],
    config: { scalars: SCALARS, defaultScalarType: "unknown", useTypeImports: true, enumsAsTypes: true },
    plugins: [{ typescriptOperations: {} }, { typedDocumentNode: {} }],
    pluginMap: { typescriptOperations, typedDocumentNode },
  });
}

/** `source`: the document itself, or where it is (a URL, or a file). */
export async function generateRestTypes(source: OpenAPI3 | URL): Promise<string> {
  return astToString(await openapiTS(source));
}

export async function generateTypes(outDirectory: string, openapi: OpenAPI3 | URL): Promise<void> {
  fs.mkdirSync(outDirectory, { recursive: true });
  const schemaFile = path.join(here, "../../schema.graphql");
  const graphql = await generateGraphQLTypes(schemaFile, path.join(here, "operations.graphql"));
  fs.writeFileSync(path.join(outDirectory, "graphql.ts"), graphql);
  fs.writeFileSync(path.join(outDirectory, "rest.ts"), await generateRestTypes(openapi));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [outDirectory, openapi = "http://localhost:4000/openapi.json"] = process.argv.slice(2);
  if (!outDirectory) {
    console.error("usage: generate-types.ts <out-dir> [openapi URL or file]");
    process.exit(2);
  }
  const source = /^https?:/.test(openapi) ? new URL(openapi) : pathToFileURL(path.resolve(openapi));
  await generateTypes(outDirectory, source);
  console.log(`wrote ${path.join(outDirectory, "graphql.ts")} and ${path.join(outDirectory, "rest.ts")}`);
}

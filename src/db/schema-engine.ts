// Prisma's schema engine in its WebAssembly build. The Prisma CLI would download a native
// engine, which is not always possible; this one ships in an npm package and talks to the
// database through the same driver adapters as the client.
import fs from "node:fs";
import { createRequire } from "node:module";
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import * as bindings from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { SchemaEngine } from "@prisma/schema-engine-wasm";

let loaded: typeof SchemaEngine | null = null;

/** The package targets bundlers (`import * from "x.wasm"`); in Node we instantiate it by hand. */
function engineClass(): typeof SchemaEngine {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const wasmPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg").replace(/\.js$/, ".wasm");
  const module = new WebAssembly.Module(fs.readFileSync(wasmPath));
  const instance = new WebAssembly.Instance(module, { "./schema_engine_bg.js": bindings as unknown as WebAssembly.ModuleImports });
  const glue = bindings as unknown as { __wbg_set_wasm(exports: unknown): void; SchemaEngine: typeof SchemaEngine };
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
  loaded = glue.SchemaEngine;
  return loaded;
}

export async function openSchemaEngine(adapterFactory: SqlMigrationAwareDriverAdapterFactory, schema: { path: string; content: string }): Promise<SchemaEngine> {
  const Engine = engineClass();
  return Engine.new({ datamodels: [[schema.path, schema.content]] }, () => {}, bindMigrationAwareSqlAdapterFactory(adapterFactory));
}

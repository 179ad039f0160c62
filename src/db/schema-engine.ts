// Prisma's schema engine in its WebAssembly build. The Prisma CLI would download a native
// engine, which is not always possible; this one ships in an npm package and talks to the
// database through the same driver adapters as the client.
import fs from "node:fs";
import { createRequire } from "node:module";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import * as bindings from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { SchemaEngine } from "@prisma/schema-engine-wasm";

export interface SchemaFile {
  path: string;
  content: string;
}

let loaded: typeof SchemaEngine | null = null;

/**
 * Timers the engine set that have not fired. It never clears one (its 10 s advisory-lock timeout
 * among them), which would keep a process alive for 10 s after migrating; they are cleared when
 * no engine is running any more.
 */
const pendingTimers = new Set<NodeJS.Timeout>();
let runningEngines = 0;

function trackedSetTimeout(callback: () => void, ms: number): NodeJS.Timeout {
  const timer = setTimeout(() => {
    pendingTimers.delete(timer);
    callback();
  }, ms >>> 0);
  pendingTimers.add(timer);
  return timer;
}

/** The package targets bundlers (`import * from "x.wasm"`); in Node we instantiate it by hand, once. */
function engineClass(): typeof SchemaEngine {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const wasmPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg").replace(/\.js$/, ".wasm");
  const module = new WebAssembly.Module(fs.readFileSync(wasmPath));
  const imports: Record<string, unknown> = { ...bindings };
  for (const name of Object.keys(imports).filter((key) => key.startsWith("__wbg_setTimeout_"))) imports[name] = trackedSetTimeout;
  const instance = new WebAssembly.Instance(module, { "./schema_engine_bg.js": imports as WebAssembly.ModuleImports });
  const glue = bindings as unknown as { __wbg_set_wasm(exports: unknown): void; SchemaEngine: typeof SchemaEngine };
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
  loaded = glue.SchemaEngine;
  return loaded;
}

/**
 * Runs `use` with a schema engine on `adapterFactory`, then frees the engine and disposes every
 * connection it opened. The engine never disposes them itself: with @prisma/adapter-pg that
 * leaves a pool (holding the engine's advisory lock) open until its idle timeout, and a shadow
 * database undropped.
 */
export async function withSchemaEngine<T>(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  schema: SchemaFile,
  use: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const opened: SqlDriverAdapter[] = [];
  const remember = (adapter: SqlDriverAdapter) => {
    opened.push(adapter);
    return adapter;
  };
  const tracked: SqlMigrationAwareDriverAdapterFactory = {
    provider: adapterFactory.provider,
    adapterName: adapterFactory.adapterName,
    connect: async () => remember(await adapterFactory.connect()),
    connectToShadowDb: async () => remember(await adapterFactory.connectToShadowDb()),
  };
  let engine: SchemaEngine | null = null;
  runningEngines += 1;
  try {
    engine = await engineClass().new(
      { datamodels: [[schema.path, schema.content]] },
      () => {},
      bindMigrationAwareSqlAdapterFactory(tracked),
    );
    return await use(engine);
  } finally {
    engine?.free();
    await Promise.allSettled(opened.reverse().map((adapter) => adapter.dispose()));
    runningEngines -= 1;
    if (runningEngines === 0) {
      for (const timer of pendingTimers) clearTimeout(timer);
      pendingTimers.clear();
    }
  }
}

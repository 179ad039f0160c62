// The driver adapter the schema engine migrates a PGlite database through.
import { PGlite } from "@electric-sql/pglite";
import { DriverAdapterError, type SqlDriverAdapter, type SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";

/**
 * pglite-prisma-adapter 0.7.2 does not await `exec` in executeScript: a failing migration would
 * be recorded as applied, its error left as an unhandled rejection. Scripts are awaited here
 * (PGlite runs a multi-statement script as one transaction, as PostgreSQL does). The shadow
 * database, for diffs, is a fresh in-memory PGlite closed when the engine's session ends.
 */
export function pgliteMigrationAdapter(pglite: PGlite): SqlMigrationAwareDriverAdapterFactory {
  const factory = new PrismaPGlite(pglite);
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => awaitingScripts(await factory.connect(), pglite),
    connectToShadowDb: async () => {
      const shadow = new PGlite();
      const adapter = awaitingScripts(await new PrismaPGlite(shadow).connect(), shadow);
      adapter.dispose = () => shadow.close();
      return adapter;
    },
  };
}

function awaitingScripts(adapter: SqlDriverAdapter, pglite: PGlite): SqlDriverAdapter {
  adapter.executeScript = async (script) => {
    try {
      await pglite.exec(script);
    } catch (error) {
      throw asDriverAdapterError(error);
    }
  };
  return adapter;
}

/** So that the engine reports the database's own message and SQLSTATE, as with PostgreSQL. */
function asDriverAdapterError(error: unknown): unknown {
  if (!(error instanceof Error) || typeof (error as { code?: unknown }).code !== "string") return error;
  const { code, severity, detail, column, hint } = error as Error & {
    code: string;
    severity?: string;
    detail?: string;
    column?: string;
    hint?: string;
  };
  return new DriverAdapterError({ kind: "postgres", code, severity: severity ?? "ERROR", message: error.message, detail, column, hint });
}

// The driver adapter the schema engine migrates a PostgreSQL database through.
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPg } from "@prisma/adapter-pg";

/**
 * @prisma/adapter-pg runs a script by splitting it on every ";", which breaks PL/pgSQL bodies
 * (functions, triggers) and runs the pieces outside any transaction. A query without parameters
 * goes over PostgreSQL's simple query protocol instead, which takes a whole multi-statement
 * script and runs it as one transaction: a failing migration leaves nothing behind.
 */
export function postgresMigrationAdapter(connectionString: string): SqlMigrationAwareDriverAdapterFactory {
  const factory = new PrismaPg({ connectionString });
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => wholeScripts(await factory.connect()),
    connectToShadowDb: async () => wholeScripts(await factory.connectToShadowDb()),
  };
}

function wholeScripts(adapter: SqlDriverAdapter): SqlDriverAdapter {
  adapter.executeScript = async (script) => {
    await adapter.executeRaw({ sql: script, args: [], argTypes: [] });
  };
  return adapter;
}

// Migrates the test run's template databases (database-templates.ts starts it): in a process of
// its own, because the schema engine's WebAssembly, given a schema it cannot read, ends the
// process it runs in, and that must not be vitest's. Run with `node --import tsx`:
//
//   database-template-builder.ts pglite <directory>
//     writes <directory>/empty.tar (just initialised) and <directory>/migrated.tar (PGlite dumps)
//   database-template-builder.ts postgres <owner's URL of an empty database> <gateway role>
//     migrates it as its owner and grants the gateway role what `npm run db:migrate` grants
import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { applyMigrations } from "../../src/db/migrations.ts";
import { pgliteMigrationAdapter } from "../../src/db/pglite-migration-adapter.ts";
import { migratePostgres } from "../../src/db/postgres.ts";

const [kind, ...args] = process.argv.slice(2);

if (kind === "pglite") {
  const directory = args[0]!;
  const pglite = new PGlite();
  await pglite.waitReady;
  const dump = async (name: string) =>
    fs.writeFileSync(path.join(directory, name), Buffer.from(await (await pglite.dumpDataDir("none")).arrayBuffer()));
  await dump("empty.tar");
  await applyMigrations(pgliteMigrationAdapter(pglite));
  await dump("migrated.tar");
  await pglite.close();
} else if (kind === "postgres") {
  const [ownerUrl, appRole] = args as [string, string];
  await migratePostgres(ownerUrl, { appRole });
} else {
  throw new Error(`usage: database-template-builder.ts pglite <directory> | postgres <owner url> <app role> (got ${kind})`);
}

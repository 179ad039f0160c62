// Migration tools: `npm run db:migrate`, `npm run db:migration:create -- <name>`, `npm run db:check`.
// db:migrate runs as DATABASE_MIGRATION_URL's role when set, and then grants the gateway's role.
import { loadConfig } from "../config.ts";
import { createMigration, pendingSchemaChanges } from "../db/migrations.ts";

const REGENERATE = "npm run db:migration:create -- <name>";

async function main([command, name, ...rest]: string[]): Promise<number> {
  switch (command) {
    case "apply": {
      const config = loadConfig();
      // The owner's URL when there is one: the gateway's own role may not migrate.
      const url = config.databaseMigrationUrl ?? config.databaseUrl;
      if (url) {
        // Imported here: only `apply` needs the generated client, so check and create work before
        // `npm run generate` has ever run.
        const { migratePostgres } = await import("../db/postgres.ts");
        const appRole = config.databaseAppRole ?? undefined;
        const applied = await migratePostgres(url, { appRole });
        console.log(applied.length > 0 ? `applied to PostgreSQL:\n${applied.map((m) => `  ${m}`).join("\n")}` : "PostgreSQL is up to date");
        if (appRole)
          console.log(`granted role "${appRole}" what the gateway needs (it owns nothing; ledger entries and operations are insert-only)`);
        return 0;
      }
      const { openDatabase } = await import("../db/database.ts");
      const db = await openDatabase({ dataDir: config.dataDir, migrate: false });
      try {
        const applied = await db.migrate();
        const where = `the embedded database in ${config.dataDir}`;
        console.log(applied.length > 0 ? `applied to ${where}:\n${applied.map((m) => `  ${m}`).join("\n")}` : `${where} is up to date`);
      } finally {
        await db.close();
      }
      return 0;
    }
    case "create": {
      if (!name || rest.length > 0) {
        console.error("usage: npm run db:migration:create -- <lower_snake_case_name>");
        return 2;
      }
      const directory = await createMigration(name);
      console.log(directory ? `wrote ${directory}/migration.sql` : "prisma/schema.prisma and the migrations agree: nothing to write");
      return 0;
    }
    case "check": {
      const sql = await pendingSchemaChanges();
      if (sql === "") {
        console.log("prisma/schema.prisma and the migrations agree");
        return 0;
      }
      console.error(
        `prisma/schema.prisma differs from the migrations; write a migration with\n  ${REGENERATE}\n\nIt would hold:\n\n${sql}`,
      );
      return 1;
    }
    default:
      console.error("usage: tsx src/cli/migrate.ts apply | create <name> | check");
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);

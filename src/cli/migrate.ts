// Migration tools: `npm run db:migrate`, `npm run db:migration:create -- <name>`, `npm run db:check`.
import { loadConfig } from "../config.ts";
import { openDatabase } from "../db/database.ts";
import { createMigration, pendingSchemaChanges } from "../db/migrations.ts";

async function main([command, name]: string[]): Promise<number> {
  switch (command) {
    case "apply": {
      const config = loadConfig();
      const db = await openDatabase({ databaseUrl: config.databaseUrl ?? undefined, dataDir: config.dataDir });
      await db.close();
      console.log(`migrations applied to ${config.databaseUrl ? "PostgreSQL" : config.dataDir}`);
      return 0;
    }
    case "create": {
      if (!name) {
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
      console.error(`prisma/schema.prisma differs from the migrations; write a migration with\n  npm run db:migration:create -- <name>\n\n${sql}`);
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

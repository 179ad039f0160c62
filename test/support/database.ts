// A fresh database for each test file, of the kind the vitest project names (TEST_DATABASE_KIND,
// set in test/vitest.config.ts): in-memory PGlite in "pglite", and in "postgres" a new database
// on TEST_DATABASE_URL's server, dropped when the test file closes it. On PostgreSQL the tests
// run as production does: migrated by an owner role, then served by a role granted only what
// `npm run db:migrate` grants the gateway, so a code path needing more fails here first.
//
// The run migrates once (database-templates.ts) and each database here is a copy of that; a file
// run without those templates (another config) migrates its own, as it did before.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { migratePostgres } from "../../src/db/postgres.ts";
import type { DatabaseTemplates, PostgresTemplate } from "./database-templates.ts";
import { openPGliteClone } from "./pglite-clone.ts";

export const testDatabaseKind: "pglite" | "postgres" = process.env.TEST_DATABASE_KIND === "postgres" ? "postgres" : "pglite";

export interface TestDatabaseOptions {
  poolSize?: number;
  /** false: an empty database, for tests of the migrations themselves (opened as the owner). */
  migrate?: boolean;
  /**
   * On PostgreSQL, whom the client logs in as: the gateway's restricted role (default), or the
   * owner of the tables, for what the database enforces whatever the grants (triggers, checks).
   */
  as?: "app" | "owner";
}

export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<Database> {
  const migrate = options.migrate ?? true;
  const templates = databaseTemplates();
  if (testDatabaseKind === "pglite") {
    if (templates.pglite) return openPGliteClone(migrate ? templates.pglite.migrated : templates.pglite.empty);
    return openDatabase({ dataDir: "memory://", migrate });
  }
  if (migrate && templates.postgres) return clonePostgresTemplate(templates.postgres, options);
  const scratch = await createScratchPostgresDatabase();
  try {
    const asApp = migrate && (options.as ?? "app") === "app";
    if (asApp) await migratePostgres(scratch.ownerUrl, { appRole: scratch.appRole });
    const db = await openDatabase({ databaseUrl: asApp ? scratch.appUrl : scratch.ownerUrl, poolSize: options.poolSize ?? 8, migrate });
    return {
      ...db,
      close: async () => {
        await db.close();
        await scratch.drop();
      },
    };
  } catch (error) {
    await scratch.drop();
    throw error;
  }
}

/** The run's migrated templates, or none when the file runs outside test/vitest.config.ts. */
function databaseTemplates(): DatabaseTemplates {
  if (process.env.TEST_DATABASE_KIND === "none") {
    throw new Error("this test file is in the unit project, which has no database: list it under another project in test/vitest.config.ts");
  }
  if (!process.env.VITEST) return {};
  return inject("databaseTemplates") ?? {};
}

/** A copy of the run's migrated PostgreSQL database, dropped on close; it shares the template's two roles. */
async function clonePostgresTemplate(template: PostgresTemplate, options: TestDatabaseOptions): Promise<Database> {
  const serverUrl = postgresServerUrl();
  const name = `bg_test_${randomBytes(8).toString("hex")}`;
  await asAdmin(serverUrl, (admin) => admin.query(`CREATE DATABASE ${name} TEMPLATE ${template.database} OWNER ${template.ownerRole}`));
  const drop = () => asAdmin(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  [url.username, url.password] =
    (options.as ?? "app") === "app" ? [template.appRole, template.appPassword] : [template.ownerRole, template.ownerPassword];
  try {
    const db = await openDatabase({ databaseUrl: url.toString(), poolSize: options.poolSize ?? 8, migrate: false });
    return {
      ...db,
      close: async () => {
        await db.close();
        await drop();
      },
    };
  } catch (error) {
    await drop();
    throw error;
  }
}

function postgresServerUrl(): string {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error("the postgres test project needs TEST_DATABASE_URL");
  return serverUrl;
}

export interface ScratchPostgres {
  /** As TEST_DATABASE_URL's user (a superuser). */
  url: string;
  /** The database's owner, which migrates: no superuser. */
  ownerUrl: string;
  /** A role of its own for the gateway, not yet granted anything. */
  appUrl: string;
  appRole: string;
  drop(): Promise<void>;
}

/**
 * An empty database on TEST_DATABASE_URL's server, owned by a new role, with a second new role
 * for the gateway; dropping it drops both roles.
 */
export async function createScratchPostgresDatabase(): Promise<ScratchPostgres> {
  const serverUrl = postgresServerUrl();
  const name = `bg_test_${randomBytes(8).toString("hex")}`;
  const [ownerRole, appRole] = [`${name}_owner`, `${name}_app`];
  const passwords = [randomBytes(12).toString("hex"), randomBytes(12).toString("hex")] as const;
  await asAdmin(serverUrl, async (admin) => {
    await admin.query(`CREATE ROLE ${ownerRole} LOGIN PASSWORD '${passwords[0]}'`);
    await admin.query(`CREATE ROLE ${appRole} LOGIN PASSWORD '${passwords[1]}'`);
    // Owning the database, the owner may create in its public schema (PostgreSQL 15 grants
    // that to the database owner only).
    await admin.query(`CREATE DATABASE ${name} OWNER ${ownerRole}`);
  });
  const urlFor = (user?: string, password?: string) => {
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    if (user) [url.username, url.password] = [user, password!];
    return url.toString();
  };
  return {
    url: urlFor(),
    ownerUrl: urlFor(ownerRole, passwords[0]),
    appUrl: urlFor(appRole, passwords[1]),
    appRole,
    // FORCE: a test that failed half-way may have left connections open. The roles go after
    // the database, which held their privileges.
    drop: () =>
      asAdmin(serverUrl, async (admin) => {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.query(`DROP ROLE IF EXISTS ${appRole}`);
        await admin.query(`DROP ROLE IF EXISTS ${ownerRole}`);
      }),
  };
}

async function asAdmin(serverUrl: string, run: (admin: pg.Client) => Promise<unknown>): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await run(admin);
  } finally {
    await admin.end();
  }
}

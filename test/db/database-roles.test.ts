// Least privilege on PostgreSQL: one role owns the tables and migrates (`npm run db:migrate`
// with DATABASE_MIGRATION_URL), the gateway runs as another that can keep the ledger but not
// rewrite it. Proved on a scratch database with two new roles, through the real CLI.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { MIGRATIONS_DIR } from "../../src/db/migrations.ts";
import { migratePostgres } from "../../src/db/postgres.ts";
import { captureHold, releaseHold } from "../../src/ledger/commands/resolve-hold.ts";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { holdCredits } from "../../src/ledger/commands/hold.ts";
import type { LedgerContext } from "../../src/ledger/context.ts";
import { verifyLedger } from "../../src/ledger/verify.ts";
import { createScratchPostgresDatabase, testDatabaseKind, type ScratchPostgres } from "../support/database.ts";
import { teamScope } from "../support/ledger.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const MIGRATION_NAMES = fs
  .readdirSync(MIGRATIONS_DIR)
  .filter((name) => /^\d+_/.test(name))
  .sort();
const INSUFFICIENT_PRIVILEGE = "42501";

describe("database role settings", () => {
  const gateway = "postgres://gateway:secret@db.internal:5432/billing";
  const owner = "postgres://billing_owner:secret@db.internal:5432/billing";

  it("name the gateway's role after DATABASE_URL's user when DATABASE_MIGRATION_URL logs in as another", () => {
    expect(loadConfig({ DATABASE_URL: gateway, DATABASE_MIGRATION_URL: owner })).toMatchObject({
      databaseUrl: gateway,
      databaseMigrationUrl: owner,
      databaseAppRole: "gateway",
    });
    expect(loadConfig({ DATABASE_URL: gateway, DATABASE_MIGRATION_URL: owner, DATABASE_APP_ROLE: "billing_app" }).databaseAppRole).toBe(
      "billing_app",
    );
    expect(loadConfig({ DATABASE_URL: "postgres://gate%20way@db/billing", DATABASE_MIGRATION_URL: owner }).databaseAppRole).toBe(
      "gate way",
    );
  });

  it("name no role to grant when one role both migrates and runs", () => {
    expect(loadConfig({ DATABASE_URL: gateway }).databaseAppRole).toBeNull();
    expect(
      loadConfig({ DATABASE_URL: gateway, DATABASE_MIGRATION_URL: "postgres://gateway@db.internal:6432/billing" }).databaseAppRole,
    ).toBeNull();
    expect(loadConfig({})).toMatchObject({ databaseUrl: null, databaseMigrationUrl: null, databaseAppRole: null });
  });

  it("refuse a migration URL without DATABASE_URL, and one that is not postgres://, without echoing its password", () => {
    expect(() => loadConfig({ DATABASE_MIGRATION_URL: owner })).toThrow(
      new ConfigError("DATABASE_MIGRATION_URL needs DATABASE_URL, the gateway's own PostgreSQL URL"),
    );
    expect(() => loadConfig({ DATABASE_APP_ROLE: "gateway" })).toThrow(
      new ConfigError("DATABASE_APP_ROLE needs DATABASE_URL, the gateway's own PostgreSQL URL"),
    );
    expect(() => loadConfig({ DATABASE_URL: gateway, DATABASE_MIGRATION_URL: "mysql://root:hunter2@db/billing" })).toThrow(
      new ConfigError('DATABASE_MIGRATION_URL must be a postgres:// URL (got "db/billing"); unset it to migrate with DATABASE_URL'),
    );
  });
});

if (testDatabaseKind === "pglite") {
  describe("the gateway's own PostgreSQL role", () => {
    const reason = "PGlite is one embedded user, with no roles to tell apart: set TEST_DATABASE_URL to run this file's PostgreSQL half";
    it(`is proved on PostgreSQL only (${reason})`, ({ skip }) => skip(reason));
  });
} else {
  describe("the gateway on a database it may not migrate", () => {
    it("refuses to start, naming the migrations missing and how to apply them, and creates nothing", async () => {
      const scratch = await createScratchPostgresDatabase();
      try {
        const error = await openDatabase({ databaseUrl: scratch.appUrl }).then(
          () => null,
          (e: unknown) => e as Error,
        );
        expect(error?.message).toBe(
          `The database lacks ${MIGRATION_NAMES.length} migration(s) (${MIGRATION_NAMES.slice(0, 3).join(", ")} and ${MIGRATION_NAMES.length - 3} more), ` +
            `and role "${scratch.appRole}" may not apply them: it does not own the tables. ` +
            "Apply them first with `npm run db:migrate`, DATABASE_MIGRATION_URL set to the owner role's URL, then start again.",
        );
        expect(await tablesOwnedBy(scratch.url)).toEqual({});
      } finally {
        await scratch.drop();
      }
    });
  });

  describe("a database migrated by `npm run db:migrate` with DATABASE_MIGRATION_URL", () => {
    let scratch: ScratchPostgres;
    let migrateOutput: string;
    /** The gateway, as it starts: its Prisma client on DATABASE_URL, the app role. */
    let gateway: Database;
    let ctx: LedgerContext;
    /** The app role's own session, for statements Prisma would not send. */
    let app: pg.Client;

    beforeAll(async () => {
      scratch = await createScratchPostgresDatabase();
      migrateOutput = await runTs("src/cli/migrate.ts", ["apply"], {
        DATABASE_URL: scratch.appUrl,
        DATABASE_MIGRATION_URL: scratch.ownerUrl,
      });
      gateway = await openDatabase({ databaseUrl: scratch.appUrl, poolSize: 2 });
      ctx = { prisma: gateway.prisma, now: () => new Date() };
      app = new pg.Client({ connectionString: scratch.appUrl });
      await app.connect();
    });
    afterAll(async () => {
      await app?.end();
      await gateway?.close();
      await scratch?.drop();
    });

    it("migrates as the owner, which owns every table, and grants DATABASE_URL's user", async () => {
      expect(migrateOutput).toBe(
        `applied to PostgreSQL:\n${MIGRATION_NAMES.map((name) => `  ${name}`).join("\n")}\n` +
          `granted role "${scratch.appRole}" what the gateway needs (it owns nothing; ledger entries and operations are insert-only)\n`,
      );
      const owners = await tablesOwnedBy(scratch.url);
      const ownerRole = new URL(scratch.ownerUrl).username;
      expect(Object.keys(owners)).toEqual([ownerRole]);
      expect(owners[ownerRole]).toEqual(
        expect.arrayContaining(["_prisma_migrations", "ledger_entry", "operation", "funding_reversal", "wallet"]),
      );
    });

    it("runs the ledger as the app role: a wallet, deposits, a debit, a hold captured and one released", async () => {
      const tenant = await gateway.prisma.tenant.create({ data: { slug: "least-privilege", name: "Least privilege" } });
      const scope = teamScope(tenant.id, true);
      const { wallet } = await createWallet(ctx, { scope, customer: { externalId: "alice" }, currency: "USD" });
      await deposit(ctx, { scope, walletId: wallet.id, amount: 5_000n, idempotencyKey: "deposit-1" });
      expect((await deposit(ctx, { scope, walletId: wallet.id, amount: 5_000n, idempotencyKey: "deposit-1" })).replayed).toBe(true);
      await deposit(ctx, { scope, walletId: wallet.id, amount: 1_000n, category: "granted", costBasis: "0" });
      const spent = await debit(ctx, { scope, walletId: wallet.id, amount: 1_500n, idempotencyKey: "debit-1" });
      expect(spent.entries.reduce((sum, entry) => sum + entry.amount, 0n)).toBe(-1_500n);
      const { hold: captured } = await holdCredits(ctx, { scope, walletId: wallet.id, amount: 700n });
      await captureHold(ctx, { scope, holdId: captured!.id, amount: 300n });
      const { hold: released } = await holdCredits(ctx, { scope, walletId: wallet.id, amount: 200n });
      const after = await releaseHold(ctx, { scope, holdId: released!.id });
      expect(after.wallet.balance).toBe(6_000n - 1_500n - 300n);
      expect(await verifyLedger(gateway.prisma)).toEqual([]);
    });

    it("refuses the app role UPDATE, DELETE and TRUNCATE on ledger entries, operations and funding reversals", async () => {
      const [entry] = (await app.query<{ id: string }>("SELECT id FROM ledger_entry LIMIT 1")).rows;
      expect(entry).toBeDefined();
      for (const table of ["ledger_entry", "operation", "funding_reversal"]) {
        expect(await refusal(app, `UPDATE ${table} SET created_at = now()`), table).toBe(`permission denied for table ${table}`);
        expect(await refusal(app, `DELETE FROM ${table}`), table).toBe(`permission denied for table ${table}`);
        expect(await refusal(app, `TRUNCATE ${table} CASCADE`), table).toBe(`permission denied for table ${table}`);
      }
      expect(await refusal(app, `UPDATE ledger_entry SET amount = 0 WHERE id = '${entry!.id}'`)).toBe(
        "permission denied for table ledger_entry",
      );
      // TRUNCATE on nothing, not even what the gateway may update row by row.
      expect(await refusal(app, "TRUNCATE wallet CASCADE")).toBe("permission denied for table wallet");
      expect((await app.query("SELECT count(*)::int AS n FROM ledger_entry")).rows[0].n).toBeGreaterThan(0);
    });

    it("refuses the app role ALTER TABLE … DISABLE TRIGGER, DROP TABLE, CREATE TABLE and writing the migration history", async () => {
      expect(await refusal(app, "ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_no_update_or_delete")).toBe(
        "must be owner of table ledger_entry",
      );
      expect(await refusal(app, "ALTER TABLE ledger_entry DISABLE TRIGGER ALL")).toBe("must be owner of table ledger_entry");
      expect(await refusal(app, "DROP TABLE ledger_entry CASCADE")).toBe("must be owner of table ledger_entry");
      expect(await refusal(app, "DROP FUNCTION ledger_debit")).toBe("must be owner of function ledger_debit");
      expect(await refusal(app, "CREATE TABLE shadow_ledger (id int)")).toBe("permission denied for schema public");
      expect(await refusal(app, "INSERT INTO _prisma_migrations (id, checksum, migration_name) VALUES ('x', 'x', 'x')")).toBe(
        "permission denied for table _prisma_migrations",
      );
      expect(await refusal(app, "DELETE FROM _prisma_migrations")).toBe("permission denied for table _prisma_migrations");
      const [trigger] = (
        await app.query<{ enabled: string }>(
          "SELECT tgenabled AS enabled FROM pg_trigger WHERE tgname = 'ledger_entry_no_update_or_delete'",
        )
      ).rows;
      expect(trigger).toEqual({ enabled: "O" });
    });

    it("lets the app role move only a block's and a hold's running state, never their amounts", async () => {
      await app.query("BEGIN");
      try {
        await app.query("UPDATE credit_block SET remaining = remaining, status = status");
        await app.query("UPDATE hold SET status = status, captured = captured, resolved_at = resolved_at");
      } finally {
        await app.query("ROLLBACK");
      }
      expect(await refusal(app, "UPDATE credit_block SET amount = amount + 1")).toBe("permission denied for table credit_block");
      expect(await refusal(app, "UPDATE hold SET amount = amount + 1")).toBe("permission denied for table hold");
      expect(await refusal(app, "DELETE FROM credit_block")).toBe("permission denied for table credit_block");
    });

    it("runs `npm run cli -- verify` as the app role", async () => {
      expect(await runTs("src/cli/main.ts", ["verify"], { DATABASE_URL: scratch.appUrl })).toBe(
        "ledger consistent: every invariant holds\n",
      );
    });

    it("gives a table a later migration creates insert-only access until db:migrate grants it again", async () => {
      const owner = new pg.Client({ connectionString: scratch.ownerUrl });
      await owner.connect();
      try {
        await owner.query("CREATE TABLE later_table (id int PRIMARY KEY, note text)");
        await app.query("INSERT INTO later_table VALUES (1, 'kept')");
        expect((await app.query("SELECT note FROM later_table")).rows).toEqual([{ note: "kept" }]);
        expect(await refusal(app, "UPDATE later_table SET note = 'edited'")).toBe("permission denied for table later_table");
        expect(await refusal(app, "DELETE FROM later_table")).toBe("permission denied for table later_table");
      } finally {
        await owner.query("DROP TABLE IF EXISTS later_table");
        await owner.end();
      }
    });

    it("keeps the gateway from starting while a migration is missing; db:migrate again applies nothing and grants the same", async () => {
      const migrationsDir = withExtraMigration("20991231000000_later", "CREATE TABLE later_migration_table (x int);");
      try {
        await expect(gateway.migrate(migrationsDir)).rejects.toThrow(
          `The database lacks 1 migration(s) (20991231000000_later), and role "${scratch.appRole}" may not apply them`,
        );
      } finally {
        fs.rmSync(migrationsDir, { recursive: true, force: true });
      }
      const before = await privileges(scratch.url, scratch.appRole);
      expect(await runTs("src/cli/migrate.ts", ["apply"], { DATABASE_URL: scratch.appUrl, DATABASE_MIGRATION_URL: scratch.ownerUrl })).toBe(
        `PostgreSQL is up to date\ngranted role "${scratch.appRole}" what the gateway needs (it owns nothing; ledger entries and operations are insert-only)\n`,
      );
      expect(await privileges(scratch.url, scratch.appRole)).toEqual(before);
      expect(before).toContainEqual({ table: "ledger_entry", privileges: "INSERT,SELECT" });
      expect(before).toContainEqual({ table: "wallet", privileges: "INSERT,SELECT,UPDATE" });
      expect(before).toContainEqual({ table: "_prisma_migrations", privileges: "SELECT" });
    });

    it("refuses to grant a superuser, the owner itself, a role missing or one owning a table, and migrates nothing then", async () => {
      const ownerRole = new URL(scratch.ownerUrl).username;
      const grantTo = (appRole: string) =>
        migratePostgres(scratch.ownerUrl, { appRole }).then(
          () => "granted",
          (error: Error) => error.message,
        );
      expect(await grantTo("postgres")).toBe(
        'role "postgres" is a superuser, which no grant can restrict: give the gateway a role of its own',
      );
      expect(await grantTo(ownerRole)).toBe(
        `role "${ownerRole}" is the role that migrates, or a member of it, and so owns the tables: give the gateway a role of its own`,
      );
      expect(await grantTo("nobody_here")).toBe(
        `role "nobody_here" does not exist: create it first (CREATE ROLE "nobody_here" LOGIN PASSWORD '…')`,
      );
      const admin = new pg.Client({ connectionString: scratch.url });
      await admin.connect();
      try {
        await admin.query(`CREATE TABLE stray (x int); ALTER TABLE stray OWNER TO ${scratch.appRole}`);
        expect(await grantTo(scratch.appRole)).toBe(
          `role "${scratch.appRole}" owns stray, and an owner may alter or drop what it owns: hand it to the role that migrates (REASSIGN OWNED BY "${scratch.appRole}" TO <owner>)`,
        );
      } finally {
        await admin.query("DROP TABLE IF EXISTS stray");
        await admin.end();
      }
      expect(await grantTo(scratch.appRole)).toBe("granted");
    });
  });
}

/** The error message PostgreSQL refuses `sql` with, checking it is a privilege error. */
async function refusal(session: pg.Client, sql: string): Promise<string> {
  try {
    await session.query(sql);
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    expect(code, message).toBe(INSUFFICIENT_PRIVILEGE);
    return message;
  }
  throw new Error(`expected PostgreSQL to refuse "${sql}", and it did not`);
}

/** Table owner → the tables it owns, in the scratch database's public schema. */
async function tablesOwnedBy(adminUrl: string): Promise<Record<string, string[]>> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ owner: string; tables: string[] }>(
      "SELECT tableowner AS owner, array_agg(tablename::text ORDER BY tablename) AS tables FROM pg_tables WHERE schemaname = 'public' GROUP BY tableowner",
    );
    return Object.fromEntries(rows.map((row) => [row.owner, row.tables]));
  } finally {
    await admin.end();
  }
}

/** The table privileges `role` holds, per table, as sorted comma-separated lists. */
async function privileges(adminUrl: string, role: string): Promise<{ table: string; privileges: string }[]> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ table: string; privileges: string }>(
      `SELECT table_name::text AS table, string_agg(privilege_type, ',' ORDER BY privilege_type) AS privileges
       FROM information_schema.role_table_grants WHERE grantee = $1 AND table_schema = 'public' GROUP BY table_name ORDER BY table_name`,
      [role],
    );
    return rows;
  } finally {
    await admin.end();
  }
}

/** Runs a TypeScript entry point as `npm run` does, with only the database settings given; its stdout. */
function runTs(script: string, args: string[], settings: Record<string, string>): Promise<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("DATABASE_")));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", script, ...args],
      { cwd: ROOT, env: { ...env, ...settings } },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${script} ${args.join(" ")} failed: ${stderr || error.message}`));
        else resolve(stdout);
      },
    );
  });
}

function withExtraMigration(name: string, sql: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bg-migrations-"));
  fs.cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  fs.mkdirSync(path.join(dir, name));
  fs.writeFileSync(path.join(dir, name, "migration.sql"), sql);
  return dir;
}

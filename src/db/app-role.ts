// The gateway's own role, when another role owns the tables (DATABASE_MIGRATION_URL): it reads
// everything, adds rows, and changes only the rows the code keeps current. Owning nothing, it
// cannot ALTER or DROP a table nor DISABLE the append-only trigger, and without UPDATE, DELETE
// or TRUNCATE on ledger_entry, operation, funding_reversal and event it cannot rewrite the ledger
// or the event log even where no trigger stands guard. `npm run db:migrate` applies these grants
// after every run, so they follow the schema; ALTER DEFAULT PRIVILEGES covers tables made by
// `prisma migrate deploy` run by hand in between. A new table is therefore append-only until it is listed below; the
// PostgreSQL tests run as such a role (test/support/database.ts), so code that needs more fails
// there before it fails in production.
import pg from "pg";

/**
 * The tables whose rows the gateway updates after writing them, and which columns; "all" for
 * any column. Credit blocks and holds are records of the ledger: only their running state moves.
 */
const UPDATABLE: Readonly<Record<string, "all" | readonly string[]>> = {
  customer: "all", // upserts, payment methods
  wallet: "all", // balance, entry and event sequences; its row lock (SELECT … FOR UPDATE) needs UPDATE as well
  credit_block: ["remaining", "used", "frozen", "status"],
  hold: ["status", "captured", "resolved_at"],
  top_up: "all", // attempts, outcome, lease
  auto_top_up_rule: "all", // pause and resume; locked FOR UPDATE when a debit checks it
  returned_payment: ["status", "stripe_refund_id", "failure_message", "next_attempt_at", "updated_at"], // a refund's outcome
  api_token: ["revoked_at", "last_used_at"], // revocation, and when it was last accepted
  balance_alert: ["below", "deleted_at"], // fired and re-armed by movements; removed
  job: "all", // claims, leases and the next run
  event_cursor: "all", // how far each follower of the event log has reacted; locked FOR UPDATE while it reacts
  interval_top_up: ["status", "updated_at"], // a period's deposits made
  webhook_endpoint: "all", // url, types, description, status
  webhook_delivery: "all", // attempts and their outcome, leases
};

/** The tables whose rows the gateway deletes: a wallet's auto top-up rule, a webhook endpoint (and its deliveries). */
const DELETABLE: readonly string[] = ["auto_top_up_rule", "webhook_endpoint", "webhook_delivery"];

/** Read for the start-up check (see postgres.ts), never written: the history stays the owner's. */
const MIGRATION_HISTORY = "_prisma_migrations";

/**
 * Why `role` cannot serve as the gateway's restricted role, or null when it can. Checked before
 * migrating, so a misconfiguration changes nothing, and again under the grants.
 */
export async function appRoleProblem(session: pg.ClientBase, role: string): Promise<string | null> {
  const { rows } = await session.query<{ exists: boolean; superuser: boolean; member: boolean; owns: string[] }>(
    `SELECT r.rolname IS NOT NULL AS exists, COALESCE(r.rolsuper, false) AS superuser,
            r.rolname IS NOT NULL AND pg_has_role(r.oid, current_user, 'MEMBER') AS member,
            -- Functions too: owning the trigger's function is as good as disabling the trigger.
            COALESCE((SELECT array_agg(name ORDER BY name) FROM (
                        SELECT c.relname::text AS name FROM pg_class c
                        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
                          AND pg_has_role(r.oid, c.relowner, 'MEMBER')
                        UNION ALL
                        SELECT p.proname || '()' FROM pg_proc p
                        WHERE p.pronamespace = current_schema()::regnamespace AND pg_has_role(r.oid, p.proowner, 'MEMBER')) owned), '{}') AS owns
     FROM (SELECT $1::text AS name) wanted LEFT JOIN pg_roles r ON r.rolname = wanted.name`,
    [role],
  );
  const found = rows[0]!;
  if (!found.exists) return `role "${role}" does not exist: create it first (CREATE ROLE ${pg.escapeIdentifier(role)} LOGIN PASSWORD '…')`;
  if (found.superuser) return `role "${role}" is a superuser, which no grant can restrict: give the gateway a role of its own`;
  if (found.member)
    return `role "${role}" is the role that migrates, or a member of it, and so owns the tables: give the gateway a role of its own`;
  if (found.owns.length > 0) {
    return `role "${role}" owns ${found.owns.join(", ")}, and an owner may alter or drop what it owns: hand it to the role that migrates (REASSIGN OWNED BY ${pg.escapeIdentifier(role)} TO <owner>)`;
  }
  return null;
}

/**
 * Brings `role`'s privileges in the current schema to exactly those above, in one transaction:
 * everything it held is revoked first, so a table that stops being updatable stops being so.
 * Fails, changing nothing, when appRoleProblem finds one.
 */
export async function grantAppRole(session: pg.ClientBase, role: string): Promise<void> {
  const app = pg.escapeIdentifier(role);
  await session.query("BEGIN");
  try {
    const problem = await appRoleProblem(session, role);
    if (problem) throw new Error(problem);
    const { rows } = await session.query<{ schema: string; tables: string[] }>(
      `SELECT current_schema() AS schema,
              COALESCE((SELECT array_agg(tablename::text ORDER BY tablename) FROM pg_tables WHERE schemaname = current_schema()), '{}') AS tables`,
    );
    const { schema: schemaName, tables } = rows[0]!;
    const schema = pg.escapeIdentifier(schemaName);
    const statements = [
      `GRANT USAGE ON SCHEMA ${schema} TO ${app}`,
      `REVOKE ALL ON ALL TABLES IN SCHEMA ${schema} FROM ${app}`,
      `REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${schema} FROM ${app}`,
      `GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA ${schema} TO ${app}`,
      `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${app}`,
      `GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${schema} TO ${app}`,
      // What the next migrations create, before the next `npm run db:migrate` lists it here.
      `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT SELECT, INSERT ON TABLES TO ${app}`,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT USAGE, SELECT ON SEQUENCES TO ${app}`,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT EXECUTE ON FUNCTIONS TO ${app}`,
    ];
    const present = new Set(tables);
    if (present.has(MIGRATION_HISTORY)) statements.push(`REVOKE INSERT ON ${pg.escapeIdentifier(MIGRATION_HISTORY)} FROM ${app}`);
    // A table the migrations have not created yet (an older schema) has nothing to grant.
    for (const [table, columns] of Object.entries(UPDATABLE)) {
      if (!present.has(table)) continue;
      const columnList = columns === "all" ? "" : ` (${columns.map((column) => pg.escapeIdentifier(column)).join(", ")})`;
      statements.push(`GRANT UPDATE${columnList} ON ${schema}.${pg.escapeIdentifier(table)} TO ${app}`);
    }
    for (const table of DELETABLE.filter((name) => present.has(name))) {
      statements.push(`GRANT DELETE ON ${schema}.${pg.escapeIdentifier(table)} TO ${app}`);
    }
    for (const statement of statements) await session.query(statement);
    await session.query("COMMIT");
  } catch (error) {
    await session.query("ROLLBACK");
    throw error;
  }
}

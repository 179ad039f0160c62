// The raw-query port beside the Prisma client (src/db/raw-query.ts): the debit goes to the driver
// directly on the gateway's own client, on PostgreSQL and PGlite alike, and what fails through it
// reads as Prisma's failures do, so that a unique key, an overflow and a database that is down are
// answered as they are through Prisma.
import pg from "pg";
import { describe, expect, it } from "vitest";
import { pgRawQuery, rawQueryOf } from "../../src/db/raw-query.ts";
import { isDatabaseUnavailable } from "../../src/db/database-unavailable.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { LEDGER_DEBIT } from "../../src/ledger/debit-batches.ts";
import { isUniqueViolation } from "../../src/ledger/idempotency.ts";
import { isNumericOutOfRange } from "../../src/ledger/transaction.ts";
import { useLedger } from "../support/ledger.ts";
import { countingSqlStatements } from "../support/sql-statements.ts";

const ledger = useLedger();

async function failure(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => expect.unreachable("the statement succeeded"),
    (error: unknown) => error,
  );
}

describe("the raw-query port", () => {
  it("carries the gateway's debit past Prisma's client, one statement reported as Prisma reports its own", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 100n);
    const sql = countingSqlStatements();
    let result;
    try {
      result = await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 30n, reference: "order-1" });
    } finally {
      sql.stop();
    }
    expect(sql.texts()).toEqual([LEDGER_DEBIT]);
    expect(result.balance?.available).toBe(70n);
    expect(result.entries.map((entry) => entry.amount)).toEqual([-30n]);
    expect(result.operation.reference).toBe("order-1");
  });

  it("gives rows alike from either database: jsonb as objects, bigint as BigInt", async () => {
    const rows = await rawQueryOf(ledger.db.prisma).rows<{ doc: unknown; big: unknown; small: unknown }>({
      name: "raw_query_test_rows",
      text: "SELECT $1::jsonb AS doc, $2::bigint AS big, $3::bigint AS small",
      values: [JSON.stringify({ a: [1, "two"] }), 9_007_199_254_740_993n, 14n],
    });
    // A bigint that would fit a number is a BigInt too: one type per column, whatever the value.
    expect(rows).toEqual([{ doc: { a: [1, "two"] }, big: 9_007_199_254_740_993n, small: 14n }]);
  });

  it("fails on a unique key as Prisma does, so that an idempotency race is read as one", async () => {
    const port = rawQueryOf(ledger.db.prisma);
    const insert = {
      name: "raw_query_test_tenant",
      text: "INSERT INTO tenant (id, slug, name) VALUES (gen_random_uuid(), $1, 'raw') RETURNING id",
      values: ["raw-query-unique"],
    };
    await port.rows(insert);
    const error = await failure(port.rows(insert));
    expect(isUniqueViolation(error, "tenant_slug_key")).toBe(true);
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it("fails on a figure past its column as Prisma does, so that it is refused as bad input", async () => {
    const error = await failure(
      rawQueryOf(ledger.db.prisma).rows({
        name: "raw_query_test_overflow",
        text: "SELECT $1::bigint + 1 AS sum",
        values: [9_223_372_036_854_775_807n],
      }),
    );
    expect(isNumericOutOfRange(error)).toBe(true);
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it("fails on a database it cannot reach as unavailable (a 503), not as a fault", async () => {
    const pool = new pg.Pool({ connectionString: "postgres://postgres@127.0.0.1:1/unreachable", max: 1 });
    try {
      const error = await failure(pgRawQuery(pool).rows({ name: "raw_query_test_unreachable", text: "SELECT 1", values: [] }));
      expect(isDatabaseUnavailable(error)).toBe(true);
    } finally {
      await pool.end();
    }
  });

  it("leaves a statement that is wrong as a fault, neither unavailable nor a refusal", async () => {
    const error = await failure(
      rawQueryOf(ledger.db.prisma).rows({ name: "raw_query_test_wrong", text: "SELECT no_such_column FROM tenant", values: [] }),
    );
    expect(isDatabaseUnavailable(error)).toBe(false);
    expect(isNumericOutOfRange(error)).toBe(false);
    expect(isUniqueViolation(error, "tenant_slug_key")).toBe(false);
  });
});

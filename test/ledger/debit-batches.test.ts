// Debits that arrive together go to the database in one statement and one commit
// (src/ledger/debit-batches.ts), each with the outcome it would have had alone; a batch the
// database refuses is sent again debit by debit, and one whose connection failed is not.
import { afterEach, describe, expect, it } from "vitest";
import { attachRawQuery, rawQueryOf, type RawQuery } from "../../src/db/raw-query.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import type { LedgerContext } from "../../src/ledger/context.ts";
import { DebitBatches, LEDGER_DEBIT, type DebitStatementOutcome } from "../../src/ledger/debit-batches.ts";
import { InsufficientCreditsError, NotFoundError } from "../../src/ledger/errors.ts";
import { useLedger } from "../support/ledger.ts";
import { countingSqlStatements } from "../support/sql-statements.ts";

const ledger = useLedger();
const LEDGER_DEBITS = "SELECT ledger_debits($1::jsonb) AS results";

/** The statements the batches sent, as told to metrics: the debits each carried, and how it ended. */
let statementsSent: [number, DebitStatementOutcome][] = [];

/** The fixture's context, its debits batched: one statement in flight, the others waiting to go together. */
function batching(maxSize = 16): LedgerContext {
  statementsSent = [];
  const told = (debits: number, outcome: DebitStatementOutcome) => statementsSent.push([debits, outcome]);
  return { ...ledger.ctx, debitBatches: new DebitBatches(ledger.db.prisma, { maxSize, maxInFlight: 1 }, told) };
}

/** Replaces the client's raw-query port for the test; the original is put back after it. */
let restorePort: (() => void) | null = null;
function interceptRawQuery(intercept: (original: RawQuery) => RawQuery): void {
  const original = rawQueryOf(ledger.db.prisma);
  attachRawQuery(ledger.db.prisma, intercept(original), "postgresql");
  restorePort = () => attachRawQuery(ledger.db.prisma, original, "postgresql");
}
afterEach(() => {
  restorePort?.();
  restorePort = null;
});

async function availableOf(walletId: string): Promise<bigint> {
  const wallet = await ledger.db.prisma.wallet.findUniqueOrThrow({ where: { id: walletId } });
  return wallet.balance;
}

describe("debits that arrive together", () => {
  it("go in one statement while another is at the database, each with its own outcome", async () => {
    const ctx = batching();
    const [first, second, poor] = [await ledger.newWallet(), await ledger.newWallet(), await ledger.newWallet()];
    await ledger.fund(first.id, 100n);
    await ledger.fund(second.id, 100n);
    await ledger.fund(poor.id, 5n);
    const sql = countingSqlStatements();
    let outcomes;
    try {
      outcomes = await Promise.allSettled([
        debit(ctx, { scope: ledger.scope, walletId: first.id, amount: 10n }),
        // These wait for the first and go together, in the order of their wallets' ids.
        debit(ctx, { scope: ledger.scope, walletId: second.id, amount: 20n, reference: "r-2" }),
        debit(ctx, { scope: ledger.scope, walletId: first.id, amount: 30n }),
        debit(ctx, { scope: ledger.scope, walletId: poor.id, amount: 6n }),
        debit(ctx, { scope: ledger.scope, walletId: crypto.randomUUID(), amount: 1n }),
        debit(ctx, { scope: ledger.scope, walletId: second.id, amount: 40n, idempotencyKey: "batched-key" }),
        debit(ctx, { scope: ledger.scope, walletId: second.id, amount: 40n, idempotencyKey: "batched-key" }),
      ]);
    } finally {
      sql.stop();
    }
    expect(sql.texts().filter((text) => text === LEDGER_DEBIT || text === LEDGER_DEBITS)).toEqual([LEDGER_DEBIT, LEDGER_DEBITS]);
    expect(statementsSent).toEqual([
      [1, "answered"],
      [6, "answered"],
    ]);

    const [a, b, c, d, e, f, g] = outcomes;
    expect(a).toMatchObject({ status: "fulfilled", value: { replayed: false, balance: { available: 90n } } });
    expect(b).toMatchObject({ status: "fulfilled", value: { operation: { reference: "r-2" } } });
    expect(c).toMatchObject({ status: "fulfilled", value: { entries: [{ amount: -30n }] } });
    expect(d).toMatchObject({ status: "rejected", reason: expect.any(InsufficientCreditsError) });
    expect(e).toMatchObject({ status: "rejected", reason: expect.any(NotFoundError) });
    // The second request with the key finds the first's operation, written earlier in the same batch.
    expect(f).toMatchObject({ status: "fulfilled", value: { replayed: false } });
    expect(g).toMatchObject({ status: "fulfilled", value: { replayed: true } });
    expect(f.status === "fulfilled" && g.status === "fulfilled" && g.value.operation.id === f.value.operation.id).toBe(true);

    expect(await availableOf(first.id)).toBe(60n);
    expect(await availableOf(second.id)).toBe(40n);
    expect(await availableOf(poor.id)).toBe(5n);
  });

  it("never carry more than DEBIT_BATCH_SIZE in one statement", async () => {
    const ctx = batching(3);
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 100n);
    const sql = countingSqlStatements();
    try {
      await Promise.all(Array.from({ length: 7 }, () => debit(ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n })));
    } finally {
      sql.stop();
    }
    // One alone, then the six that waited, three at a time.
    expect(sql.texts().filter((text) => text === LEDGER_DEBIT || text === LEDGER_DEBITS)).toEqual([
      LEDGER_DEBIT,
      LEDGER_DEBITS,
      LEDGER_DEBITS,
    ]);
    expect(await availableOf(wallet.id)).toBe(93n);
  });

  it("go again one by one when the database refuses their statement, each spent once", async () => {
    const ctx = batching();
    const wallets = [await ledger.newWallet(), await ledger.newWallet(), await ledger.newWallet()];
    for (const wallet of wallets) await ledger.fund(wallet.id, 100n);
    let refused = 0;
    interceptRawQuery((original) => ({
      rows: (statement) =>
        statement.name === "ledger_debits" && refused++ === 0
          ? // Fails in the database after the batch's debits ran: PostgreSQL rolls them back.
            original.rows({
              ...statement,
              name: "ledger_debits_then_fail",
              text: "SELECT results, 1 / (jsonb_array_length(results) - jsonb_array_length(results)) AS fails FROM ledger_debits($1::jsonb) AS results",
            })
          : original.rows(statement),
    }));
    const results = await Promise.all(
      wallets.flatMap((wallet) => [5n, 7n].map((amount) => debit(ctx, { scope: ledger.scope, walletId: wallet.id, amount }))),
    );
    expect(refused).toBe(1);
    expect(statementsSent).toEqual([
      [1, "answered"],
      [5, "refused"],
    ]);
    expect(results.every((result) => !result.replayed)).toBe(true);
    for (const wallet of wallets) expect(await availableOf(wallet.id)).toBe(88n);
  });

  it("fail, and are not sent again, when their connection fails: whether they committed is unknown", async () => {
    const ctx = batching();
    const [held, wallet] = [await ledger.newWallet(), await ledger.newWallet()];
    await ledger.fund(held.id, 100n);
    await ledger.fund(wallet.id, 100n);
    const connectionLost = Object.assign(new Error("Connection terminated unexpectedly"), {
      meta: { driverAdapterError: { cause: { kind: "ConnectionClosed" } } },
    });
    interceptRawQuery((original) => ({
      rows: (statement) => (statement.name === "ledger_debits" ? Promise.reject(connectionLost) : original.rows(statement)),
    }));
    const outcomes = await Promise.allSettled([
      debit(ctx, { scope: ledger.scope, walletId: held.id, amount: 1n }),
      debit(ctx, { scope: ledger.scope, walletId: wallet.id, amount: 2n }),
      debit(ctx, { scope: ledger.scope, walletId: wallet.id, amount: 3n }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "rejected"]);
    expect(statementsSent).toEqual([
      [1, "answered"],
      [2, "connection_failed"],
    ]);
    expect(await availableOf(wallet.id)).toBe(100n);
  });

  it("are not batched on a transaction's client, whose debits belong to its transaction", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 100n);
    const batches = new DebitBatches(ledger.db.prisma, { maxSize: 16, maxInFlight: 1 });
    const run = batches.run.bind(batches);
    let batched = 0;
    batches.run = (values) => {
      batched += 1;
      return run(values);
    };
    await expect(
      ledger.db.prisma.$transaction(async (tx) => {
        const inTransaction = { ...ledger.ctx, prisma: tx as unknown as typeof ledger.db.prisma, debitBatches: batches };
        await debit(inTransaction, { scope: ledger.scope, walletId: wallet.id, amount: 10n });
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(batched).toBe(0);
    expect(await availableOf(wallet.id)).toBe(100n);
  });
});

// A wallet with a long history, written through the ledger itself: three blocks and a hold by
// its commands, then debits of 1 through `ledger_debit`, the function every debit runs, a hundred
// per statement and stamped a millisecond apart in the past. For the benches that ask how balance
// reads and debits fare as a wallet's history grows.
import type { Database } from "../../../src/db/database.ts";
import { createWallet } from "../../../src/ledger/commands/create-wallet.ts";
import { deposit } from "../../../src/ledger/commands/deposit.ts";
import { holdCredits } from "../../../src/ledger/commands/hold.ts";
import type { LedgerContext, Scope } from "../../../src/ledger/context.ts";

// Each statement updates the wallet's row and a block's row once per debit, and those versions
// can only be pruned after it commits; and the foreign-key checks the database plans once per
// connection are planned for the tables as they were. So: small statements, and now and then
// what autovacuum does on a live server (it may be off on a test server), lest the seeding
// slow down as the tables grow.
const DEBITS_PER_STATEMENT = 100;
const STATEMENTS_PER_VACUUM = 100;
const PROGRESS_EVERY = 100_000;
const MINUTE = 60_000;

export interface HistoryToSeed {
  scope: Scope;
  /** The wallet's customer: one wallet per customer and currency. */
  externalId: string;
  entries: number;
  /** Told every 100,000 entries, with the seconds spent so far. */
  onProgress?: (entries: number, seconds: number) => void;
}

export interface SeededHistory {
  walletId: string;
  /** Halfway through the history, when the third block became effective. */
  middle: Date;
  /** How long the debits took. */
  seconds: number;
}

/**
 * A wallet whose history starts `entries` milliseconds (plus a margin) ago: three blocks and a
 * hold, then debits of 1 stamped a millisecond apart until it has `entries` entries.
 */
export async function seedHistory(db: Database, { scope, externalId, entries, onProgress }: HistoryToSeed): Promise<SeededHistory> {
  const start = Date.now() - entries - 10 * MINUTE;
  const middle = new Date(start + entries / 2);
  const past: LedgerContext = { prisma: db.prisma, now: () => new Date(start) };
  const { wallet } = await createWallet(past, { scope, customer: { externalId }, currency: "USD", overdraftLimit: 1_000n });
  await deposit(past, { scope, walletId: wallet.id, amount: 1_000_000_000_000n, category: "paid" });
  await deposit(past, { scope, walletId: wallet.id, amount: 500n, category: "promo", priority: 10 });
  await deposit(past, { scope, walletId: wallet.id, amount: 100n, category: "granted", effectiveAt: middle });
  await holdCredits(past, { scope, walletId: wallet.id, amount: 5n });
  const begun = performance.now();
  for (let written = 4, statements = 1; written < entries; written += DEBITS_PER_STATEMENT, statements += 1) {
    const count = Math.min(DEBITS_PER_STATEMENT, entries - written);
    if (statements % STATEMENTS_PER_VACUUM === 0)
      await db.prisma.$executeRawUnsafe("VACUUM ANALYZE wallet, credit_block, operation, ledger_entry");
    await db.prisma.$executeRaw`
      SELECT ledger_debit(${scope.tenantId}::uuid, ${scope.livemode}, ${wallet.id}::uuid, 1, NULL, NULL,
        ${new Date(start)}::timestamptz + make_interval(secs => (${written} + i) / 1000.0), NULL, 'bench', NULL, NULL, '{}'::jsonb)
      FROM generate_series(1, ${count}::int) AS i`;
    if (onProgress && entries >= PROGRESS_EVERY && (written + count) % PROGRESS_EVERY < DEBITS_PER_STATEMENT)
      onProgress(written + count, (performance.now() - begun) / 1000);
  }
  const seconds = (performance.now() - begun) / 1000;
  await db.prisma.$executeRawUnsafe("ANALYZE");
  return { walletId: wallet.id, middle, seconds };
}

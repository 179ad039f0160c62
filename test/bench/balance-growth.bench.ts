// Balance reads and debits as a wallet's history grows, on PostgreSQL: a wallet is given N
// entries through the ledger itself (its `ledger_debit` function, a hundred debits per
// statement), then balances now, balances at a past instant and debits are timed, with a full
// replay of the entries (what every balance read did before blocks kept their figures) for
// comparison. `npm run bench:balances` (BENCH_DATABASE_URL or TEST_DATABASE_URL; BENCH_ENTRIES,
// default "10,1000000"; BENCH_READS, default 200).
import pg from "pg";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { walletBalance } from "../../src/ledger/balances.ts";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { holdCredits } from "../../src/ledger/commands/hold.ts";
import { systemClock, type LedgerContext, type Scope } from "../../src/ledger/context.ts";
import { verifyLedger } from "../../src/ledger/verify.ts";
import { teamScope } from "../support/ledger.ts";

const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const sizes = (process.env.BENCH_ENTRIES ?? "10,1000000").split(",").map(Number);
const reads = Number(process.env.BENCH_READS ?? 200);
// Each statement updates the wallet's row and a block's row once per debit, and those versions
// can only be pruned after it commits; and the foreign-key checks the database plans once per
// connection are planned for the tables as they were. So: small statements, and now and then
// what autovacuum does on a live server (it may be off on a test server), lest the seeding
// slow down as the tables grow.
const DEBITS_PER_STATEMENT = 100;
const STATEMENTS_PER_VACUUM = 100;
const MINUTE = 60_000;

interface Timing {
  label: string;
  p50: number;
  p99: number;
  runs: number;
}

async function time(label: string, runs: number, work: () => Promise<unknown>): Promise<Timing> {
  for (let warmup = 0; warmup < Math.min(5, runs); warmup += 1) await work();
  const latencies: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const begun = performance.now();
    await work();
    latencies.push(performance.now() - begun);
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { label, p50: at(0.5), p99: at(0.99), runs };
}

/**
 * A wallet whose history starts `entries` milliseconds (plus a margin) ago: three blocks and a
 * hold, then debits of 1 stamped a millisecond apart until it has `entries` entries.
 */
async function seedWallet(db: Database, scope: Scope, entries: number): Promise<{ walletId: string; middle: Date; seconds: number }> {
  const start = Date.now() - entries - 10 * MINUTE;
  const past: LedgerContext = { prisma: db.prisma, now: () => new Date(start) };
  const { wallet } = await createWallet(past, { scope, customer: { externalId: `history-${entries}` }, currency: "USD", overdraftLimit: 1_000n });
  await deposit(past, { scope, walletId: wallet.id, amount: 1_000_000_000_000n, category: "paid" });
  await deposit(past, { scope, walletId: wallet.id, amount: 500n, category: "promo", priority: 10 });
  await deposit(past, { scope, walletId: wallet.id, amount: 100n, category: "granted", effectiveAt: new Date(start + entries / 2) });
  await holdCredits(past, { scope, walletId: wallet.id, amount: 5n });
  const begun = performance.now();
  for (let written = 4, statements = 1; written < entries; written += DEBITS_PER_STATEMENT, statements += 1) {
    const count = Math.min(DEBITS_PER_STATEMENT, entries - written);
    if (statements % STATEMENTS_PER_VACUUM === 0) await db.prisma.$executeRawUnsafe("VACUUM ANALYZE wallet, credit_block, operation, ledger_entry");
    await db.prisma.$executeRaw`
      SELECT ledger_debit(${scope.tenantId}::uuid, ${scope.livemode}, ${wallet.id}::uuid, 1, NULL,
        ${new Date(start)}::timestamptz + make_interval(secs => (${written} + i) / 1000.0), NULL, 'bench', NULL, NULL, '{}'::jsonb)
      FROM generate_series(1, ${count}::int) AS i`;
    if (entries >= 100_000 && (written + count) % 100_000 < DEBITS_PER_STATEMENT) {
      console.log(`  … ${written + count} entries, ${((performance.now() - begun) / 1000).toFixed(0)} s`);
    }
  }
  const seconds = (performance.now() - begun) / 1000;
  await db.prisma.$executeRawUnsafe("ANALYZE");
  return { walletId: wallet.id, middle: new Date(start + entries / 2), seconds };
}

/** What a balance read ran before blocks kept their figures: a sum over every entry of the wallet. */
function fullReplay(db: Database, walletId: string, at: Date) {
  return db.prisma.$queryRaw`
    SELECT wallet_id::text, block_id::text,
      COALESCE(SUM(amount), 0)::bigint AS net,
      COALESCE(SUM(amount) FILTER (WHERE type IN ('decrement', 'capture')), 0)::bigint AS spent,
      COALESCE(SUM(amount) FILTER (WHERE type = 'refund'), 0)::bigint AS refunded,
      COALESCE(SUM(amount) FILTER (WHERE type IN ('hold', 'hold_release')), 0)::bigint AS held
    FROM ledger_entry
    WHERE wallet_id = ANY(${[walletId]}::uuid[]) AND created_at <= ${at}
    GROUP BY wallet_id, block_id`;
}

async function bench(url: string): Promise<void> {
  const db = await openDatabase({ databaseUrl: url, poolSize: 4 });
  try {
    const ctx: LedgerContext = { prisma: db.prisma, now: systemClock };
    const tenant = await db.prisma.tenant.create({ data: { slug: "bench", name: "Bench" } });
    const scope = teamScope(tenant.id, true);
    for (const entries of sizes) {
      const { walletId, middle, seconds } = await seedWallet(db, scope, entries);
      const stored = await db.prisma.wallet.findUniqueOrThrow({ where: { id: walletId } });
      const timings = [
        await time("balance now", reads, () => walletBalance(ctx, scope, walletId)),
        await time("balance at a past instant", reads, () => walletBalance(ctx, scope, walletId, middle)),
        await time("debit", reads, () => debit(ctx, { scope, walletId, amount: 1n })),
        await time("full replay of the entries (before)", Math.max(5, Math.min(reads, 20_000_000 / Math.max(entries, 1))), () => fullReplay(db, walletId, new Date())),
      ];
      console.log(`\n${stored.lastSequence} entries (seeded in ${seconds.toFixed(1)} s through ledger_debit)`);
      for (const timing of timings) {
        console.log(`  ${timing.label.padEnd(38)} p50 ${timing.p50.toFixed(2).padStart(8)} ms   p99 ${timing.p99.toFixed(2).padStart(8)} ms   (${timing.runs} runs)`);
      }
    }
    const violations = await verifyLedger(db.prisma);
    if (violations.length > 0) throw new Error(`ledger inconsistent after the benchmark: ${violations.length} violation(s), e.g. ${violations[0]!.invariant}`);
    console.log("\nverifyLedger: every invariant holds");
  } finally {
    await db.close();
  }
}

const name = `bg_balance_bench_${process.pid}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
try {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  console.log(`Balance reads and debits by history size on ${url.host}`);
  await bench(url.toString());
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

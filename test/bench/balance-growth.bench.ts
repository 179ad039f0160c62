// Balance reads and debits as a wallet's history grows, on PostgreSQL: a wallet is given N
// entries through the ledger itself (its `ledger_debit` function, a hundred debits per
// statement), then balances now, balances at a past instant and debits are timed, with a full
// replay of the entries (what every balance read did before blocks kept their figures) for
// comparison. `npm run bench:balances` (BENCH_DATABASE_URL or TEST_DATABASE_URL; BENCH_ENTRIES,
// default "10,1000000"; BENCH_READS, default 200).
import pg from "pg";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { walletBalance } from "../../src/ledger/balances.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { systemClock, type LedgerContext } from "../../src/ledger/context.ts";
import { verifyLedger } from "../../src/ledger/verify.ts";
import { teamScope } from "../support/ledger.ts";
import { seedHistory } from "./support/seed-history.ts";

const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const sizes = (process.env.BENCH_ENTRIES ?? "10,1000000").split(",").map(Number);
const reads = Number(process.env.BENCH_READS ?? 200);

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
      const { walletId, middle, seconds } = await seedHistory(db, {
        scope,
        externalId: `history-${entries}`,
        entries,
        onProgress: (written, elapsed) => console.log(`  … ${written} entries, ${elapsed.toFixed(0)} s`),
      });
      const stored = await db.prisma.wallet.findUniqueOrThrow({ where: { id: walletId } });
      const timings = [
        await time("balance now", reads, () => walletBalance(ctx, scope, walletId)),
        await time("balance at a past instant", reads, () => walletBalance(ctx, scope, walletId, middle)),
        await time("debit", reads, () => debit(ctx, { scope, walletId, amount: 1n })),
        await time("full replay of the entries (before)", Math.max(5, Math.min(reads, 20_000_000 / Math.max(entries, 1))), () =>
          fullReplay(db, walletId, new Date()),
        ),
      ];
      console.log(`\n${stored.lastSequence} entries (seeded in ${seconds.toFixed(1)} s through ledger_debit)`);
      for (const timing of timings) {
        console.log(
          `  ${timing.label.padEnd(38)} p50 ${timing.p50.toFixed(2).padStart(8)} ms   p99 ${timing.p99.toFixed(2).padStart(8)} ms   (${timing.runs} runs)`,
        );
      }
    }
    const violations = await verifyLedger(db.prisma);
    if (violations.length > 0)
      throw new Error(`ledger inconsistent after the benchmark: ${violations.length} violation(s), e.g. ${violations[0]!.invariant}`);
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

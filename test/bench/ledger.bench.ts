// Debit throughput of the ledger domain module alone on PostgreSQL: 8 concurrent workers on
// distinct wallets, then on one hot wallet, next to pgbench's TPC-B on the same server in the
// same run. `npm run bench:ledger` (BENCH_DATABASE_URL, BENCH_SECONDS, BENCH_WORKERS to adjust).
import { execFileSync } from "node:child_process";
import pg from "pg";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { systemClock, type LedgerContext, type Scope } from "../../src/ledger/context.ts";
import { verifyLedger } from "../../src/ledger/verify.ts";
import { teamScope } from "../support/ledger.ts";

const serverUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const workers = Number(process.env.BENCH_WORKERS ?? 8);

function databaseUrl(name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withScratchDatabase<T>(name: string, use: (url: string) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    return await use(databaseUrl(name));
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

interface Run {
  label: string;
  ops: number;
  opsPerSecond: number;
  p50: number;
  p99: number;
}

/** Each worker debits 1 unit in a loop for `seconds`; worker i uses walletIds[i % length]. */
async function runDebits(ctx: LedgerContext, scope: Scope, label: string, walletIds: string[]): Promise<Run> {
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      const walletId = walletIds[worker % walletIds.length]!;
      while (performance.now() < deadline) {
        const begun = performance.now();
        await debit(ctx, { scope, walletId, amount: 1n });
        latencies.push(performance.now() - begun);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { label, ops: latencies.length, opsPerSecond: latencies.length / elapsed, p50: at(0.5), p99: at(0.99) };
}

async function benchLedger(url: string): Promise<Run[]> {
  const db: Database = await openDatabase({ databaseUrl: url, poolSize: workers + 2 });
  try {
    const ctx: LedgerContext = { prisma: db.prisma, now: systemClock };
    const tenant = await db.prisma.tenant.create({ data: { slug: "bench", name: "Bench" } });
    const scope = teamScope(tenant.id, true);
    const walletIds: string[] = [];
    for (let index = 0; index < 64; index += 1) {
      const { wallet } = await createWallet(ctx, { scope, customer: { externalId: `bench-${index}` }, currency: "USD" });
      await deposit(ctx, { scope, walletId: wallet.id, amount: 1_000_000_000n, category: "paid" });
      walletIds.push(wallet.id);
    }
    const runs = [
      await runDebits(ctx, scope, `${workers} workers, distinct wallets`, walletIds),
      await runDebits(ctx, scope, `${workers} workers, one hot wallet`, walletIds.slice(0, 1)),
    ];
    const violations = await verifyLedger(db.prisma);
    if (violations.length > 0) throw new Error(`ledger inconsistent after the benchmark: ${violations.length} violation(s)`);
    return runs;
  } finally {
    await db.close();
  }
}

function benchPgbench(url: string): string {
  try {
    execFileSync("pgbench", ["-i", "-q", "-s", "1", url], { stdio: "pipe" });
    const output = execFileSync("pgbench", ["-c", String(workers), "-j", "2", "-T", String(seconds), url], {
      encoding: "utf8",
      stdio: "pipe",
    });
    const tps = /tps = ([\d.]+)/.exec(output)?.[1];
    return tps ? `${Number(tps).toFixed(0)} tps` : "no tps in pgbench's output";
  } catch (error) {
    return `not run (${(error as Error).message.split("\n")[0]})`;
  }
}

const ledgerRuns = await withScratchDatabase(`bg_bench_${process.pid}`, benchLedger);
const pgbench = await withScratchDatabase(`bg_pgbench_${process.pid}`, async (url) => benchPgbench(url));

console.log(`\nLedger debit throughput on ${new URL(serverUrl).host}, ${seconds}s per run`);
for (const run of ledgerRuns) {
  console.log(
    `  ${run.label.padEnd(32)} ${run.opsPerSecond.toFixed(0).padStart(6)} debits/s  (${run.ops} debits, p50 ${run.p50.toFixed(1)} ms, p99 ${run.p99.toFixed(1)} ms)`,
  );
}
console.log(`  ${"pgbench TPC-B, same clients".padEnd(32)} ${pgbench}`);

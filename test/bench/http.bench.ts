// The gateway's speed as a client sees it: the real server, driven over HTTP with autocannon,
// against PostgreSQL, next to pgbench's TPC-B-like script on the same server in the same run
// (before and after), each figure also given as a share of pgbench's tps.
//
// `npm run bench` (BENCH_DATABASE_URL, BENCH_SECONDS per scenario, BENCH_CONNECTIONS to adjust).
// Writes bench/results/latest.json; commit a representative run under its own name.
import autocannon from "autocannon";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { issueToken } from "../../src/auth/tokens.ts";
import { openDatabase } from "../../src/db/database.ts";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { ensureCustomerWallet } from "../../src/ledger/commands/ensure-customer-wallet.ts";
import { systemClock, type LedgerContext } from "../../src/ledger/context.ts";
import { verifyLedger } from "../../src/ledger/verify.ts";
import { teamScope } from "../support/ledger.ts";

const serverUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const WALLETS = 64;
const root = path.resolve(import.meta.dirname, "../..");

interface Figure {
  scenario: string;
  requestsPerSecond: number;
  shareOfPgbench?: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

function databaseUrl(name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function recreateDatabase(name: string): Promise<string> {
  await admin(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  });
  return databaseUrl(name);
}

/** pgbench's built-in TPC-B-like script, 8 clients at scale 10, on its own database of the same server. */
function pgbench(url: string): number {
  const { hostname, port, username } = new URL(url);
  const database = new URL(url).pathname.slice(1);
  const connection = ["-h", hostname, "-p", port || "5432", "-U", username || "postgres"];
  const output = execFileSync("pgbench", [...connection, "-n", "-c", "8", "-j", "2", "-T", String(seconds), database], { encoding: "utf8" });
  const tps = /tps = ([\d.]+)/.exec(output);
  if (!tps) throw new Error(`pgbench printed no tps:\n${output}`);
  return Number(tps[1]);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** Starts `src/server.ts` on the database; resolves once it answers /healthz. */
async function startGateway(url: string): Promise<{ base: string; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
    cwd: root,
    // One token drives the whole load: the per-token rate limit would measure itself.
    env: { ...process.env, DATABASE_URL: url, PORT: String(port), EXPIRY_SWEEP_SECONDS: "0", NODE_ENV: "production", LOG_LEVEL: "warn", RATE_LIMIT_PER_SECOND: "0" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`the gateway exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { base, process: child };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the gateway did not start within 30 s");
}

async function stopGateway(gateway: { process: ChildProcess }): Promise<void> {
  const exited = new Promise((resolve) => gateway.process.once("exit", resolve));
  gateway.process.kill("SIGTERM");
  await exited;
}

interface Load {
  base: string;
  path: string;
  token: string;
  /** A fresh body per request, e.g. to rotate wallets or make unique transaction ids. */
  body: () => string;
}

async function drive(scenario: string, loads: Load[]): Promise<Figure> {
  const results = await Promise.all(
    loads.map((load) =>
      autocannon({
        url: `${load.base}${load.path}`,
        connections: Math.max(1, Math.round(connections / loads.length)),
        duration: seconds,
        requests: [
          {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${load.token}` },
            setupRequest: (request) => ({ ...request, body: load.body() }),
          },
        ],
      }),
    ),
  );
  const figure: Figure = {
    scenario,
    requestsPerSecond: Math.round(results.reduce((sum, result) => sum + result.requests.average, 0)),
    // Latencies of the first load stand for all (the loads are alike).
    p50Ms: results[0]!.latency.p50,
    p99Ms: results[0]!.latency.p99,
    errors: results.reduce((sum, result) => sum + result.errors + result.timeouts, 0),
    non2xx: results.reduce((sum, result) => sum + result.non2xx, 0),
  };
  console.log(`${scenario.padEnd(44)} ${String(figure.requestsPerSecond).padStart(6)} req/s  p50 ${figure.p50Ms} ms  p99 ${figure.p99Ms} ms  errors ${figure.errors + figure.non2xx}`);
  return figure;
}

function graphql(query: string, variables: () => Record<string, unknown>): () => string {
  return () => JSON.stringify({ query, variables: variables() });
}

function toGlobalId(type: string, id: string): string {
  return Buffer.from(`${type}:${id}`).toString("base64");
}

async function seed(ctx: LedgerContext, tenantSlug: string) {
  const scope = teamScope((await ctx.prisma.tenant.upsert({ where: { slug: tenantSlug }, create: { slug: tenantSlug, name: tenantSlug }, update: {} })).id, true);
  const wallets: string[] = [];
  for (let index = 0; index < WALLETS; index += 1) {
    const { wallet } = await createWallet(ctx, { scope, customer: { externalId: `customer-${index}` }, currency: "USD" });
    await deposit(ctx, { scope, walletId: wallet.id, amount: 1_000_000_000_000n, category: "paid" });
    // Ten entries each, for the page of wallets with their latest entries.
    for (let entry = 0; entry < 9; entry += 1) await debit(ctx, { scope, walletId: wallet.id, amount: 1n });
    wallets.push(wallet.id);
  }
  const restWallet = await ensureCustomerWallet(ctx, { scope, customer: { externalId: "rest-customer" }, customUnit: { code: "CREDITS", scale: 0 } });
  await deposit(ctx, { scope, walletId: restWallet.id, amount: 1_000_000_000_000n });
  return { wallets };
}

const DEBIT = `mutation($input: DebitInput!) { debit(input: $input) { __typename ... on DebitPayload { wallet { balance { available } } } ... on Error { code } } }`;
const BALANCE = `query($id: ID!) { wallet(id: $id) { balance { total used frozen available } } }`;
const PAGE = `{ wallets(first: 50) { edges { node { id currency balance { total used frozen available }
  ledgerEntries(first: 10) { edges { node { sequence type amount endingBalance createdAt } } } } } } }`;

async function main() {
  const pgbenchUrl = await recreateDatabase("bg_bench_pgbench");
  const { hostname, port } = new URL(pgbenchUrl);
  execFileSync("pgbench", ["-h", hostname, "-p", port || "5432", "-U", "postgres", "-i", "-q", "-s", "10", "bg_bench_pgbench"], { stdio: "ignore" });
  const url = await recreateDatabase("bg_bench_http");
  const db = await openDatabase({ databaseUrl: url, poolSize: 4 });
  const ctx: LedgerContext = { prisma: db.prisma, now: systemClock };
  const token = await issueToken(db.prisma, { tenantSlug: "bench", test: false });
  const { wallets } = await seed(ctx, "bench");
  const walletIds = wallets.map((id) => toGlobalId("Wallet", id));
  let next = 0;
  const rotating = () => walletIds[next++ % walletIds.length]!;
  let transaction = 0;

  console.log(`pgbench TPC-B-like, 8 clients, scale 10, ${seconds} s per figure; gateway load: ${connections} connections`);
  const pgbenchBefore = pgbench(pgbenchUrl);
  console.log(`${"pgbench before".padEnd(44)} ${String(Math.round(pgbenchBefore)).padStart(6)} tps`);

  const one = await startGateway(url);
  const figures: Figure[] = [];
  const amount = "1";
  figures.push(await drive("GraphQL debit, 64 wallets", [{ base: one.base, path: "/graphql", token, body: graphql(DEBIT, () => ({ input: { walletId: rotating(), amount } })) }]));
  figures.push(await drive("GraphQL debit, one hot wallet", [{ base: one.base, path: "/graphql", token, body: graphql(DEBIT, () => ({ input: { walletId: walletIds[0], amount } })) }]));
  figures.push(
    await drive("REST deduct (customer deposit API)", [
      { base: one.base, path: "/v1/billing/deduct", token, body: () => JSON.stringify({ customer_id: "rest-customer", amount: 1, transaction_id: `bench-${process.pid}-${transaction++}` }) },
    ]),
  );
  figures.push(await drive("GraphQL wallet balance read", [{ base: one.base, path: "/graphql", token, body: graphql(BALANCE, () => ({ id: rotating() })) }]));
  figures.push(await drive("GraphQL page: 50 wallets x 10 entries", [{ base: one.base, path: "/graphql", token, body: graphql(PAGE, () => ({})) }]));
  await stopGateway(one);

  const [first, second] = await Promise.all([startGateway(url), startGateway(url)]);
  const twoProcesses = await drive("GraphQL debit, 64 wallets, two processes", [
    { base: first!.base, path: "/graphql", token, body: graphql(DEBIT, () => ({ input: { walletId: rotating(), amount } })) },
    { base: second!.base, path: "/graphql", token, body: graphql(DEBIT, () => ({ input: { walletId: rotating(), amount } })) },
  ]);
  figures.push(twoProcesses);
  await Promise.all([stopGateway(first!), stopGateway(second!)]);

  const pgbenchAfter = pgbench(pgbenchUrl);
  console.log(`${"pgbench after".padEnd(44)} ${String(Math.round(pgbenchAfter)).padStart(6)} tps`);
  const violations = await verifyLedger(db.prisma);
  const pgbenchTps = (pgbenchBefore + pgbenchAfter) / 2;
  for (const figure of figures) figure.shareOfPgbench = Math.round((figure.requestsPerSecond / pgbenchTps) * 1000) / 1000;
  const scaling = twoProcesses.requestsPerSecond / figures[0]!.requestsPerSecond;

  console.log("\nshare of pgbench (mean of before and after):");
  for (const figure of figures) console.log(`  ${figure.scenario.padEnd(44)} ${(figure.shareOfPgbench! * 100).toFixed(1)}%`);
  console.log(`  two processes / one process: ${scaling.toFixed(2)}x`);
  console.log(`verify after the run: ${violations.length === 0 ? "clean" : `${violations.length} violation(s)`}`);

  const result = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}` },
    settings: { seconds, connections, wallets: WALLETS },
    pgbench: { before: pgbenchBefore, after: pgbenchAfter },
    figures,
    twoProcessScaling: Math.round(scaling * 100) / 100,
    verify: violations,
  };
  mkdirSync(path.join(root, "bench/results"), { recursive: true });
  writeFileSync(path.join(root, "bench/results/latest.json"), `${JSON.stringify(result, null, 2)}\n`);
  await db.close();
  await admin(async (client) => {
    await client.query("DROP DATABASE IF EXISTS bg_bench_http WITH (FORCE)");
    await client.query("DROP DATABASE IF EXISTS bg_bench_pgbench WITH (FORCE)");
  });
  if (violations.length > 0) process.exitCode = 1;
}

await main();

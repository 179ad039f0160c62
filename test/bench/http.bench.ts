// The gateway's speed as a client sees it: the real server, driven over HTTP with autocannon,
// against PostgreSQL, next to pgbench's TPC-B-like script on the same server in the same run
// (before and after), each figure also given as a share of pgbench's tps; then balance reads and
// debits one at a time on a wallet of 10 entries and on one of 1,000,000, whose latencies should
// not grow with the history (their ratio is held to GROWTH_TARGET). Each step is timed and the
// steps are listed at the end, with the run's total.
//
// CPU is counted per request too (Linux): the gateway's milliseconds per request and PostgreSQL's,
// and for the debit scenarios PostgreSQL's CPU per debit as a multiple of its CPU per pgbench
// transaction, measured in the same run: what a debit costs the database next to TPC-B's five
// statements, whatever the machine.
//
// `npm run bench` (BENCH_DATABASE_URL, BENCH_SECONDS per scenario, BENCH_CONNECTIONS;
// BENCH_GROWTH_ENTRIES, BENCH_GROWTH_SECONDS per request type, BENCH_RESEED=1 to seed the long
// history afresh rather than clone the template kept from an earlier run: history-template.ts;
// BENCH_CPU_PROFILE_DIR to keep each gateway's CPU profile, for `node --cpu-prof`'s viewers).
// Writes bench/results/latest.json; commit a representative run under its own name.
import autocannon from "autocannon";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
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
import { cpuMeter, postgresPids } from "./support/cpu.ts";
import { cloneHistories, type ClonedHistories } from "./support/history-template.ts";
import { takeTurns } from "./support/take-turns.ts";
import { freePort } from "../support/free-port.ts";

const serverUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const WALLETS = 64;
const WARM_UP_SECONDS = 3;
const growthSizes = [10, Number(process.env.BENCH_GROWTH_ENTRIES ?? 1_000_000)];
const growthSeconds = Number(process.env.BENCH_GROWTH_SECONDS ?? 10);
/** How much slower a balance read or a debit may be on the long history than on the short one. */
const GROWTH_TARGET = 1.5;
const root = path.resolve(import.meta.dirname, "../..");

interface Figure {
  scenario: string;
  requestsPerSecond: number;
  shareOfPgbench?: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  /** Cores kept busy meanwhile by the gateway process(es) and by PostgreSQL (Linux only). */
  gatewayCores?: number | null;
  databaseCores?: number | null;
  /** CPU milliseconds per request answered, of the gateway process(es) and of PostgreSQL. */
  gatewayCpuMsPerRequest?: number | null;
  databaseCpuMsPerRequest?: number | null;
  /** Debit scenarios: PostgreSQL's CPU per debit over its CPU per pgbench transaction (the mean of before and after). */
  databaseCpuPerPgbenchTransaction?: number | null;
}

/** A pgbench run: its throughput and what each transaction cost PostgreSQL in CPU. */
interface PgbenchFigure {
  tps: number;
  databaseCores: number | null;
  databaseCpuMsPerTransaction: number | null;
}

interface GrowthFigure {
  request: string;
  entries: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
}

interface Phase {
  phase: string;
  seconds: number;
}

const phases: Phase[] = [];

/** Runs a step of the bench, noting how long it took for the table at the end. */
async function timed<T>(phase: string, work: () => Promise<T>): Promise<T> {
  const begun = performance.now();
  try {
    return await work();
  } finally {
    phases.push({ phase, seconds: Math.round((performance.now() - begun) / 100) / 10 });
  }
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

/**
 * pgbench's built-in TPC-B-like script, 8 clients at scale 10, on its own database of the same
 * server, with the CPU PostgreSQL spent meanwhile (pgbench's own process is not PostgreSQL's).
 */
function pgbench(url: string): PgbenchFigure {
  const { hostname, port, username } = new URL(url);
  const database = new URL(url).pathname.slice(1);
  const connection = ["-h", hostname, "-p", port || "5432", "-U", username || "postgres"];
  const databaseCpu = cpuMeter(postgresPids);
  const output = execFileSync("pgbench", [...connection, "-n", "-c", "8", "-j", "2", "-T", String(seconds), database], {
    encoding: "utf8",
  });
  const databaseCores = databaseCpu();
  const tps = /tps = ([\d.]+)/.exec(output);
  if (!tps) throw new Error(`pgbench printed no tps:\n${output}`);
  return { tps: Number(tps[1]), databaseCores, databaseCpuMsPerTransaction: cpuMsPer(databaseCores, Number(tps[1])) };
}

/** CPU milliseconds per unit of work, from the cores kept busy and the units done per second. */
function cpuMsPer(cores: number | null | undefined, perSecond: number): number | null {
  if (cores == null || perSecond <= 0) return null;
  return Math.round((cores / perSecond) * 1000 * 1000) / 1000;
}

/** Each running gateway's process id, by its base URL, to count the CPU it uses. */
const gatewayPids = new Map<string, number>();

/** What `npm start` gives node (package.json), so that the bench runs the gateway as it is run. */
function startArguments(): string[] {
  const { scripts } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: { start: string } };
  const words = scripts.start.split(/\s+/);
  return words.slice(words.indexOf("node") + 1);
}

/** Starts `src/server.ts` on the database, as `npm start` does; resolves once it answers /healthz. */
async function startGateway(url: string): Promise<{ base: string; process: ChildProcess }> {
  const port = await freePort();
  // BENCH_CPU_PROFILE_DIR: each gateway writes a V8 CPU profile there when it stops (node --cpu-prof).
  const profile = process.env.BENCH_CPU_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, ...startArguments()], {
    cwd: root,
    // One token drives the whole load: the per-token rate limit would measure itself.
    env: {
      ...process.env,
      DATABASE_URL: url,
      PORT: String(port),
      EXPIRY_SWEEP_SECONDS: "0",
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      RATE_LIMIT_PER_SECOND: "0",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  gatewayPids.set(base, child.pid!);
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

/**
 * A freshly started gateway compiles its code paths and opens its pool on the first requests:
 * a few seconds of the same load, not measured, so the figures are of a running gateway.
 */
async function warmUp(loads: Load[]): Promise<void> {
  await timed("warm-up (not measured)", () =>
    Promise.all(
      loads.map((load) =>
        autocannon({
          url: `${load.base}${load.path}`,
          connections: Math.max(1, Math.round(connections / loads.length)),
          duration: WARM_UP_SECONDS,
          requests: [
            {
              method: "POST",
              headers: { "content-type": "application/json", authorization: `Bearer ${load.token}` },
              setupRequest: (request) => ({ ...request, body: load.body() }),
            },
          ],
        }),
      ),
    ),
  );
}

/** The scenarios whose requests are debits: their database CPU is set beside pgbench's. */
const debitScenarios = new Set<string>();

function drive(scenario: string, loads: Load[], what: "debits" | "reads" = "reads"): Promise<Figure> {
  if (what === "debits") debitScenarios.add(scenario);
  return timed(scenario, () => measureLoad(scenario, loads));
}

function mean(values: (number | null)[]): number | null {
  const known = values.filter((value): value is number => value != null);
  return known.length === 0 ? null : known.reduce((sum, value) => sum + value, 0) / known.length;
}

async function measureLoad(scenario: string, loads: Load[]): Promise<Figure> {
  // Backends that come and go meanwhile are counted in the postmaster's reaped children.
  const gatewayCpu = cpuMeter(() => [...new Set(loads.map((load) => gatewayPids.get(load.base)!))]);
  const databaseCpu = cpuMeter(postgresPids);
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
    gatewayCores: gatewayCpu(),
    databaseCores: databaseCpu(),
  };
  figure.gatewayCpuMsPerRequest = cpuMsPer(figure.gatewayCores, figure.requestsPerSecond);
  figure.databaseCpuMsPerRequest = cpuMsPer(figure.databaseCores, figure.requestsPerSecond);
  console.log(
    `${scenario.padEnd(44)} ${String(figure.requestsPerSecond).padStart(6)} req/s  p50 ${figure.p50Ms} ms  p99 ${figure.p99Ms} ms  errors ${figure.errors + figure.non2xx}  CPU: gateway ${figure.gatewayCores ?? "?"}, PostgreSQL ${figure.databaseCores ?? "?"} cores; ms/request: gateway ${figure.gatewayCpuMsPerRequest ?? "?"}, PostgreSQL ${figure.databaseCpuMsPerRequest ?? "?"}`,
  );
  return figure;
}

function graphql(query: string, variables: () => Record<string, unknown>): () => string {
  return () => JSON.stringify({ query, variables: variables() });
}

function toGlobalId(type: string, id: string): string {
  return Buffer.from(`${type}:${id}`).toString("base64");
}

async function seed(ctx: LedgerContext, tenantSlug: string) {
  const scope = teamScope(
    (await ctx.prisma.tenant.upsert({ where: { slug: tenantSlug }, create: { slug: tenantSlug, name: tenantSlug }, update: {} })).id,
    true,
  );
  const wallets: string[] = [];
  for (let index = 0; index < WALLETS; index += 1) {
    const { wallet } = await createWallet(ctx, { scope, customer: { externalId: `customer-${index}` }, currency: "USD" });
    await deposit(ctx, { scope, walletId: wallet.id, amount: 1_000_000_000_000n, category: "paid" });
    // Ten entries each, for the page of wallets with their latest entries.
    for (let entry = 0; entry < 9; entry += 1) await debit(ctx, { scope, walletId: wallet.id, amount: 1n });
    wallets.push(wallet.id);
  }
  // The customer deposit API's customers: "rest-customer", one hot wallet, and as many more as there are wallets.
  const restCustomers = ["rest-customer", ...Array.from({ length: WALLETS }, (_, index) => `rest-customer-${index}`)];
  for (const externalId of restCustomers) {
    const restWallet = await ensureCustomerWallet(ctx, { scope, customer: { externalId }, customUnit: { code: "CREDITS", scale: 0 } });
    await deposit(ctx, { scope, walletId: restWallet.id, amount: 1_000_000_000_000n });
  }
  return { wallets };
}

const DEBIT = `mutation($input: DebitInput!) { debit(input: $input) { __typename ... on DebitPayload { wallet { balance { available } } } ... on Error { code } } }`;
const BALANCE = `query($id: ID!) { wallet(id: $id) { balance { total used frozen available } } }`;
const PREVIEW = `query($input: PreviewDebitInput!) { previewDebit(input: $input) { __typename
  ... on DebitPreview { allowed allocations { amount } balanceAfter { available } autoTopUp { wouldTrigger } } ... on Error { code } } }`;
const PAGE = `{ wallets(first: 50) { edges { node { id currency balance { total used frozen available }
  ledgerEntries(first: 10) { edges { node { sequence type amount endingBalance createdAt } } } } } } }`;

interface GraphqlAnswer {
  data?: { wallet?: { balance?: unknown } | null; debit?: { __typename?: string }; previewDebit?: { __typename?: string } };
}

/**
 * Balance reads, debit previews, then debits of 1, one request at a time on each wallet in turn: `growthSeconds`
 * per request type. The debits lengthen both histories by as many entries as they make.
 */
async function growth(base: string, token: string, wallets: ClonedHistories["wallets"]): Promise<GrowthFigure[]> {
  const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
  const requests = [
    {
      request: "balance read",
      body: (id: string) => JSON.stringify({ query: BALANCE, variables: { id } }),
      succeeded: (answer: GraphqlAnswer) => answer.data?.wallet?.balance != null,
    },
    {
      request: "previewDebit",
      body: (id: string) => JSON.stringify({ query: PREVIEW, variables: { input: { walletId: id, amount: "1" } } }),
      succeeded: (answer: GraphqlAnswer) => answer.data?.previewDebit?.__typename === "DebitPreview",
    },
    {
      request: "debit",
      body: (id: string) => JSON.stringify({ query: DEBIT, variables: { input: { walletId: id, amount: "1" } } }),
      succeeded: (answer: GraphqlAnswer) => answer.data?.debit?.__typename === "DebitPayload",
    },
  ];
  const figures: GrowthFigure[] = [];
  for (const { request, body, succeeded } of requests) {
    const latencies = await timed(`growth: ${request}s, one at a time`, () =>
      takeTurns(
        wallets.map(({ walletId }) => ({
          url: `${base}/graphql`,
          headers,
          body: () => body(toGlobalId("Wallet", walletId)),
          succeeded: (answer) => succeeded(answer as GraphqlAnswer),
        })),
        growthSeconds,
      ),
    );
    for (const [index, { entries }] of wallets.entries()) {
      const figure: GrowthFigure = { request, entries, ...latencies[index]! };
      console.log(
        `${`growth: ${request}, ${entries} entries`.padEnd(44)} p50 ${figure.p50Ms} ms  p99 ${figure.p99Ms} ms  errors ${figure.errors}`,
      );
      figures.push(figure);
    }
  }
  return figures;
}

/** Each request type's latencies on the longest history over those on the shortest. */
function growthRatios(figures: GrowthFigure[]) {
  const longest = Math.max(...figures.map((figure) => figure.entries));
  const shortest = Math.min(...figures.map((figure) => figure.entries));
  return [...new Set(figures.map((figure) => figure.request))].map((request) => {
    const on = (entries: number) => figures.find((figure) => figure.request === request && figure.entries === entries)!;
    const ratio = (of: "p50Ms" | "p99Ms") => Math.round((on(longest)[of] / on(shortest)[of]) * 100) / 100;
    const p50 = ratio("p50Ms");
    const p99 = ratio("p99Ms");
    return { request, of: `${longest}/${shortest}`, p50, p99, withinTarget: p50 <= GROWTH_TARGET && p99 <= GROWTH_TARGET };
  });
}

async function main() {
  const histories = await timed(`growth: ${growthSizes.join(" and ")} entries, template`, () =>
    cloneHistories({
      serverUrl,
      clone: "bg_bench_growth",
      tenantSlug: "bench",
      sizes: growthSizes,
      reseed: process.env.BENCH_RESEED === "1",
    }),
  );
  const seededWhen = histories.reused
    ? `cloned from ${histories.template}, seeded ${histories.seededAt}`
    : `seeded now into ${histories.template}`;
  console.log(
    `growth wallets ${seededWhen}: ${histories.wallets.map((wallet) => `${wallet.entries} entries in ${wallet.seedSeconds} s`).join(", ")}`,
  );

  const pgbenchUrl = await timed("pgbench: initialise, scale 10", async () => {
    const created = await recreateDatabase("bg_bench_pgbench");
    const { hostname, port } = new URL(created);
    execFileSync("pgbench", ["-h", hostname, "-p", port || "5432", "-U", "postgres", "-i", "-q", "-s", "10", "bg_bench_pgbench"], {
      stdio: "ignore",
    });
    return created;
  });
  const { url, db, token, wallets } = await timed(`gateway's database: ${WALLETS} wallets of 10 entries`, async () => {
    const created = await recreateDatabase("bg_bench_http");
    const opened = await openDatabase({ databaseUrl: created, poolSize: 4 });
    const ctx: LedgerContext = { prisma: opened.prisma, now: systemClock };
    const issued = await issueToken(opened.prisma, { tenantSlug: "bench", test: false });
    return { url: created, db: opened, token: issued, ...(await seed(ctx, "bench")) };
  });
  const walletIds = wallets.map((id) => toGlobalId("Wallet", id));
  let next = 0;
  const rotating = () => walletIds[next++ % walletIds.length]!;
  let transaction = 0;

  console.log(`pgbench TPC-B-like, 8 clients, scale 10, ${seconds} s per figure; gateway load: ${connections} connections`);
  const pgbenchBefore = await timed("pgbench before", async () => pgbench(pgbenchUrl));
  console.log(
    `${"pgbench before".padEnd(44)} ${String(Math.round(pgbenchBefore.tps)).padStart(6)} tps  PostgreSQL ${pgbenchBefore.databaseCpuMsPerTransaction ?? "?"} CPU ms/transaction`,
  );

  const one = await timed("gateway: start", () => startGateway(url));
  const figures: Figure[] = [];
  const amount = "1";
  const debits = (base: string): Load => ({
    base,
    path: "/graphql",
    token,
    body: graphql(DEBIT, () => ({ input: { walletId: rotating(), amount } })),
  });
  await warmUp([debits(one.base)]);
  figures.push(await drive("GraphQL debit, 64 wallets", [debits(one.base)], "debits"));
  figures.push(
    await drive(
      "GraphQL debit, one hot wallet",
      [{ base: one.base, path: "/graphql", token, body: graphql(DEBIT, () => ({ input: { walletId: walletIds[0], amount } })) }],
      "debits",
    ),
  );
  const deducts = (customerId: () => string): Load[] => [
    {
      base: one.base,
      path: "/v1/billing/deduct",
      token,
      body: () => JSON.stringify({ customer_id: customerId(), amount: 1, transaction_id: `bench-${process.pid}-${transaction++}` }),
    },
  ];
  // One customer, as the REST figures have always been taken (a hot wallet), then one per wallet.
  figures.push(
    await drive(
      "REST deduct (customer deposit API)",
      deducts(() => "rest-customer"),
      "debits",
    ),
  );
  figures.push(
    await drive(
      `REST deduct, ${WALLETS} customers`,
      deducts(() => `rest-customer-${transaction % WALLETS}`),
      "debits",
    ),
  );
  figures.push(
    await drive("GraphQL wallet balance read", [
      { base: one.base, path: "/graphql", token, body: graphql(BALANCE, () => ({ id: rotating() })) },
    ]),
  );
  figures.push(
    await drive("GraphQL previewDebit", [
      { base: one.base, path: "/graphql", token, body: graphql(PREVIEW, () => ({ input: { walletId: rotating(), amount: "1" } })) },
    ]),
  );
  figures.push(
    await drive("GraphQL page: 50 wallets x 10 entries", [{ base: one.base, path: "/graphql", token, body: graphql(PAGE, () => ({})) }]),
  );
  await stopGateway(one);

  const [first, second] = await timed("gateway: start two", () => Promise.all([startGateway(url), startGateway(url)]));
  await warmUp([debits(first!.base), debits(second!.base)]);
  const twoProcesses = await drive("GraphQL debit, 64 wallets, two processes", [debits(first!.base), debits(second!.base)], "debits");
  figures.push(twoProcesses);
  await Promise.all([stopGateway(first!), stopGateway(second!)]);

  const growthDb = await openDatabase({ databaseUrl: histories.url, poolSize: 2 });
  const growthToken = await issueToken(growthDb.prisma, { tenantSlug: "bench", test: false });
  const growthGateway = await timed("gateway: start on the growth wallets", () => startGateway(histories.url));
  const growthFigures = await growth(growthGateway.base, growthToken, histories.wallets);
  await stopGateway(growthGateway);

  const pgbenchAfter = await timed("pgbench after", async () => pgbench(pgbenchUrl));
  console.log(
    `${"pgbench after".padEnd(44)} ${String(Math.round(pgbenchAfter.tps)).padStart(6)} tps  PostgreSQL ${pgbenchAfter.databaseCpuMsPerTransaction ?? "?"} CPU ms/transaction`,
  );
  const violations = await timed("verify both ledgers", async () => [
    ...(await verifyLedger(db.prisma)),
    ...(await verifyLedger(growthDb.prisma)),
  ]);
  const entriesAfter = await growthDb.prisma.wallet.findMany({
    where: { id: { in: histories.wallets.map((wallet) => wallet.walletId) } },
    select: { id: true, lastSequence: true },
  });
  const pgbenchTps = (pgbenchBefore.tps + pgbenchAfter.tps) / 2;
  const pgbenchCpuMs = mean([pgbenchBefore.databaseCpuMsPerTransaction, pgbenchAfter.databaseCpuMsPerTransaction]);
  for (const figure of figures) {
    figure.shareOfPgbench = Math.round((figure.requestsPerSecond / pgbenchTps) * 1000) / 1000;
    if (debitScenarios.has(figure.scenario) && figure.databaseCpuMsPerRequest != null && pgbenchCpuMs) {
      figure.databaseCpuPerPgbenchTransaction = Math.round((figure.databaseCpuMsPerRequest / pgbenchCpuMs) * 100) / 100;
    }
  }
  const scaling = twoProcesses.requestsPerSecond / figures[0]!.requestsPerSecond;
  const ratios = growthRatios(growthFigures);

  const result = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.type()} ${os.release()}`,
    },
    settings: { seconds, connections, wallets: WALLETS, growthSeconds, growthEntries: growthSizes },
    pgbench: {
      before: pgbenchBefore.tps,
      after: pgbenchAfter.tps,
      databaseCpuMsPerTransaction: {
        before: pgbenchBefore.databaseCpuMsPerTransaction,
        after: pgbenchAfter.databaseCpuMsPerTransaction,
        mean: pgbenchCpuMs,
      },
    },
    figures,
    twoProcessScaling: Math.round(scaling * 100) / 100,
    growth: {
      template: histories.template,
      reused: histories.reused,
      seededAt: histories.seededAt,
      wallets: histories.wallets.map((wallet) => ({
        entries: wallet.entries,
        seedSeconds: wallet.seedSeconds,
        entriesAfter: Number(entriesAfter.find((row) => row.id === wallet.walletId)?.lastSequence ?? 0),
      })),
      target: GROWTH_TARGET,
      figures: growthFigures,
      ratios,
    },
    phases,
    totalSeconds: Math.round(process.uptime()),
    verify: violations,
  };
  report(result);
  mkdirSync(path.join(root, "bench/results"), { recursive: true });
  writeFileSync(path.join(root, "bench/results/latest.json"), `${JSON.stringify(result, null, 2)}\n`);
  await Promise.all([db.close(), growthDb.close()]);
  await admin(async (client) => {
    await client.query("DROP DATABASE IF EXISTS bg_bench_http WITH (FORCE)");
    await client.query("DROP DATABASE IF EXISTS bg_bench_pgbench WITH (FORCE)");
    await client.query("DROP DATABASE IF EXISTS bg_bench_growth WITH (FORCE)");
  });
  if (violations.length > 0) process.exitCode = 1;
}

/** The tables at the end of a run: the gateway's figures, the growth figures, the steps and their times. */
function report(result: {
  pgbench: { before: number; after: number; databaseCpuMsPerTransaction: { mean: number | null } };
  figures: Figure[];
  twoProcessScaling: number;
  growth: {
    wallets: { entries: number; seedSeconds: number; entriesAfter: number }[];
    figures: GrowthFigure[];
    ratios: ReturnType<typeof growthRatios>;
    reused: boolean;
  };
  phases: Phase[];
  totalSeconds: number;
  verify: unknown[];
}): void {
  console.log(
    `\n${"scenario".padEnd(44)} ${"req/s".padStart(6)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} ${"errors".padStart(6)}  share of pgbench  CPU cores: gateway, PostgreSQL  CPU ms/request: gateway, PostgreSQL (x pgbench transaction)`,
  );
  for (const figure of result.figures) {
    const cells = [figure.requestsPerSecond, figure.p50Ms, figure.p99Ms].map((cell, index) => String(cell).padStart(index === 0 ? 6 : 7));
    const share = `${(figure.shareOfPgbench! * 100).toFixed(1)}%`.padStart(16);
    const cores = `${figure.gatewayCores ?? "?"}, ${figure.databaseCores ?? "?"}`.padEnd(28);
    const multiple = figure.databaseCpuPerPgbenchTransaction != null ? ` (${figure.databaseCpuPerPgbenchTransaction}x)` : "";
    console.log(
      `${figure.scenario.padEnd(44)} ${cells.join(" ")} ${String(figure.errors + figure.non2xx).padStart(6)} ${share}  ${cores}  ${figure.gatewayCpuMsPerRequest ?? "?"}, ${figure.databaseCpuMsPerRequest ?? "?"}${multiple}`,
    );
  }
  console.log(
    `pgbench ${Math.round(result.pgbench.before)} tps before, ${Math.round(result.pgbench.after)} after (shares are of their mean), PostgreSQL ${result.pgbench.databaseCpuMsPerTransaction.mean?.toFixed(3) ?? "?"} CPU ms per transaction; two processes / one process: ${result.twoProcessScaling.toFixed(2)}x`,
  );

  console.log(`\ngrowth: one request at a time, wallets in turn, ${growthSeconds} s per request type`);
  console.log(
    `${"request".padEnd(14)} ${"entries".padStart(9)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"requests".padStart(9)} ${"errors".padStart(6)}`,
  );
  for (const figure of result.growth.figures) {
    console.log(
      `${figure.request.padEnd(14)} ${String(figure.entries).padStart(9)} ${figure.p50Ms.toFixed(2).padStart(8)} ${figure.p99Ms.toFixed(2).padStart(8)} ${String(figure.requests).padStart(9)} ${String(figure.errors).padStart(6)}`,
    );
  }
  for (const ratio of result.growth.ratios) {
    console.log(
      `${ratio.request} ${ratio.of}: p50 ${ratio.p50.toFixed(2)}x, p99 ${ratio.p99.toFixed(2)}x (target <= ${GROWTH_TARGET}x: ${ratio.withinTarget ? "met" : "missed"})`,
    );
  }
  const seeding = result.growth.wallets
    .map((wallet) => `${wallet.entries} entries in ${wallet.seedSeconds} s (${wallet.entriesAfter} after the run)`)
    .join(", ");
  console.log(`seeding through ledger_debit${result.growth.reused ? ", by the run that made the template" : ""}: ${seeding}`);

  console.log(`\n${"step".padEnd(44)} ${"seconds".padStart(8)}`);
  for (const { phase, seconds: taken } of result.phases) console.log(`${phase.padEnd(44)} ${taken.toFixed(1).padStart(8)}`);
  const unlisted = result.totalSeconds - result.phases.reduce((sum, { seconds: taken }) => sum + taken, 0);
  console.log(`${"(start-up, database set-up, stops)".padEnd(44)} ${unlisted.toFixed(1).padStart(8)}`);
  console.log(`${"total wall time".padEnd(44)} ${result.totalSeconds.toFixed(1).padStart(8)}`);
  console.log(`verify after the run: ${result.verify.length === 0 ? "clean" : `${result.verify.length} violation(s)`}`);
}

await main();

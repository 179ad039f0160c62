// What open `walletUpdated` streams cost everybody else: the real gateway on PostgreSQL, debits
// one at a time on wallets nobody watches (their p50 and p99), while one watched wallet is debited
// BENCH_WATCHED_PER_SECOND times a second, first with no stream open and then with BENCH_STREAMS
// streams on the watched wallet. The streams are raw sockets in this process that read and drop
// what they are sent, so the gateway's figure is its own.
//
// `npm run bench:streams` (BENCH_DATABASE_URL, BENCH_STREAMS = 300, BENCH_WATCHED_PER_SECOND = 20,
// BENCH_SECONDS = 10 per phase).
import { spawn, type ChildProcess } from "node:child_process";
import { connect, type Socket } from "node:net";
import path from "node:path";
import pg from "pg";
import { issueToken } from "../../src/auth/tokens.ts";
import { openDatabase } from "../../src/db/database.ts";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { systemClock, type LedgerContext } from "../../src/ledger/context.ts";
import { teamScope } from "../support/ledger.ts";
import { freePort } from "../support/free-port.ts";

const serverUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const STREAMS = Number(process.env.BENCH_STREAMS ?? 300);
const WATCHED_PER_SECOND = Number(process.env.BENCH_WATCHED_PER_SECOND ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const QUIET_WALLETS = 8;
const root = path.resolve(import.meta.dirname, "../..");

const DEBIT = `mutation($input: DebitInput!) { debit(input: $input) { __typename ... on DebitPayload { wallet { balance { available } } } } }`;
const WATCH = `subscription($w: ID!) { walletUpdated(walletId: $w) { sequence wallet { balance { available } } } }`;

function globalId(id: string): string {
  return Buffer.from(`Wallet:${id}`).toString("base64");
}

async function scratchDatabase(name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function startGateway(url: string): Promise<{ base: string; port: number; child: ChildProcess }> {
  const port = await freePort();
  const profile = process.env.BENCH_CPU_PROF ? [`--cpu-prof`, `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", "src/server.ts"], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: url,
      PORT: String(port),
      EXPIRY_SWEEP_SECONDS: "0",
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      RATE_LIMIT_PER_SECOND: "0",
      STREAMS_PER_TOKEN: String(STREAMS + 10),
      STREAMS_PER_PROCESS: String(STREAMS + 10),
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 300; attempt += 1) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { base, port, child };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the gateway did not start within 30 s");
}

/** A stream on the wallet that reads and drops what it is sent; counts the updates. */
function openStream(port: number, token: string, walletId: string): Promise<{ socket: Socket; updates(): number }> {
  const body = JSON.stringify({ query: WATCH, variables: { w: globalId(walletId) } });
  let updates = 0;
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\nAuthorization: Bearer ${token}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
    socket.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      if (text.startsWith("HTTP/1.1 ")) resolve({ socket, updates: () => updates });
      updates += text.split("event: next").length - 1;
    });
    socket.once("error", reject);
  });
}

async function graphql(base: string, token: string, query: string, variables: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const answer = (await response.json()) as { data?: { debit?: { __typename: string } } };
  if (answer.data?.debit?.__typename !== "DebitPayload") throw new Error(`a debit failed: ${JSON.stringify(answer)}`);
}

/** Debits the quiet wallets one at a time for SECONDS while the watched wallet is debited at its pace: p50 and p99 of the quiet ones. */
async function phase(
  base: string,
  token: string,
  watched: string,
  quiet: string[],
): Promise<{ p50: number; p99: number; watchedDebits: number; debits: number }> {
  let running = true;
  let watchedDebits = 0;
  const pace = (async () => {
    while (running) {
      const started = performance.now();
      await graphql(base, token, DEBIT, { input: { walletId: globalId(watched), amount: "1" } });
      watchedDebits += 1;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 / WATCHED_PER_SECOND - (performance.now() - started))));
    }
  })();
  const latencies: number[] = [];
  try {
    const until = performance.now() + SECONDS * 1000;
    for (let index = 0; performance.now() < until; index += 1) {
      const started = performance.now();
      await graphql(base, token, DEBIT, { input: { walletId: globalId(quiet[index % quiet.length]!), amount: "1" } });
      latencies.push(performance.now() - started);
    }
  } finally {
    running = false;
    await pace;
  }
  latencies.sort((a, b) => a - b);
  const at = (share: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * share))]! * 10) / 10;
  return { p50: at(0.5), p99: at(0.99), watchedDebits, debits: latencies.length };
}

const url = await scratchDatabase("bg_bench_streams");
const db = await openDatabase({ databaseUrl: url, poolSize: 2 });
const ctx: LedgerContext = { prisma: db.prisma, now: systemClock };
const token = await issueToken(db.prisma, { tenantSlug: "bench", test: false });
const scope = teamScope((await db.prisma.tenant.findUniqueOrThrow({ where: { slug: "bench" } })).id, true);
const wallets: string[] = [];
for (let index = 0; index <= QUIET_WALLETS; index += 1) {
  const { wallet } = await createWallet(ctx, { scope, customer: { externalId: `customer-${index}` }, currency: "USD" });
  await deposit(ctx, { scope, walletId: wallet.id, amount: 1_000_000_000n, category: "paid" });
  wallets.push(wallet.id);
}
const [watched, ...quiet] = wallets as [string, ...string[]];
const gateway = await startGateway(url);
try {
  await phase(gateway.base, token, watched, quiet); // warm-up
  const without = await phase(gateway.base, token, watched, quiet);
  const streams = [];
  for (let index = 0; index < STREAMS; index += 1) streams.push(await openStream(gateway.port, token, watched));
  const withStreams = await phase(gateway.base, token, watched, quiet);
  const delivered = streams.reduce((sum, stream) => sum + stream.updates(), 0);
  for (const stream of streams) stream.socket.destroy();
  console.log(
    `watched wallet: ${WATCHED_PER_SECOND} debits/s; debits on ${QUIET_WALLETS} unwatched wallets one at a time, ${SECONDS} s per phase`,
  );
  console.log(`without streams:      ${without.debits} debits, p50 ${without.p50} ms, p99 ${without.p99} ms`);
  console.log(
    `with ${STREAMS} streams:     ${withStreams.debits} debits, p50 ${withStreams.p50} ms, p99 ${withStreams.p99} ms (${(withStreams.p50 / without.p50).toFixed(2)}× p50); ${delivered} updates delivered for ${withStreams.watchedDebits} watched debits`,
  );
} finally {
  gateway.child.kill("SIGTERM");
  await new Promise((resolve) => gateway.child.once("exit", resolve));
  await db.close();
}

// SIGTERM while debits are arriving: every request is either answered (and its debit is in the
// ledger) or refused before any work (connection refused, or 503 on a kept-alive connection, and
// nothing in the ledger); none is lost, and the ledger holds together. On the embedded database
// the data directory is free again once the process has gone.
import fs from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { issueToken } from "../../src/auth/tokens.ts";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { migratePostgres } from "../../src/db/postgres.ts";
import { verifyLedger } from "../../src/ledger/verify.ts";
import { createScratchPostgresDatabase, testDatabaseKind } from "../support/database.ts";
import { demoTokenIn, processesLeftIn, spawnGateway } from "../support/spawned-gateway.ts";

const FIRST_WAVE = 60;
const AFTER_SIGTERM = 30;

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A database for the spawned gateway, and how the test opens it afterwards to look. */
async function gatewayDatabase(): Promise<{ env: Record<string, string>; token: string | null; open(): Promise<Database> }> {
  if (testDatabaseKind === "postgres") {
    const scratch = await createScratchPostgresDatabase();
    cleanups.push(scratch.drop);
    await migratePostgres(scratch.ownerUrl, { appRole: scratch.appRole });
    const db = await openDatabase({ databaseUrl: scratch.appUrl, poolSize: 1 });
    const token = await issueToken(db.prisma, { tenantSlug: "acme", test: false });
    await db.close();
    return { env: { DATABASE_URL: scratch.appUrl, DATABASE_POOL_SIZE: "8" }, token, open: () => openDatabase({ databaseUrl: scratch.ownerUrl, poolSize: 1 }) };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bg-shutdown-"));
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  // The first start's demo token is the one to use.
  return { env: { DATA_DIR: dataDir, DATABASE_URL: "" }, token: null, open: () => openDatabase({ dataDir }) };
}

type Outcome = { key: string; kind: "answered"; status: number; typename: string } | { key: string; kind: "refused"; why: string } | { key: string; kind: "broken"; why: string };

it("finishes the debits in flight, refuses later ones before any work, and loses none", async () => {
  const database = await gatewayDatabase();
  const gateway = spawnGateway({ ...database.env, RATE_LIMIT_PER_SECOND: "0", SHUTDOWN_TIMEOUT_MS: "30000", EXPIRY_SWEEP_SECONDS: "1" });
  cleanups.push(() => void (gateway.child.exitCode === null && gateway.child.kill("SIGKILL")));
  const port = await gateway.listening();
  const token = database.token ?? demoTokenIn([await gateway.waitForLine((line) => demoTokenIn([line]) !== null)]);
  expect(token).toBeTruthy();

  // Keep-alive connections as many as there are requests: every debit is in flight at once.
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  cleanups.push(() => agent.destroy());
  const graphql = (query: string, variables: Record<string, unknown>) =>
    new Promise<{ status: number; body: any }>((resolve, reject) => {
      const body = JSON.stringify({ query, variables });
      const request = httpRequest(
        { host: "127.0.0.1", port, path: "/graphql", method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), authorization: `Bearer ${token}` } },
        (response) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => (text += chunk));
          response.on("end", () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
          response.on("error", reject);
        },
      );
      request.on("error", reject);
      request.end(body);
    });
  const created = await graphql(`mutation($input: CreateWalletInput!) { createWallet(input: $input) { ... on CreateWalletPayload { wallet { id } } } }`, {
    input: { customerExternalId: "load", currency: "USD" },
  });
  const walletId = created.body.data.createWallet.wallet.id as string;
  const deposited = await graphql(`mutation($input: DepositInput!) { deposit(input: $input) { __typename } }`, { input: { walletId, amount: "1000000" } });
  expect(deposited.body.data.deposit.__typename).toBe("DepositPayload");

  const debit = async (key: string): Promise<Outcome> => {
    try {
      const { status, body } = await graphql(`mutation($input: DebitInput!) { debit(input: $input) { __typename } }`, { input: { walletId, amount: "7", idempotencyKey: key } });
      if (status === 503 && body.errors?.[0]?.extensions?.code === "SHUTTING_DOWN") return { key, kind: "refused", why: "503 SHUTTING_DOWN" };
      return { key, kind: "answered", status, typename: body.data?.debit?.__typename ?? JSON.stringify(body) };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Refused: no connection was made, or it was closed before the request was read. Whether
      // the debit was done anyway is checked in the ledger below.
      if (code === "ECONNREFUSED" || code === "ECONNRESET") return { key, kind: "refused", why: code };
      return { key, kind: "broken", why: String(code ?? error) };
    }
  };

  let answeredSoFar = 0;
  const firstWave = Array.from({ length: FIRST_WAVE }, (_, i) => debit(`first-${i}`).then((outcome) => ((answeredSoFar += 1), outcome)));
  // SIGTERM once the gateway is busy: a third of the debits answered, the rest in flight or queued.
  while (answeredSoFar < 20) await new Promise((resolve) => setTimeout(resolve, 5));
  gateway.child.kill("SIGTERM");
  const afterSigterm = Array.from({ length: AFTER_SIGTERM }, (_, i) => debit(`after-${i}`));
  const outcomes = await Promise.all([...firstWave, ...afterSigterm]);
  const { code } = await gateway.exited;
  expect(code).toBe(0);
  expect(processesLeftIn(gateway.child.pid!)).toEqual([]);

  const db = await database.open();
  try {
    const inLedger = new Set(
      (await db.prisma.operation.findMany({ where: { type: "debit", idempotencyKey: { not: null } }, select: { idempotencyKey: true } })).map((operation) => operation.idempotencyKey),
    );
    const answered = outcomes.filter((outcome) => outcome.kind === "answered");
    const refused = outcomes.filter((outcome) => outcome.kind === "refused");
    // Lost: an answer whose debit is not in the ledger, a refusal whose debit is, or anything else.
    const lost = outcomes.filter(
      (outcome) =>
        outcome.kind === "broken" ||
        (outcome.kind === "answered" && (outcome.typename !== "DebitPayload" || !inLedger.has(outcome.key))) ||
        (outcome.kind === "refused" && inLedger.has(outcome.key)),
    );
    const refusedBy = (why: string) => refused.filter((outcome) => outcome.kind === "refused" && outcome.why === why).length;
    const counts = {
      database: testDatabaseKind,
      sent: outcomes.length,
      answered: answered.length,
      refused: refused.length,
      // How: 503 SHUTTING_DOWN, ECONNREFUSED (no connection), ECONNRESET (the connection was
      // closed before the request was read).
      refusedHow: Object.fromEntries([...new Set(refused.map((outcome) => (outcome.kind === "refused" ? outcome.why : "")))].map((why) => [why, refusedBy(why)])),
      lost: lost.length,
    };
    console.log(`SIGTERM under debit load: ${JSON.stringify(counts)}`);
    expect(lost, JSON.stringify(lost)).toEqual([]);
    expect(answered.length + refused.length).toBe(FIRST_WAVE + AFTER_SIGTERM);
    // Work was in flight when the signal came, and was finished rather than cut off.
    expect(answered.length).toBeGreaterThan(5);
    expect(inLedger.size).toBe(answered.length);
    expect(await verifyLedger(db.prisma)).toEqual([]);
  } finally {
    await db.close();
  }
  // The drain was logged, and the embedded database's directory was released.
  expect(gateway.lines.some((line) => /every request in flight was answered/.test(line.msg))).toBe(true);
  if (database.env.DATA_DIR) expect(fs.existsSync(path.join(database.env.DATA_DIR, "gateway.lock"))).toBe(false);
}, 180_000);

// SIGTERM to `npm start` while debits are arriving, the moment the gateway stops taking work
// (SHUTDOWN_DRAIN_MS=0: with a drain delay, these would all simply be served). Every request that
// reached the gateway is answered: its debit done (and in the ledger), or 503 SHUTTING_DOWN with
// Retry-After and Connection: close (and nothing in the ledger). None is reset, which a client
// could not tell from a debit cut off midway; a connection refused (nothing sent) is the only
// other outcome. On the embedded database the data directory is free again once the process has
// gone; the ledger is read by opening the same data afterwards.
import fs from "node:fs";
import { Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { verifyLedger } from "../../src/ledger/verify.ts";
import { testDatabaseKind } from "../support/database.ts";
import { gatewayDatabase } from "../support/gateway-database.ts";
import { demoTokenIn, processesLeftIn, spawnGateway } from "../support/spawned-gateway.ts";

const FIRST_WAVE = 60;
const AFTER_SIGTERM = 30;
/** How long after the first wave is sent the gateway is told to stop. */
const SIGTERM_AFTER_MS = 30;

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

type Outcome =
  | { key: string; kind: "answered"; status: number; typename: string }
  | { key: string; kind: "refused 503"; retryAfter: string | undefined; connection: string | undefined; code: unknown }
  | { key: string; kind: "connection refused" }
  | { key: string; kind: "reset"; why: string };

it("answers every debit that reached it, finished or refused before any work, and resets and loses none", async () => {
  const database = await gatewayDatabase();
  cleanups.push(database.remove);
  const gateway = spawnGateway(
    { ...database.env, RATE_LIMIT_PER_SECOND: "0", SHUTDOWN_DRAIN_MS: "0", SHUTDOWN_TIMEOUT_MS: "30000", EXPIRY_SWEEP_SECONDS: "1" },
    { npm: true },
  );
  cleanups.push(() => void (gateway.child.exitCode === null && process.kill(-gateway.child.pid!, "SIGKILL")));
  const port = await gateway.listening();
  const token = database.token ?? demoTokenIn([await gateway.waitForLine((line) => demoTokenIn([line]) !== null)]);
  expect(token).toBeTruthy();

  // Half the debits go on kept-alive connections opened beforehand, half on a connection each.
  const keptAlive = new Agent({ keepAlive: true, maxSockets: Infinity });
  cleanups.push(() => keptAlive.destroy());
  const graphql = (query: string, variables: Record<string, unknown>, agent: Agent | false = keptAlive) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: any }>((resolve, reject) => {
      const body = JSON.stringify({ query, variables });
      const request = httpRequest(
        {
          host: "127.0.0.1",
          port,
          path: "/graphql",
          method: "POST",
          agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), authorization: `Bearer ${token}` },
        },
        (response) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => (text += chunk));
          response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, body: JSON.parse(text) }));
          response.on("error", reject);
        },
      );
      request.on("error", reject);
      request.end(body);
    });
  const created = await graphql(
    `
      mutation ($input: CreateWalletInput!) {
        createWallet(input: $input) {
          ... on CreateWalletPayload {
            wallet {
              id
            }
          }
        }
      }
    `,
    {
      input: { customerExternalId: "load", currency: "USD" },
    },
  );
  const walletId = created.body.data.createWallet.wallet.id as string;
  const deposited = await graphql(
    `
      mutation ($input: DepositInput!) {
        deposit(input: $input) {
          __typename
        }
      }
    `,
    { input: { walletId, amount: "1000000" } },
  );
  expect(deposited.body.data.deposit.__typename).toBe("DepositPayload");
  await Promise.all(Array.from({ length: FIRST_WAVE / 2 }, () => graphql("{ viewer { livemode } }", {})));
  expect(Object.values(keptAlive.freeSockets).flat().length).toBe(FIRST_WAVE / 2);

  const debit = async (key: string, agent: Agent | false): Promise<Outcome> => {
    try {
      const { status, headers, body } = await graphql(
        `
          mutation ($input: DebitInput!) {
            debit(input: $input) {
              __typename
            }
          }
        `,
        { input: { walletId, amount: "7", idempotencyKey: key } },
        agent,
      );
      if (status === 503)
        return {
          key,
          kind: "refused 503",
          retryAfter: headers["retry-after"],
          connection: headers.connection,
          code: body.errors?.[0]?.extensions?.code,
        };
      return { key, kind: "answered", status, typename: body.data?.debit?.__typename ?? JSON.stringify(body) };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // No connection was made: nothing was sent, and the client knows it.
      if (code === "ECONNREFUSED") return { key, kind: "connection refused" };
      // ECONNRESET, "socket hang up", a body cut short: whether the debit ran, the client cannot tell.
      return { key, kind: "reset", why: String(code ?? error) };
    }
  };

  const firstWave = Array.from({ length: FIRST_WAVE }, (_, i) => debit(`first-${i}`, i % 2 === 0 ? keptAlive : false));
  await new Promise((resolve) => setTimeout(resolve, SIGTERM_AFTER_MS));
  gateway.child.kill("SIGTERM");
  const afterSigterm = Array.from({ length: AFTER_SIGTERM }, (_, i) => debit(`after-${i}`, false));
  const outcomes = await Promise.all([...firstWave, ...afterSigterm]);
  const { code } = await gateway.exited;
  expect(code).toBe(0);
  expect(processesLeftIn(gateway.child.pid!)).toEqual([]);

  const db = await database.open();
  try {
    const inLedger = new Set(
      (
        await db.prisma.operation.findMany({ where: { type: "debit", idempotencyKey: { not: null } }, select: { idempotencyKey: true } })
      ).map((operation) => operation.idempotencyKey),
    );
    const of = <Kind extends Outcome["kind"]>(kind: Kind) =>
      outcomes.filter((outcome): outcome is Extract<Outcome, { kind: Kind }> => outcome.kind === kind);
    const answered = of("answered");
    const refused503 = of("refused 503");
    const notConnected = of("connection refused");
    const reset = of("reset");
    // Lost: an answer whose debit is not in the ledger, or a refusal whose debit is.
    const lost = outcomes.filter(
      (outcome) =>
        (outcome.kind === "answered" && (outcome.typename !== "DebitPayload" || !inLedger.has(outcome.key))) ||
        (outcome.kind !== "answered" && outcome.kind !== "reset" && inLedger.has(outcome.key)),
    );
    const figures = {
      database: testDatabaseKind,
      sent: outcomes.length,
      answered: answered.length,
      refused503: refused503.length,
      connectionRefused: notConnected.length,
      reset: reset.length,
      lost: lost.length,
    };
    console.log(`SIGTERM under debit load: ${JSON.stringify(figures)}`);
    expect(reset, JSON.stringify(reset)).toEqual([]);
    expect(lost, JSON.stringify(lost)).toEqual([]);
    expect(answered.length + refused503.length + notConnected.length).toBe(FIRST_WAVE + AFTER_SIGTERM);
    for (const refusal of refused503) expect(refusal).toMatchObject({ code: "SHUTTING_DOWN", retryAfter: "1", connection: "close" });
    // Work was in flight when the signal came, and was finished rather than cut off.
    expect(answered.length).toBeGreaterThan(0);
    expect(inLedger.size).toBe(answered.length);
    expect(await verifyLedger(db.prisma)).toEqual([]);
  } finally {
    await db.close();
  }
  // The drain was logged, and the embedded database's directory was released.
  expect(gateway.lines.some((line) => /every request in flight was answered/.test(line.msg))).toBe(true);
  if (database.env.DATA_DIR) expect(fs.existsSync(path.join(database.env.DATA_DIR, "gateway.lock"))).toBe(false);
}, 180_000);

// The drain delay (SHUTDOWN_DRAIN_MS), on `npm start`: sent SIGTERM, the gateway says at once
// that it is not ready (so load balancers stop sending) and goes on serving everything else for
// the delay; then it refuses new requests, ends open event streams with a `complete` event rather
// than waiting on them, and exits once every answer went out. SIGINT, from a terminal, has no
// load balancer to wait for and skips the delay.
import { afterAll, expect, it } from "vitest";
import { gatewayDatabase } from "../support/gateway-database.ts";
import { demoTokenIn, spawnGateway, type SpawnedGateway } from "../support/spawned-gateway.ts";

const DRAIN_MS = 6_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function startGateway(env: Record<string, string>): Promise<{ gateway: SpawnedGateway; url: string; token: string }> {
  const database = await gatewayDatabase();
  cleanups.push(database.remove);
  const gateway = spawnGateway({ ...database.env, RATE_LIMIT_PER_SECOND: "0", ...env }, { npm: true });
  cleanups.push(() => void (gateway.child.exitCode === null && process.kill(-gateway.child.pid!, "SIGKILL")));
  const port = await gateway.listening();
  const token = database.token ?? demoTokenIn([await gateway.waitForLine((line) => demoTokenIn([line]) !== null)])!;
  return { gateway, url: `http://127.0.0.1:${port}`, token };
}

it("fails /readyz at once and serves on through the drain delay, then ends open event streams and exits with every answer out", async () => {
  const { gateway, url, token } = await startGateway({ SHUTDOWN_DRAIN_MS: String(DRAIN_MS), SHUTDOWN_TIMEOUT_MS: "60000" });
  const graphql = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
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
      input: { customerExternalId: "drain", currency: "USD" },
    },
  );
  const walletId = created.body.data.createWallet.wallet.id as string;
  expect(
    (
      await graphql(
        `
          mutation ($input: DepositInput!) {
            deposit(input: $input) {
              __typename
            }
          }
        `,
        { input: { walletId, amount: "1000" } },
      )
    ).body.data.deposit.__typename,
  ).toBe("DepositPayload");

  // A console following the wallet: its stream, read to its end.
  const stream = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: "subscription($walletId: ID!) { walletUpdated(walletId: $walletId) { sequence } }",
      variables: { walletId },
    }),
  });
  expect(stream.status).toBe(200);
  const streamText = stream.text();
  expect((await fetch(`${url}/readyz`)).status).toBe(200);

  gateway.child.kill("SIGTERM");
  await gateway.waitForLine((line) => /not ready: serving on/.test(line.msg));
  const readiness = await fetch(`${url}/readyz`);
  expect(readiness.status).toBe(503);
  expect(readiness.headers.get("retry-after")).toBe("1");
  expect(await readiness.json()).toEqual({ status: "not ready", reason: "shutting down" });
  // Everything else is still served, and done.
  const debited = await graphql(
    `
      mutation ($input: DebitInput!) {
        debit(input: $input) {
          __typename
        }
      }
    `,
    { input: { walletId, amount: "7", idempotencyKey: "during-drain" } },
  );
  expect(debited).toEqual({ status: 200, body: { data: { debit: { __typename: "DebitPayload" } } } });
  expect((await graphql("{ viewer { livemode } }")).status).toBe(200);
  expect(gateway.lines.some((line) => /refusing new requests/.test(line.msg))).toBe(false);

  // Then the stream ends as a finished subscription does, having told the debit made meanwhile.
  const events = await streamText;
  expect(events).toMatch(/event: next\ndata: \{"data":\{"walletUpdated":\{"sequence":\d+\}\}\}\n\n/);
  expect(events.endsWith("event: complete\ndata:\n\n")).toBe(true);
  expect((await gateway.exited).code).toBe(0);
  const refusingAt = gateway.lines.find((line) => /refusing new requests/.test(line.msg))!;
  const shuttingDownAt = gateway.lines.find((line) => line.msg === "shutting down")!;
  expect(Date.parse(refusingAt.time as string) - Date.parse(shuttingDownAt.time as string)).toBeGreaterThanOrEqual(DRAIN_MS);
  // The open stream did not hold the drain until SHUTDOWN_TIMEOUT_MS.
  expect(gateway.lines.some((line) => /every request in flight was answered/.test(line.msg))).toBe(true);
}, 180_000);

it("skips the drain delay on SIGINT (Ctrl-C at a terminal)", async () => {
  const { gateway } = await startGateway({ SHUTDOWN_DRAIN_MS: "600000" });
  gateway.child.kill("SIGINT");
  // Ten minutes' delay were it waited out; the test's own timeout is far shorter.
  expect((await gateway.exited).code).toBe(0);
  expect(gateway.lines.some((line) => /not ready: serving on/.test(line.msg))).toBe(false);
}, 120_000);

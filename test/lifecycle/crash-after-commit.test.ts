// A gateway killed (SIGKILL) right after a debit committed, before anything in it reacted: the
// debit crossed its wallet's auto top-up threshold, and the top-up happens once the gateway is
// started again, once. The real process on `npm start`'s entry (src/server.ts), the local fake
// Stripe, and the database the test project runs on (PostgreSQL, or the embedded one's data
// directory, reopened after the crash). GATEWAY_TEST_KILL_AFTER_COMMIT makes the process kill
// itself in the ledger's after-commit notice, which is where the in-process hook used to start
// the auto top-up check: the only way the check still happens is the event log and its cursor.
import { afterAll, expect, it } from "vitest";
import { startFakeStripe, type FakeStripe } from "../support/fake-stripe.ts";
import { gatewayDatabase, type GatewayDatabase } from "../support/gateway-database.ts";
import { demoTokenIn, spawnGateway, type SpawnedGateway } from "../support/spawned-gateway.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function start(database: GatewayDatabase, stripe: FakeStripe, env: Record<string, string> = {}): SpawnedGateway {
  const gateway = spawnGateway({
    ...database.env,
    STRIPE_SECRET_KEY: "sk_test_fake",
    STRIPE_API_BASE: stripe.url,
    RATE_LIMIT_PER_SECOND: "0",
    // Should a charge be cut short, its pending top-up is completed within seconds.
    EXPIRY_SWEEP_SECONDS: "1",
    JOB_POLL_SECONDS: "0.5",
    ...env,
  });
  cleanups.push(
    () => void (gateway.child.exitCode === null && gateway.child.signalCode === null && process.kill(-gateway.child.pid!, "SIGKILL")),
  );
  return gateway;
}

function client(port: number, token: string) {
  return async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as any;
  };
}

const TOP_UPS = `query($id: ID!) { wallet(id: $id) { balance { available } topUps(first: 5) { totalCount edges { node { amount status trigger attempts } } } } }`;

it("fires the auto top-up of a debit whose gateway was killed right after its commit, once, when a gateway starts again", async () => {
  const stripe = await startFakeStripe();
  cleanups.push(() => stripe.close());
  const database = await gatewayDatabase();
  cleanups.push(database.remove);

  // A wallet of 1,500 with a card and a rule: below 1,000, add 5,000.
  const first = start(database, stripe);
  const token = database.token ?? demoTokenIn([await first.waitForLine((line) => demoTokenIn([line]) !== null)])!;
  let graphql = client(await first.listening(), token);
  const created = await graphql(`
    mutation {
      createWallet(input: { customerExternalId: "crash", currency: "USD" }) {
        ... on CreateWalletPayload {
          wallet {
            id
          }
        }
      }
    }
  `);
  const walletId = created.data.createWallet.wallet.id as string;
  expect(
    (
      await graphql(`
        mutation {
          setPaymentMethod(input: { customerExternalId: "crash", paymentMethodId: "pm_card_visa" }) {
            __typename
          }
        }
      `)
    ).data.setPaymentMethod.__typename,
  ).toBe("SetPaymentMethodPayload");
  expect(
    (
      await graphql(
        `
          mutation ($walletId: ID!) {
            deposit(input: { walletId: $walletId, amount: "1500" }) {
              __typename
            }
          }
        `,
        { walletId },
      )
    ).data.deposit.__typename,
  ).toBe("DepositPayload");
  const rule = await graphql(
    `
      mutation ($walletId: ID!) {
        updateWallet(input: { walletId: $walletId, autoTopUp: { threshold: "1000", amount: "5000" } }) {
          __typename
        }
      }
    `,
    { walletId },
  );
  expect(rule.data.updateWallet.__typename).toBe("UpdateWalletPayload");
  first.child.kill("SIGTERM");
  expect((await first.exited).code).toBe(0);

  // The debit to 800 commits, and its gateway dies before answering.
  const second = start(database, stripe, { GATEWAY_TEST_KILL_AFTER_COMMIT: "1", EVENT_FOLLOWER_POLL_MS: "3600000" });
  graphql = client(await second.listening(), token);
  await expect(
    graphql(
      `
        mutation ($walletId: ID!) {
          debit(input: { walletId: $walletId, amount: "700", idempotencyKey: "crash-debit" }) {
            __typename
          }
        }
      `,
      { walletId },
    ),
  ).rejects.toThrow();
  expect(await second.exited).toEqual({ code: null, signal: "SIGKILL" });
  expect(stripe.charges).toEqual([]);

  // Started again, a gateway finds the debit in the log and tops up.
  const third = start(database, stripe);
  graphql = client(await third.listening(), token);
  let wallet: any = null;
  for (let attempt = 0; attempt < 300; attempt += 1) {
    wallet = (await graphql(TOP_UPS, { id: walletId })).data.wallet;
    if (wallet.topUps.edges.some((edge: any) => edge.node.status === "succeeded")) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(wallet).toEqual({
    balance: { available: String(1_500 - 700 + 5_000) },
    topUps: { totalCount: 1, edges: [{ node: { amount: "5000", status: "succeeded", trigger: "auto", attempts: 1 } }] },
  });
  // The debit is there once: asked again with its key, it is a replay, and fires nothing more.
  const replayed = await graphql(
    `
      mutation ($walletId: ID!) {
        debit(input: { walletId: $walletId, amount: "700", idempotencyKey: "crash-debit" }) {
          ... on DebitPayload {
            replayed
          }
        }
      }
    `,
    { walletId },
  );
  expect(replayed.data.debit.replayed).toBe(true);
  third.child.kill("SIGTERM");
  expect((await third.exited).code).toBe(0);
  expect(stripe.charges).toHaveLength(1);

  // The top-up names the debit's event, and the cursor has moved past it for good.
  const db = await database.open();
  try {
    const [debitEvent] = await db.prisma.$queryRaw<{ id: string; wallet_id: string; position: bigint; transaction_id: bigint }[]>`
      SELECT e.id::text, e.wallet_id::text, e.position, e.transaction_id FROM event e JOIN operation o ON o.id = e.operation_id
      WHERE o.idempotency_key = 'crash-debit' AND e.type = 'operation.completed'`;
    const topUps = await db.prisma.topUp.findMany({ where: { walletId: debitEvent!.wallet_id } });
    expect(topUps.map((topUp) => topUp.firedByEventId)).toEqual([debitEvent!.id]);
    const cursor = await db.prisma.eventCursor.findUniqueOrThrow({ where: { consumer: "auto-top-ups" } });
    expect(
      cursor.transactionId > debitEvent!.transaction_id ||
        (cursor.transactionId === debitEvent!.transaction_id && cursor.position >= debitEvent!.position),
    ).toBe(true);
  } finally {
    await db.close();
  }
}, 240_000);

// Events across gateway processes sharing one PostgreSQL database: balance alerts judged under
// the wallet lock fire each crossing once whichever process moved the wallet, and a debit on one
// gateway reaches a `walletUpdated` subscriber on another through Redis pub/sub.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabaseKind } from "../support/database.ts";
import { startGatewayProcesses, type GatewayProcesses } from "../support/gateway-processes.ts";
import { subscribe } from "../support/sse.ts";
import { TEST_REDIS_URL, redisAnswers } from "../support/redis.ts";

const REDIS_URL = TEST_REDIS_URL;

const redisReachable = await redisAnswers(REDIS_URL);
// Processes share a database only on PostgreSQL: an embedded database belongs to one process.
const runs = testDatabaseKind === "postgres" && redisReachable;
if (testDatabaseKind === "postgres" && !redisReachable)
  console.warn(`\n*** Two-gateway event tests SKIPPED: no Redis at ${REDIS_URL} (set TEST_REDIS_URL). ***\n`);

describe.skipIf(!runs)("events across two gateway processes", () => {
  let gateways: GatewayProcesses;

  beforeAll(async () => {
    gateways = await startGatewayProcesses(2, { REDIS_URL, REDIS_KEY_PREFIX: `test:${randomUUID()}:` });
  }, 120_000);
  afterAll(() => gateways?.stop());

  async function graphql(index: number, query: string, variables: Record<string, unknown> = {}) {
    const response = await fetch(`${gateways.urls[index]}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${gateways.token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data: any; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  }

  async function newWallet(externalId: string, amount: string): Promise<string> {
    const created = await graphql(
      0,
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
        input: { customerExternalId: externalId, currency: "USD" },
      },
    );
    const walletId = created.createWallet.wallet.id as string;
    await graphql(
      1,
      `
        mutation ($input: DepositInput!) {
          deposit(input: $input) {
            __typename
          }
        }
      `,
      { input: { walletId, amount } },
    );
    return walletId;
  }

  const debit = (index: number, walletId: string, amount: string) =>
    graphql(
      index,
      `
        mutation ($input: DebitInput!) {
          debit(input: $input) {
            __typename
          }
        }
      `,
      { input: { walletId, amount } },
    );

  async function walletEvents(walletId: string): Promise<{ sequence: number; type: string; payload: any }[]> {
    const events: { sequence: number; type: string; payload: any }[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = await graphql(
        0,
        `
          query ($walletId: ID!, $after: String) {
            events(walletId: $walletId, first: 100, after: $after) {
              edges {
                node {
                  sequence
                  type
                  payload
                }
              }
              pageInfo {
                hasNextPage
                endCursor
              }
            }
          }
        `,
        { walletId, after },
      );
      events.push(...page.events.edges.map((edge: any) => edge.node));
      if (!page.events.pageInfo.hasNextPage) break;
      after = page.events.pageInfo.endCursor;
    }
    return events.reverse();
  }

  it("fire each threshold crossing exactly once under 200 concurrent debits on both processes", async () => {
    const walletId = await newWallet("alerts-race", "1000");
    const alerts = new Map<string, bigint>();
    for (const threshold of ["750", "500", "250"]) {
      const created = await graphql(
        threshold === "500" ? 1 : 0,
        `
          mutation ($input: CreateBalanceAlertInput!) {
            createBalanceAlert(input: $input) {
              ... on CreateBalanceAlertPayload {
                balanceAlert {
                  id
                }
              }
            }
          }
        `,
        {
          input: { walletId, threshold },
        },
      );
      alerts.set(created.createBalanceAlert.balanceAlert.id, BigInt(threshold));
    }
    // 200 debits of 5 spend the 1,000 exactly, landing on every threshold and on zero.
    await Promise.all(Array.from({ length: 200 }, (_, i) => debit(i % 2, walletId, "5")));

    const events = await walletEvents(walletId);
    expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => index + 1));
    const fired = events.filter((event) => event.type === "balance.below_threshold");
    expect(fired.map((event) => [event.payload.alert.threshold, event.payload.balance.available])).toEqual([
      ["750", "750"],
      ["500", "500"],
      ["250", "250"],
    ]);
    expect(events.filter((event) => event.type === "balance.depleted")).toHaveLength(1);
    expect(events.filter((event) => event.type === "operation.completed" && event.payload.operation.type === "debit")).toHaveLength(200);
  }, 120_000);

  it("re-arm and fire again exactly as the balance moves, under concurrent debits and deposits on both processes", async () => {
    const walletId = await newWallet("alerts-rearm", "100");
    await graphql(
      0,
      `
        mutation ($input: CreateBalanceAlertInput!) {
          createBalanceAlert(input: $input) {
            __typename
          }
        }
      `,
      { input: { walletId, threshold: "100" } },
    );
    // Starting exactly on the threshold (fired state), debits and deposits of 10 race around it.
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        i % 2 === 0
          ? graphql(
              i % 4 === 0 ? 0 : 1,
              `
                mutation ($input: DepositInput!) {
                  deposit(input: $input) {
                    __typename
                  }
                }
              `,
              { input: { walletId, amount: "10" } },
            )
          : debit(i % 4 === 1 ? 0 : 1, walletId, "10"),
      ),
    );
    // The log, read in order from the alert's creation (after the opening deposit, at 100), must
    // fire exactly where the state machine says.
    const events = (await walletEvents(walletId)).slice(3);
    let below = true;
    let expected = 0;
    for (const [index, event] of events.entries()) {
      if (event.type !== "operation.completed" || event.payload.entries.length === 0) continue;
      const available = BigInt(event.payload.balance.available);
      const firesNow: boolean = !below && available <= 100n;
      if (firesNow) expected += 1;
      below = firesNow || (below && available <= 100n);
      const told = events.slice(index + 1).findIndex((later) => later.type === "operation.completed");
      const following = events.slice(index + 1, told === -1 ? undefined : index + 1 + told);
      expect(
        following.filter((later) => later.type === "balance.below_threshold"),
        `after event ${event.sequence}`,
      ).toHaveLength(firesNow ? 1 : 0);
    }
    expect(events.filter((event) => event.type === "balance.below_threshold")).toHaveLength(expected);
    expect(expected).toBeGreaterThan(0);
  }, 120_000);

  // A latency bound on a shared 2-core machine: a run that another test's burst slowed is tried again.
  it(
    "reach a subscriber on the other gateway through Redis, within 100 ms at p99 over 100 debits",
    { retry: 2, timeout: 120_000 },
    async () => {
      // A wallet of its own on each try.
      const walletId = await newWallet(`live-across-${randomUUID()}`, "1000");
      const updates = await subscribe<{ walletUpdated: any }>(
        (request) => fetch(request),
        `${gateways.urls[1]}/graphql`,
        gateways.token,
        `subscription($walletId: ID!) { walletUpdated(walletId: $walletId) { sequence event { id type } wallet { balance { available } } } }`,
        { walletId },
      );
      try {
        // The subscription is live once it delivers: a first debit makes sure of it.
        await debit(0, walletId, "1");
        await updates.next();
        const latencies: number[] = [];
        for (let i = 0; i < 100; i += 1) {
          const committed = debit(0, walletId, "1").then(() => performance.now());
          const update = await updates.next();
          const answered = await committed;
          // From the debit's answer on gateway 0 (its commit came just before) to the update on gateway 1.
          latencies.push(Math.max(0, performance.now() - answered));
          expect(update.walletUpdated).toMatchObject({
            event: { type: "operation.completed" },
            wallet: { balance: { available: String(1000 - 2 - i) } },
          });
        }
        latencies.sort((a, b) => a - b);
        const p50 = latencies[Math.floor(latencies.length * 0.5)]!;
        const p99 = latencies[Math.ceil(latencies.length * 0.99) - 1]!;
        console.log(
          `walletUpdated across gateways through Redis: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms after the debit's answer`,
        );
        expect(p99).toBeLessThan(100);
      } finally {
        updates.close();
      }
    },
  );
});

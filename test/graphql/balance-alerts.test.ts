// Balance alerts through GraphQL: a wallet's alerts are a Relay connection (highest threshold
// first), and creating one past BALANCE_ALERTS_PER_WALLET answers the typed LimitExceededError.
import { describe, expect, it } from "vitest";
import { createWalletVia, useGateway } from "../support/app.ts";

const gateway = useGateway();

const CREATE = `mutation($input: CreateBalanceAlertInput!) {
  createBalanceAlert(input: $input) {
    __typename
    ... on CreateBalanceAlertPayload { balanceAlert { id threshold } }
    ... on LimitExceededError { message code resource limit }
  }
}`;

const ALERTS = `query($id: ID!, $first: Int, $after: String) {
  wallet(id: $id) {
    balanceAlerts(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { threshold } }
    }
  }
}`;

/** Alerts written straight to the table, as many as the test needs. */
async function seedAlerts(walletId: string, thresholds: bigint[]): Promise<void> {
  const wallet = await gateway.db.prisma.wallet.findUniqueOrThrow({ where: { id: walletId } });
  await gateway.db.prisma.balanceAlert.createMany({
    data: thresholds.map((threshold, index) => ({
      tenantId: wallet.tenantId,
      livemode: wallet.livemode,
      walletId,
      threshold,
      requestHash: `seeded ${index}`,
    })),
  });
}

describe("a wallet's balance alerts", () => {
  it("are paged, highest threshold first", async () => {
    const walletId = await createWalletVia(gateway, "alerts-paged");
    await seedAlerts(walletId, [10n, 50n, 30n, 20n, 40n]);
    const pages: string[][] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page += 1) {
      const reply: { data: any } = await gateway.graphql(ALERTS, { id: walletId, first: 2, after });
      const connection: any = reply.data.wallet.balanceAlerts;
      expect(connection.totalCount).toBe(5);
      pages.push(connection.edges.map((edge: any) => edge.node.threshold));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(pages).toEqual([["50", "40"], ["30", "20"], ["10"]]);
  });

  it("are refused past the limit with LimitExceededError, and nothing is added", async () => {
    const walletId = await createWalletVia(gateway, "alerts-full");
    await seedAlerts(
      walletId,
      Array.from({ length: 24 }, (_, index) => BigInt(index)),
    );
    const last = await gateway.graphql(CREATE, { input: { walletId, threshold: "100" } });
    expect(last.data.createBalanceAlert).toMatchObject({ __typename: "CreateBalanceAlertPayload", balanceAlert: { threshold: "100" } });
    const refused = await gateway.graphql(CREATE, { input: { walletId, threshold: "200" } });
    expect(refused.data.createBalanceAlert).toEqual({
      __typename: "LimitExceededError",
      code: "LIMIT_EXCEEDED",
      resource: "balance alerts per wallet",
      limit: 25,
      message: "a wallet may have at most 25 balance alerts: remove one to add another",
    });
    const listed = await gateway.graphql(ALERTS, { id: walletId, first: 1 });
    expect(listed.data.wallet.balanceAlerts.totalCount).toBe(25);
  });
});

import { describe, expect, it } from "vitest";
import { createWalletVia, depositVia, useGateway } from "../support/app.ts";
import { subscribe } from "../support/sse.ts";

const gateway = useGateway();

const EVENTS = `query($first: Int, $after: String, $walletId: ID, $types: [String!]) {
  events(first: $first, after: $after, walletId: $walletId, types: $types) {
    edges { cursor node { id type sequence payload wallet { id } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const WALLET_UPDATED = `subscription($walletId: ID!, $afterSequence: Int) {
  walletUpdated(walletId: $walletId, afterSequence: $afterSequence) {
    sequence event { id type } wallet { id balance { available total used frozen } }
  }
}`;

async function debitVia(walletId: string, amount: string) {
  const reply = await gateway.graphql(`mutation($input: DebitInput!) { debit(input: $input) { __typename } }`, {
    input: { walletId, amount },
  });
  expect(reply.data.debit.__typename, JSON.stringify(reply)).toBe("DebitPayload");
}

describe("events", () => {
  it("lists the token's events newest first, a page at a time, by wallet and type", async () => {
    const walletId = await createWalletVia(gateway, "events-list");
    await depositVia(gateway, walletId, "100");
    await debitVia(walletId, "30");
    const first = await gateway.graphql(EVENTS, { walletId, first: 2 });
    expect(first.data.events.edges.map((edge: any) => [edge.node.type, edge.node.sequence])).toEqual([
      ["operation.completed", 4],
      ["operation.completed", 3],
    ]);
    expect(first.data.events.edges[0].node).toMatchObject({
      wallet: { id: walletId },
      payload: { amount: "-30", balance: { available: "70" } },
    });
    const rest = await gateway.graphql(EVENTS, { walletId, first: 10, after: first.data.events.pageInfo.endCursor });
    expect(rest.data.events.edges.map((edge: any) => edge.node.sequence)).toEqual([2, 1]);
    expect(rest.data.events.pageInfo.hasNextPage).toBe(false);
    const created = await gateway.graphql(EVENTS, { walletId, types: ["wallet.created"] });
    expect(created.data.events.edges.map((edge: any) => edge.node.type)).toEqual(["wallet.created"]);
    const bad = await gateway.graphql(EVENTS, { types: ["wallet.exploded"] });
    expect(bad.errors?.[0]?.extensions?.code).toBe("VALIDATION_FAILED");
  });

  it("shows a personal token its own wallets' events only", async () => {
    const mine = await createWalletVia(gateway, "events-me");
    const theirs = await createWalletVia(gateway, "events-them");
    const token = await gateway.issue("acme", { customer: "events-me" });
    const reply = await gateway.graphql(EVENTS, { first: 100 }, token);
    const wallets = new Set(reply.data.events.edges.map((edge: any) => edge.node.wallet.id));
    expect([...wallets]).toEqual([mine]);
    const other = await gateway.graphql(EVENTS, { walletId: theirs }, token);
    expect(other.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });
});

describe("balance alerts", () => {
  it("are created, listed on the wallet and deleted", async () => {
    const walletId = await createWalletVia(gateway, "alerts");
    const created = await gateway.graphql(
      `mutation($input: CreateBalanceAlertInput!) { createBalanceAlert(input: $input) { __typename ... on CreateBalanceAlertPayload { balanceAlert { id threshold below } } } }`,
      { input: { walletId, threshold: "500" } },
    );
    const alert = created.data.createBalanceAlert.balanceAlert;
    expect(alert).toMatchObject({ threshold: "500", below: true });
    const listed = await gateway.graphql(
      `query($id: ID!) { wallet(id: $id) { balanceAlerts(first: 10) { edges { node { id threshold } } } } }`,
      { id: walletId },
    );
    expect(listed.data.wallet.balanceAlerts.edges).toEqual([{ node: { id: alert.id, threshold: "500" } }]);
    const deleted = await gateway.graphql(
      `mutation($input: DeleteBalanceAlertInput!) { deleteBalanceAlert(input: $input) { __typename ... on DeleteBalanceAlertPayload { balanceAlert { deletedAt } } } }`,
      { input: { id: alert.id } },
    );
    expect(deleted.data.deleteBalanceAlert.balanceAlert.deletedAt).not.toBeNull();
    const after = await gateway.graphql(`query($id: ID!) { wallet(id: $id) { balanceAlerts(first: 10) { edges { node { id } } } } }`, {
      id: walletId,
    });
    expect(after.data.wallet.balanceAlerts.edges).toEqual([]);
  });
});

describe("walletUpdated", () => {
  const open = (variables: Record<string, unknown>, token = gateway.token) =>
    subscribe<{ walletUpdated: any }>(
      (request) => gateway.app.fetch(request),
      "http://gateway.test/graphql",
      token,
      WALLET_UPDATED,
      variables,
    );

  it("sends each committed event with the balances it left, live", async () => {
    const walletId = await createWalletVia(gateway, "live");
    await depositVia(gateway, walletId, "100");
    const updates = await open({ walletId });
    try {
      await debitVia(walletId, "40");
      const { walletUpdated } = await updates.next();
      expect(walletUpdated).toMatchObject({
        sequence: 4,
        event: { type: "operation.completed" },
        wallet: { id: walletId, balance: { available: "60", total: "100", used: "40", frozen: "0" } },
      });
    } finally {
      updates.close();
    }
  });

  it("replays what a reconnecting client missed, then goes live without gap or repeat", async () => {
    const walletId = await createWalletVia(gateway, "replay");
    const first = await open({ walletId, afterSequence: 0 });
    const seen: number[] = [];
    try {
      for (let i = 0; i < 2; i += 1) seen.push((await first.next()).walletUpdated.sequence); // wallet.created, its operation
      await depositVia(gateway, walletId, "100");
      seen.push((await first.next()).walletUpdated.sequence);
    } finally {
      first.close();
    }
    // Missed while disconnected.
    await debitVia(walletId, "10");
    await debitVia(walletId, "20");
    const again = await open({ walletId, afterSequence: seen.at(-1) });
    try {
      const replayed = [await again.next(), await again.next()].map((update) => update.walletUpdated);
      expect(replayed.map((update) => [update.sequence, update.wallet.balance.available])).toEqual([
        [4, "90"],
        [5, "70"],
      ]);
      await debitVia(walletId, "5");
      expect((await again.next()).walletUpdated).toMatchObject({ sequence: 6, wallet: { balance: { available: "65" } } });
    } finally {
      again.close();
    }
    expect(seen).toEqual([1, 2, 3]);
  });

  it("does not exist for a wallet outside the token's scope", async () => {
    const walletId = await createWalletVia(gateway, "hidden");
    const outsider = await gateway.issue("globex");
    await expect(open({ walletId }, outsider).then((updates) => updates.next(5_000))).rejects.toThrow(/NOT_FOUND|not found/i);
  });
});

// A token sees and touches its own tenant's data, in its own mode, and a personal token only its
// customer's. Every query and mutation is walked with an id it must not reach.
import { beforeAll, describe, expect, it } from "vitest";
import { createWalletVia, depositVia, useGateway } from "../support/app.ts";

const gateway = useGateway();
let foreign: { token: string; walletId: string; blockId: string; holdId: string; operationId: string; entryId: string; customerId: string };

beforeAll(async () => {
  const token = await gateway.issue("other-tenant");
  const walletId = await createWalletVia(gateway, "theirs", token);
  const { blocks, entries } = await depositVia(gateway, walletId, "100", {}, token);
  const held = await gateway.graphql(
    `mutation($input: HoldInput!) { hold(input: $input) { ... on HoldPayload { hold { id } } } }`,
    { input: { walletId, amount: "10" } },
    token,
  );
  const spent = await gateway.graphql(
    `mutation($input: DebitInput!) { debit(input: $input) { ... on DebitPayload { operation { id } } } }`,
    { input: { walletId, amount: "5" } },
    token,
  );
  const customer = await gateway.graphql(`{ customer(externalId: "theirs") { id } }`, {}, token);
  foreign = {
    token,
    walletId,
    blockId: blocks[0]!.id,
    entryId: entries[0]!.id,
    holdId: held.data.hold.hold.id,
    operationId: spent.data.debit.operation.id,
    customerId: customer.data.customer.id,
  };
});

describe("tenant isolation", () => {
  it("hides another tenant's objects from every query", async () => {
    const ids = [foreign.walletId, foreign.blockId, foreign.entryId, foreign.holdId, foreign.operationId, foreign.customerId];
    const nodes = await gateway.graphql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids });
    expect(nodes.data.nodes).toEqual(ids.map(() => null));
    for (const id of ids) {
      const node = await gateway.graphql(`query($id: ID!) { node(id: $id) { id } }`, { id });
      expect(node.data.node, id).toBeNull();
    }
    const wallet = await gateway.graphql(`query($id: ID!) { wallet(id: $id) { id } }`, { id: foreign.walletId });
    expect(wallet.data.wallet).toBeNull();
    const lists = await gateway.graphql(
      `{ wallets(first: 100) { totalCount } customers(first: 100) { totalCount } customer(externalId: "theirs") { id } }`,
    );
    expect(lists.data).toEqual({ wallets: { totalCount: 0 }, customers: { totalCount: 0 }, customer: null });
  });

  it.each([
    ["deposit", "DepositInput", () => ({ walletId: foreign.walletId, amount: "1" })],
    ["debit", "DebitInput", () => ({ walletId: foreign.walletId, amount: "1" })],
    ["hold", "HoldInput", () => ({ walletId: foreign.walletId, amount: "1" })],
    ["captureHold", "CaptureHoldInput", () => ({ holdId: foreign.holdId })],
    ["releaseHold", "ReleaseHoldInput", () => ({ holdId: foreign.holdId })],
    ["void", "VoidInput", () => ({ walletId: foreign.walletId, amount: "1" })],
    ["refund", "RefundInput", () => ({ operationId: foreign.operationId })],
    ["amendBlock", "AmendBlockInput", () => ({ blockId: foreign.blockId, amount: "1" })],
    ["changeBlockExpiry", "ChangeBlockExpiryInput", () => ({ blockId: foreign.blockId, expiresAt: null })],
    ["updateWallet", "UpdateWalletInput", () => ({ walletId: foreign.walletId, name: "mine now" })],
    ["terminateWallet", "TerminateWalletInput", () => ({ walletId: foreign.walletId })],
    ["topUp", "TopUpInput", () => ({ walletId: foreign.walletId, amount: "100" })],
  ])("refuses %s on another tenant's data as not found", async (name, inputType, input) => {
    const reply = await gateway.graphql(`mutation($input: ${inputType}!) { ${name}(input: $input) { __typename ... on Error { code } } }`, {
      input: input(),
    });
    expect(reply.data[name]).toEqual({ __typename: "NotFoundError", code: "NOT_FOUND" });
  });

  it("keeps test-mode data apart from live data", async () => {
    const testToken = await gateway.issue("other-tenant", { test: true });
    const wallet = await gateway.graphql(`query($id: ID!) { wallet(id: $id) { id } }`, { id: foreign.walletId }, testToken);
    expect(wallet.data.wallet).toBeNull();
  });

  it("lets a personal token see and move only its customer's wallets", async () => {
    const personal = await gateway.issue("other-tenant", { customer: "someone-else" });
    const mine = await createWalletVia(gateway, "someone-else", foreign.token);
    const lists = await gateway.graphql(
      `{ wallets(first: 10) { edges { node { id } } } viewer { customer { externalId } } }`,
      {},
      personal,
    );
    expect(lists.data.wallets.edges).toEqual([{ node: { id: mine } }]);
    expect(lists.data.viewer.customer).toEqual({ externalId: "someone-else" });
    const debit = await gateway.graphql(
      `mutation($input: DebitInput!) { debit(input: $input) { __typename } }`,
      { input: { walletId: foreign.walletId, amount: "1" } },
      personal,
    );
    expect(debit.data.debit.__typename).toBe("NotFoundError");
    const create = await gateway.graphql(
      `mutation($input: CreateWalletInput!) { createWallet(input: $input) { __typename } }`,
      { input: { customerExternalId: "theirs", currency: "USD" } },
      personal,
    );
    expect(create.data.createWallet.__typename).toBe("ForbiddenError");
  });
});

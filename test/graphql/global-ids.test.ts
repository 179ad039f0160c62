// A node's id is its UUID, the id payloads, REST, the CLI and error messages carry; the older
// base64 `Typename:uuid` is still read. A malformed id, or one of another type than asked for, is
// a typed not-found wherever it is given: NOT_FOUND on node and wallet(id:), null among nodes, the
// NotFoundError result of a mutation that lists it. It never reaches the database and is not
// logged as an error.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createWalletVia, depositVia, useGateway } from "../support/app.ts";
import { captureLogs } from "../support/logs.ts";

const gateway = useGateway();
const globalId = (typename: string, id: string) => Buffer.from(`${typename}:${id}`).toString("base64");

/** Ids that name nothing: not base64 of a type and id, an id that is not a UUID, no id at all. */
const MALFORMED = ["not a global id", "%%%", globalId("Wallet", "not-a-uuid"), globalId("Wallet", ""), "V2FsbGV0", "x".repeat(5_000)];

let walletId: string;
let blockId: string;
const logs = captureLogs();

beforeAll(async () => {
  walletId = await createWalletVia(gateway, "alice");
  blockId = (await depositVia(gateway, walletId, "500")).blocks[0]!.id;
});
afterEach(() => {
  // Expected answers, not faults: nothing was logged as an error.
  expect(logs.errors()).toEqual([]);
});

describe("one id per object", () => {
  it("answers a node's UUID as its id, the id its events carry", async () => {
    expect(walletId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const reply = await gateway.graphql(
      `query($id: ID!) { events(first: 1, walletId: $id) { edges { node { wallet { id } payload } } } }`,
      {
        id: walletId,
      },
    );
    expect(reply.errors).toBeUndefined();
    const { wallet, payload } = reply.data.events.edges[0].node;
    expect(wallet.id).toBe(walletId);
    expect(payload.entries[0].blockId).toBe(blockId);
  });

  it("names the same id in an error's message and its id field", async () => {
    const again = await gateway.graphql(
      `mutation { createWallet(input: { customerExternalId: "alice", currency: "USD" }) { ... on WalletExistsError { message walletId } } }`,
    );
    expect(again.data.createWallet.walletId).toBe(walletId);
    expect(again.data.createWallet.message).toContain(walletId);
  });

  it("reads the UUID and the older global id alike, in queries and mutation inputs", async () => {
    for (const id of [walletId, walletId.toUpperCase(), globalId("Wallet", walletId)]) {
      const reply = await gateway.graphql(
        `query($id: ID!) { wallet(id: $id) { id } node(id: $id) { __typename id } nodes(ids: [$id]) { id } }`,
        { id },
      );
      expect(reply.errors, id).toBeUndefined();
      expect(reply.data, id).toEqual({ wallet: { id: walletId }, node: { __typename: "Wallet", id: walletId }, nodes: [{ id: walletId }] });
      const deposited = await gateway.graphql(
        `mutation($id: ID!) { deposit(input: { walletId: $id, amount: "1" }) { __typename ... on DepositPayload { wallet { id } } } }`,
        { id },
      );
      expect(deposited.data.deposit, id).toEqual({ __typename: "DepositPayload", wallet: { id: walletId } });
    }
  });

  it("node(id:) finds the type of a bare UUID, and null for one that names nothing the token can see", async () => {
    const reply = await gateway.graphql(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, {
      ids: [blockId, walletId, randomUUID()],
    });
    expect(reply.errors).toBeUndefined();
    expect(reply.data.nodes).toEqual([{ __typename: "CreditBlock", id: blockId }, { __typename: "Wallet", id: walletId }, null]);
    const foreign = await gateway.graphql(
      `query($id: ID!) { node(id: $id) { id } wallet(id: $id) { id } }`,
      { id: walletId },
      await gateway.issue("globex"),
    );
    expect(foreign.data).toEqual({ node: null, wallet: null });
  });

  it("reads another type's UUID given for a wallet as a wallet that does not exist", async () => {
    const reply = await gateway.graphql(`query($id: ID!) { wallet(id: $id) { id } }`, { id: blockId });
    expect(reply.data.wallet).toBeNull();
    const deposited = await gateway.graphql(
      `mutation($id: ID!) { deposit(input: { walletId: $id, amount: "1" }) { __typename ... on NotFoundError { message } } }`,
      { id: blockId },
    );
    expect(deposited.data.deposit).toEqual({ __typename: "NotFoundError", message: `Wallet ${blockId} was not found` });
  });
});

describe("in queries", () => {
  it("node(id:) answers NOT_FOUND", async () => {
    for (const id of MALFORMED) {
      const reply = await gateway.graphql(`query($id: ID!) { node(id: $id) { id } }`, { id });
      expect(reply.data.node, id).toBeNull();
      expect(reply.errors, id).toEqual([expect.objectContaining({ extensions: { code: "NOT_FOUND" } })]);
    }
  });

  it("wallet(id:) answers NOT_FOUND, for another type's id in the older form too", async () => {
    for (const id of [...MALFORMED, globalId("CreditBlock", blockId), globalId("CreditBlock", randomUUID())]) {
      const reply = await gateway.graphql(`query($id: ID!) { wallet(id: $id) { id } }`, { id });
      expect(reply.data?.wallet ?? null, id).toBeNull();
      expect(reply.errors, id).toEqual([
        expect.objectContaining({ message: expect.stringMatching(/^Wallet .* was not found$/), extensions: { code: "NOT_FOUND" } }),
      ]);
    }
  });

  it("nodes(ids:) answers null in its place", async () => {
    const reply = await gateway.graphql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [walletId, ...MALFORMED] });
    expect(reply.errors).toBeUndefined();
    expect(reply.data.nodes).toEqual([{ id: walletId }, ...MALFORMED.map(() => null)]);
  });

  it("shortens a long id in the message", async () => {
    const reply = await gateway.graphql(`query($id: ID!) { wallet(id: $id) { id } }`, { id: "x".repeat(5_000) });
    expect(reply.errors![0]!.message).toBe(`Wallet ${"x".repeat(100)}… was not found`);
  });
});

describe("in mutation inputs", () => {
  const ERROR_FIELDS = `... on NotFoundError { __typename code message resource }`;

  it("is the NotFoundError result, naming the type the input takes", async () => {
    const cases: { mutation: string; input: (id: string) => Record<string, unknown>; resource: string }[] = [
      { mutation: "deposit", input: (id) => ({ walletId: id, amount: "100" }), resource: "Wallet" },
      { mutation: "debit", input: (id) => ({ walletId: id, amount: "1" }), resource: "Wallet" },
      { mutation: "void", input: (id) => ({ walletId, blockId: id }), resource: "CreditBlock" },
      { mutation: "captureHold", input: (id) => ({ holdId: id }), resource: "Hold" },
      { mutation: "refund", input: (id) => ({ operationId: id }), resource: "LedgerOperation" },
      { mutation: "updateWallet", input: (id) => ({ walletId: id, name: "renamed" }), resource: "Wallet" },
    ];
    for (const { mutation, input, resource } of cases) {
      // …and a well-formed id of another type, in the older form (a bare UUID is read as the type the input takes).
      for (const id of [...MALFORMED, resource === "Wallet" ? globalId("CreditBlock", blockId) : globalId("Wallet", walletId)]) {
        const type = `${mutation.charAt(0).toUpperCase()}${mutation.slice(1)}Input`;
        const reply = await gateway.graphql(`mutation($input: ${type}!) { ${mutation}(input: $input) { __typename ${ERROR_FIELDS} } }`, {
          input: input(id),
        });
        expect(reply.errors, `${mutation} ${id}`).toBeUndefined();
        expect(reply.data[mutation], `${mutation} ${id}`).toEqual({
          __typename: "NotFoundError",
          code: "NOT_FOUND",
          resource,
          message: expect.stringMatching(new RegExp(`^${resource} .* was not found$`)),
        });
      }
    }
  });

  it("changes nothing", async () => {
    const before = await gateway.graphql(
      `query($id: ID!) { wallet(id: $id) { balance { total } ledgerEntries(first: 10) { totalCount } } }`,
      { id: walletId },
    );
    await gateway.graphql(`mutation { deposit(input: { walletId: "not a global id", amount: "100" }) { __typename } }`);
    const after = await gateway.graphql(
      `query($id: ID!) { wallet(id: $id) { balance { total } ledgerEntries(first: 10) { totalCount } } }`,
      { id: walletId },
    );
    expect(after.data).toEqual(before.data);
  });
});

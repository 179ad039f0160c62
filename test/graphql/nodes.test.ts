// node(id:) and nodes(ids:): each id's node in the order asked, null for what the token cannot
// see (unknown, another tenant's, malformed), each type loaded in one query after one query that
// finds the types of bare UUIDs, at most 100 ids.
import { randomUUID } from "node:crypto";
import type { GraphQLInterfaceType } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { NODE_LOADERS, NODE_TABLES } from "../../src/graphql/nodes.ts";
import { schema } from "../../src/graphql/schema.ts";
import { createWalletVia, depositVia, useGateway, countingPrisma } from "../support/app.ts";

const gateway = useGateway();
const globalId = (typename: string, id: string) => Buffer.from(`${typename}:${id}`).toString("base64");

const ids = {} as {
  wallets: string[];
  customers: string[];
  block: string;
  entry: string;
  operation: string;
  hold: string;
  foreignWallet: string;
};

beforeAll(async () => {
  ids.wallets = [await createWalletVia(gateway, "alice"), await createWalletVia(gateway, "bob"), await createWalletVia(gateway, "carol")];
  const deposited = await depositVia(gateway, ids.wallets[0]!, "1000");
  ids.block = deposited.blocks[0]!.id;
  ids.entry = deposited.entries[0]!.id;
  const held = await gateway.graphql(
    `mutation($w: ID!) { hold(input: { walletId: $w, amount: "10" }) { ... on HoldPayload { hold { id } operation { id } } } }`,
    { w: ids.wallets[0] },
  );
  ids.hold = held.data.hold.hold.id;
  ids.operation = held.data.hold.operation.id;
  const customers = await gateway.graphql(`{ wallets(first: 3) { edges { node { customer { id } } } } }`);
  ids.customers = customers.data.wallets.edges.map((edge: any) => edge.node.customer.id);
  ids.foreignWallet = await createWalletVia(gateway, "alice", await gateway.issue("globex"));
});

/** Runs nodes(ids:) and counts the Prisma operations it caused. */
async function nodes(list: string[], selection = "__typename id") {
  const counted = countingPrisma(gateway.db.prisma);
  const app = createApp({ db: { ...gateway.db, prisma: counted.prisma }, ledger: { prisma: counted.prisma, now: gateway.clock.now } });
  const response = await app.fetch(
    new Request("http://gateway.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${gateway.token}` },
      body: JSON.stringify({ query: `query($ids: [ID!]!) { nodes(ids: $ids) { ${selection} } }`, variables: { ids: list } }),
    }),
  );
  const body = (await response.json()) as {
    data: { nodes: ({ id: string; __typename: string } | null)[] } | null;
    errors?: { message: string; extensions: { code: string } }[];
  };
  return { ...body, operations: counted.operations() };
}

describe("nodes(ids:)", () => {
  it("answers each id with its own node, in the order asked", async () => {
    const asked = [ids.wallets[2]!, ids.customers[0]!, ids.wallets[0]!, ids.block, ids.wallets[1]!, ids.entry, ids.hold, ids.operation];
    const reply = await nodes(asked);
    expect(reply.errors).toBeUndefined();
    expect(reply.data!.nodes.map((node) => node?.id)).toEqual(asked);
    expect(reply.data!.nodes.map((node) => node?.__typename)).toEqual([
      "Wallet",
      "Customer",
      "Wallet",
      "CreditBlock",
      "Wallet",
      "LedgerEntry",
      "Hold",
      "LedgerOperation",
    ]);
  });

  it("answers null in place of unknown, foreign and malformed ids, and repeats a repeated one", async () => {
    const asked = [
      ids.wallets[0]!,
      globalId("Wallet", randomUUID()),
      randomUUID(),
      ids.foreignWallet,
      "not a global id",
      globalId("Wallet", "not-a-uuid"),
      globalId("Tenant", randomUUID()),
      ids.wallets[1]!,
      ids.wallets[0]!,
    ];
    const reply = await nodes(asked);
    expect(reply.errors).toBeUndefined();
    expect(reply.data!.nodes.map((node) => node?.id ?? null)).toEqual([
      ids.wallets[0],
      null,
      null,
      null,
      null,
      null,
      null,
      ids.wallets[1],
      ids.wallets[0],
    ]);
  });

  it("loads each type in one query, however many ids it has", async () => {
    const asked = [...ids.wallets, ...ids.customers, ids.block];
    const olderForm = await nodes(
      [
        ...ids.wallets.map((id) => globalId("Wallet", id)),
        ...ids.customers.map((id) => globalId("Customer", id)),
        globalId("CreditBlock", ids.block),
      ],
      "id",
    );
    expect(olderForm.data!.nodes.map((node) => node?.id)).toEqual(asked);
    // The token lookup, then wallets, customers and blocks.
    expect(olderForm.operations).toBe(4);
    const reply = await nodes(asked, "id ... on Wallet { currency } ... on Customer { externalId } ... on CreditBlock { category }");
    expect(reply.data!.nodes.map((node: any) => node.currency ?? node.externalId ?? node.category)).toEqual([
      "USD",
      "USD",
      "USD",
      "alice",
      "bob",
      "carol",
      "granted",
    ]);
    // Bare UUIDs: the token lookup, the one query that finds their types, then wallets, customers and blocks.
    expect(reply.operations).toBe(5);
  });

  it("refuses more than 100 ids with a typed error, before loading any", async () => {
    expect((await nodes(Array.from({ length: 100 }, () => ids.wallets[0]!))).data!.nodes).toHaveLength(100);
    for (const count of [101, 20_000]) {
      const reply = await nodes(Array.from({ length: count }, (_, i) => `x${i}`));
      expect(reply.data).toBeNull();
      expect(reply.errors).toEqual([
        expect.objectContaining({
          message: `nodes takes at most 100 ids (got ${count})`,
          extensions: { code: "ID_LIMIT_EXCEEDED", limit: 100, actual: count },
        }),
      ]);
      expect(reply.operations).toBe(1);
    }
  });

  it("can load every type that implements Node", () => {
    const implementations = schema.getPossibleTypes(schema.getType("Node") as GraphQLInterfaceType).map((type) => type.name);
    expect(Object.keys(NODE_LOADERS).sort()).toEqual([...implementations].sort());
    expect(Object.keys(NODE_TABLES).sort()).toEqual([...implementations].sort());
  });
});

describe("node(id:)", () => {
  const node = (id: string) => gateway.graphql(`query($id: ID!) { node(id: $id) { __typename id } }`, { id });

  it("answers a visible node, and null for an unknown or foreign one", async () => {
    expect((await node(ids.block)).data.node).toEqual({ __typename: "CreditBlock", id: ids.block });
    expect((await node(globalId("Hold", randomUUID()))).data.node).toBeNull();
    expect((await node(ids.foreignWallet)).data.node).toBeNull();
  });
});

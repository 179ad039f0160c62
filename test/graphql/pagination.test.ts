import { beforeAll, describe, expect, it } from "vitest";
import { createWalletVia, depositVia, useGateway } from "../support/app.ts";

const gateway = useGateway();
let walletId: string;

const ENTRIES = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String, $types: [LedgerEntryType!]) {
  wallet(id: $id) { ledgerEntries(first: $first, after: $after, last: $last, before: $before, types: $types) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { sequence type } }
  } } }`;

async function entries(variables: Record<string, unknown>) {
  const reply = await gateway.graphql(ENTRIES, { id: walletId, ...variables });
  return reply.data?.wallet?.ledgerEntries ?? reply;
}

beforeAll(async () => {
  walletId = await createWalletVia(gateway, "pages");
  for (let index = 0; index < 5; index += 1) await depositVia(gateway, walletId, "10");
});

describe("connections", () => {
  it("is empty on a wallet with no entries", async () => {
    const empty = await createWalletVia(gateway, "empty");
    const reply = await gateway.graphql(ENTRIES, { id: empty, first: 10 });
    expect(reply.data.wallet.ledgerEntries).toMatchObject({
      totalCount: 0,
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false },
    });
  });

  it("pages forwards, newest first, with an exact last page", async () => {
    const first = await entries({ first: 3 });
    expect(first.totalCount).toBe(5);
    expect(first.edges.map((edge: { node: { sequence: string } }) => edge.node.sequence)).toEqual(["5", "4", "3"]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = await entries({ first: 2, after: first.pageInfo.endCursor });
    expect(rest.edges.map((edge: { node: { sequence: string } }) => edge.node.sequence)).toEqual(["2", "1"]);
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });

  it("pages backwards", async () => {
    const last = await entries({ last: 2 });
    expect(last.edges.map((edge: { node: { sequence: string } }) => edge.node.sequence)).toEqual(["2", "1"]);
    expect(last.pageInfo.hasPreviousPage).toBe(true);
    const before = await entries({ last: 2, before: last.pageInfo.startCursor });
    expect(before.edges.map((edge: { node: { sequence: string } }) => edge.node.sequence)).toEqual(["4", "3"]);
  });

  it("filters by entry type", async () => {
    expect((await entries({ first: 10, types: ["decrement"] })).totalCount).toBe(0);
    expect((await entries({ first: 10, types: ["increment"] })).totalCount).toBe(5);
  });

  it("answers a malformed cursor, or arguments that exclude each other, as bad input", async () => {
    const first = await entries({ first: 2 });
    for (const variables of [
      { first: 2, after: "not a cursor" },
      { first: 2, before: first.pageInfo.endCursor },
      { last: 2, after: first.pageInfo.endCursor },
    ]) {
      const reply = await gateway.graphql(ENTRIES, { id: walletId, ...variables });
      expect(reply.errors?.[0]?.extensions?.code, JSON.stringify(variables)).toBe("BAD_USER_INPUT");
    }
  });

  it("refuses a page larger than 100 with a clear error", async () => {
    const reply = await gateway.graphql(ENTRIES, { id: walletId, first: 101 });
    expect(reply.errors?.[0]).toMatchObject({
      message: "first and last must be between 0 and 100",
      extensions: { code: "PAGE_SIZE_EXCEEDED" },
    });
    const wallets = await gateway.graphql(`{ wallets(first: 500) { totalCount } }`);
    expect(wallets.errors?.[0]?.extensions?.code).toBe("PAGE_SIZE_EXCEEDED");
  });
});

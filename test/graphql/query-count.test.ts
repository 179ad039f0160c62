// No N+1: the number of database round trips for a page of wallets with their balances, blocks
// and entries does not grow with the page size. Counted as Prisma operations (each a round trip),
// through a client extension on the gateway's own client.
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { TokenAuthenticator } from "../../src/auth/authenticator.ts";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { countingPrisma, useGateway } from "../support/app.ts";
import { teamScope } from "../support/ledger.ts";

const gateway = useGateway();

const PAGE = `query($first: Int!) {
  wallets(first: $first) {
    totalCount
    edges { node {
      id currency customer { externalId }
      balance { total used frozen available byCategory { category available } }
      creditBlocks(first: 5) { totalCount edges { node { category remaining } } }
      ledgerEntries(first: 10) { totalCount edges { node { sequence type amount block { category } } } }
    } }
  }
}`;

async function countOperations(first: number): Promise<{ operations: number; wallets: number }> {
  const counted = countingPrisma(gateway.db.prisma);
  // The token's check (a read, and at first use a last-used write) is not the page's cost.
  const tokens = new TokenAuthenticator(gateway.db.prisma, { now: gateway.clock.now });
  const app = createApp({ db: { ...gateway.db, prisma: counted.prisma }, ledger: { prisma: counted.prisma, now: gateway.clock.now }, tokens });
  const response = await app.fetch(
    new Request("http://gateway.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${gateway.token}` },
      body: JSON.stringify({ query: PAGE, variables: { first } }),
    }),
  );
  const body = (await response.json()) as { data: { wallets: { edges: unknown[] } }; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return { operations: counted.operations(), wallets: body.data.wallets.edges.length };
}

beforeAll(async () => {
  const tenant = await gateway.db.prisma.tenant.findUniqueOrThrow({ where: { slug: "acme" } });
  const scope = teamScope(tenant.id, true);
  const ctx = gateway.ledger;
  for (let index = 0; index < 50; index += 1) {
    const { wallet } = await createWallet(ctx, { scope, customer: { externalId: `c-${index}` }, currency: "USD" });
    await deposit(ctx, { scope, walletId: wallet.id, amount: 500n, category: "paid" });
    await deposit(ctx, { scope, walletId: wallet.id, amount: 100n, category: "promo" });
    await debit(ctx, { scope, walletId: wallet.id, amount: 120n });
  }
}, 120_000);

describe("query count", () => {
  it("stays the same for a page of 10 and a page of 50 wallets", async () => {
    const small = await countOperations(10);
    const large = await countOperations(50);
    expect([small.wallets, large.wallets]).toEqual([10, 50]);
    console.log(`Prisma operations for a page of wallets with balances, blocks and entries: 10 wallets -> ${small.operations}, 50 wallets -> ${large.operations}`);
    expect(large.operations).toBe(small.operations);
    expect(large.operations).toBeLessThanOrEqual(12);
  });
});

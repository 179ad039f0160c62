// Wallet.ledgerEntries.totalCount: unfiltered it is the wallet's last sequence number, so no count
// runs over its history; filtered it is counted, in one query per filter for a page of wallets.
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import type { PrismaClient } from "../../src/db/generated/client.ts";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { holdCredits } from "../../src/ledger/commands/hold.ts";
import type { Scope } from "../../src/ledger/context.ts";
import { countingPrisma, useGateway } from "../support/app.ts";
import { teamScope } from "../support/ledger.ts";

const gateway = useGateway();
let scope: Scope;
const walletIds: string[] = [];

const COUNTS = `query($first: Int!) { wallets(first: $first) { edges { node {
  id
  all: ledgerEntries(first: 1) { totalCount }
  decrements: ledgerEntries(first: 1, types: [decrement]) { totalCount }
  promo: ledgerEntries(first: 1, category: "promo") { totalCount }
} } } }`;

interface CountsReply {
  wallets: {
    edges: { node: { id: string; all: { totalCount: number }; decrements: { totalCount: number }; promo: { totalCount: number } } }[];
  };
}

/** Runs COUNTS on a gateway whose every query goes through `prisma`. */
async function countsVia(prisma: PrismaClient, first: number): Promise<CountsReply> {
  const app = createApp({ db: { ...gateway.db, prisma }, ledger: { prisma, now: gateway.clock.now } });
  const response = await app.fetch(
    new Request("http://gateway.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${gateway.token}` },
      body: JSON.stringify({ query: COUNTS, variables: { first } }),
    }),
  );
  const body = (await response.json()) as { data: CountsReply; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

async function debitMany(walletId: string, times: number): Promise<void> {
  for (let index = 0; index < times; index += 1) await debit(gateway.ledger, { scope, walletId, amount: 1n });
}

beforeAll(async () => {
  const tenant = await gateway.db.prisma.tenant.findUniqueOrThrow({ where: { slug: "acme" } });
  scope = teamScope(tenant.id, true);
  for (let index = 0; index < 4; index += 1) {
    const { wallet } = await createWallet(gateway.ledger, { scope, customer: { externalId: `counted-${index}` }, currency: "USD" });
    await deposit(gateway.ledger, { scope, walletId: wallet.id, amount: 500n, category: "paid" });
    await deposit(gateway.ledger, { scope, walletId: wallet.id, amount: 50n, category: "promo", priority: 10 });
    await holdCredits(gateway.ledger, { scope, walletId: wallet.id, amount: 5n });
    await debitMany(wallet.id, index * 10);
    walletIds.push(wallet.id);
  }
}, 120_000);

describe("Wallet.ledgerEntries.totalCount", () => {
  it("counts every entry, and those of a type or a category", async () => {
    const reply = await countsVia(gateway.db.prisma, 10);
    const counts = new Map(
      reply.wallets.edges.map(({ node }) => [
        node.id,
        { all: node.all.totalCount, decrements: node.decrements.totalCount, promo: node.promo.totalCount },
      ]),
    );
    // Each debit of 1 is one entry; the promo block (first in line) also has its deposit and the hold.
    expect(walletIds.map((walletId) => counts.get(walletId))).toEqual([
      { all: 3, decrements: 0, promo: 2 },
      { all: 13, decrements: 10, promo: 12 },
      { all: 23, decrements: 20, promo: 22 },
      { all: 33, decrements: 30, promo: 32 },
    ]);
  });

  it("runs no count for all of a wallet's entries", async () => {
    const counting: string[] = [];
    const watched = gateway.db.prisma.$extends({
      query: {
        async $allOperations({ model, operation, args, query }) {
          const countsEntries = model === "LedgerEntry" && ["count", "aggregate", "groupBy"].includes(operation);
          if (countsEntries || JSON.stringify(args ?? {}).includes('"_count"')) counting.push(`${model}.${operation}`);
          return query(args);
        },
      },
    }) as unknown as PrismaClient;
    const app = createApp({ db: { ...gateway.db, prisma: watched }, ledger: { prisma: watched, now: gateway.clock.now } });
    const response = await app.fetch(
      new Request("http://gateway.test/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${gateway.token}` },
        body: JSON.stringify({
          query: `query($id: ID!) {
            wallet(id: $id) { ledgerEntries(first: 1) { totalCount } }
            wallets(first: 10) { edges { node { ledgerEntries(first: 1) { totalCount } } } }
          }`,
          variables: { id: walletIds[3]! },
        }),
      }),
    );
    const body = (await response.json()) as { data: { wallet: { ledgerEntries: { totalCount: number } } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data.wallet.ledgerEntries.totalCount).toBe(33);
    expect(counting).toEqual([]);
  });

  it("counts filtered entries of a page of wallets in one query per filter", async () => {
    const operations = async (first: number) => {
      const counted = countingPrisma(gateway.db.prisma);
      const app = createApp({ db: { ...gateway.db, prisma: counted.prisma }, ledger: { prisma: counted.prisma, now: gateway.clock.now } });
      const response = await app.fetch(
        new Request("http://gateway.test/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${gateway.token}` },
          body: JSON.stringify({
            query: `query($first: Int!) { wallets(first: $first) { edges { node { ledgerEntries(first: 1, types: [decrement]) { totalCount } } } } }`,
            variables: { first },
          }),
        }),
      );
      const body = (await response.json()) as { data: { wallets: { edges: unknown[] } }; errors?: unknown };
      expect(body.errors).toBeUndefined();
      expect(body.data.wallets.edges).toHaveLength(first);
      return counted.operations();
    };
    expect(await operations(4)).toBe(await operations(2));
  });
});

// No N+1: the number of database round trips for a page of wallets with their balances, blocks
// and entries does not grow with the page size, and the rows read do not grow with a wallet's
// history. Round trips are counted twice: as Prisma operations, through a client extension on the
// gateway's own client, and as the SQL statements sent (one operation with an `include` sends one
// statement per relation; the raw-query port's count too). The bench's page, 50 wallets with 10
// entries each, is pinned at its round trips: a change that adds one fails here.
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { TokenAuthenticator } from "../../src/auth/authenticator.ts";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { countingPrisma, useGateway } from "../support/app.ts";
import type { Scope } from "../../src/ledger/context.ts";
import { teamScope } from "../support/ledger.ts";
import { countingSqlStatements } from "../support/sql-statements.ts";

const gateway = useGateway();
let scope: Scope;

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

/** The page the HTTP bench drives: wallets with their balances and latest entries. */
const BALANCES_AND_ENTRIES = `query($first: Int!) { wallets(first: $first) { edges { node { id currency balance { total used frozen available }
  ledgerEntries(first: 10) { edges { node { sequence type amount endingBalance createdAt } } } } } } }`;

interface Cost {
  operations: number;
  statements: number;
  rows: number;
  wallets: number;
  /** Entries on the page, over all its wallets. */
  entries: number;
  /** The statements' texts, to show when their number changes. */
  texts: string[];
}

/**
 * The page of 50 wallets with their balances and 10 latest entries (the HTTP bench's): the
 * wallets, their balances from their blocks, their latest entries. One more is a regression.
 */
const WALLET_PAGE_ROUND_TRIPS = 3;

async function cost(query: string, first: number): Promise<Cost> {
  const counted = countingPrisma(gateway.db.prisma);
  // The token's check (a read, and at first use a last-used write) is not the page's cost: it is
  // made, and cached, by a first request.
  const tokens = new TokenAuthenticator(gateway.db.prisma, { now: gateway.clock.now });
  const app = createApp({
    db: { ...gateway.db, prisma: counted.prisma },
    ledger: { prisma: counted.prisma, now: gateway.clock.now },
    tokens,
  });
  const send = async () => {
    const response = await app.fetch(
      new Request("http://gateway.test/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${gateway.token}` },
        body: JSON.stringify({ query, variables: { first } }),
      }),
    );
    const body = (await response.json()) as {
      data: { wallets: { edges: { node: { ledgerEntries: { edges: unknown[] } } }[] } };
      errors?: unknown;
    };
    expect(body.errors).toBeUndefined();
    const { edges } = body.data.wallets;
    return { wallets: edges.length, entries: edges.reduce((sum, { node }) => sum + node.ledgerEntries.edges.length, 0) };
  };
  await send();
  await tokens.settled();
  const operationsBefore = counted.operations();
  const sql = countingSqlStatements();
  try {
    const { wallets, entries } = await send();
    return {
      operations: counted.operations() - operationsBefore,
      statements: sql.statements(),
      rows: sql.rows(),
      wallets,
      entries,
      texts: sql.texts(),
    };
  } finally {
    sql.stop();
  }
}

beforeAll(async () => {
  const tenant = await gateway.db.prisma.tenant.findUniqueOrThrow({ where: { slug: "acme" } });
  scope = teamScope(tenant.id, true);
  const ctx = gateway.ledger;
  for (let index = 0; index < 50; index += 1) {
    const { wallet } = await createWallet(ctx, { scope, customer: { externalId: `c-${index}` }, currency: "USD" });
    await deposit(ctx, { scope, walletId: wallet.id, amount: 500n, category: "paid" });
    await deposit(ctx, { scope, walletId: wallet.id, amount: 100n, category: "promo" });
    // Ten entries each, as in the HTTP bench's page.
    for (let entry = 0; entry < 8; entry += 1) await debit(ctx, { scope, walletId: wallet.id, amount: 15n });
  }
}, 240_000);

describe("query count", () => {
  it("stays the same for a page of 10 and a page of 50 wallets", async () => {
    const small = await cost(PAGE, 10);
    const large = await cost(PAGE, 50);
    expect([small.wallets, large.wallets]).toEqual([10, 50]);
    console.log(
      `a page of wallets with balances, blocks and entries: 10 wallets -> ${small.operations} Prisma operations, ${small.statements} SQL statements; 50 wallets -> ${large.operations}, ${large.statements}`,
    );
    expect({ ...large, rows: 0, entries: 0, texts: [] }).toEqual({ ...small, rows: 0, entries: 0, texts: [], wallets: 50 });
    expect(large.operations).toBeLessThanOrEqual(12);
  });

  it(`reads 50 wallets with their balances and ten latest entries in ${WALLET_PAGE_ROUND_TRIPS} round trips, and fails on one more`, async () => {
    const small = await cost(BALANCES_AND_ENTRIES, 10);
    const large = await cost(BALANCES_AND_ENTRIES, 50);
    expect([small.wallets, large.wallets, small.entries, large.entries]).toEqual([10, 50, 100, 500]);
    console.log(
      `a page of wallets with balances and latest entries: 10 wallets -> ${small.statements} SQL statements; 50 wallets -> ${large.statements}`,
    );
    expect({ ...large, rows: 0, entries: 0 }).toEqual({ ...small, rows: 0, entries: 0, wallets: 50 });
    // Every round trip counts, whichever way it goes: Prisma's client or the raw-query port.
    expect(large.texts, large.texts.join("\n\n")).toHaveLength(WALLET_PAGE_ROUND_TRIPS);
  });

  it("reads a wallet's latest entries, not its whole history", async () => {
    const [first] = await gateway.db.prisma.wallet.findMany({
      where: { tenantId: scope.tenantId },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: 1,
    });
    const debitFirst = async (times: number) => {
      for (let index = 0; index < times; index += 1) await debit(gateway.ledger, { scope, walletId: first!.id, amount: 1n });
    };
    await debitFirst(10);
    const before = await cost(BALANCES_AND_ENTRIES, 50);
    await debitFirst(40);
    const after = await cost(BALANCES_AND_ENTRIES, 50);
    expect(after).toEqual(before);
  });
});

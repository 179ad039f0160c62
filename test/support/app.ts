// The whole gateway on a fresh test database, called in process through `app.fetch`.
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { createApp, type App } from "../../src/app.ts";
import { issueToken } from "../../src/auth/tokens.ts";
import type { Database } from "../../src/db/database.ts";
import type { PrismaClient } from "../../src/db/generated/client.ts";
import type { LedgerContext } from "../../src/ledger/context.ts";
import { verifyLedger } from "../../src/ledger/verify.ts";
import { createTestDatabase } from "./database.ts";
import { TestClock } from "./ledger.ts";

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export interface GatewayFixture {
  db: Database;
  app: App;
  ledger: LedgerContext;
  clock: TestClock;
  /** A team token of tenant "acme" (live). */
  token: string;
  /** Issues another token. */
  issue(tenantSlug: string, options?: { test?: boolean; customer?: string }): Promise<string>;
  /** Runs a GraphQL operation with a token (the fixture's by default) and returns the parsed reply. */
  graphql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<T>>;
}

export function useGateway(): GatewayFixture {
  const fixture = {} as GatewayFixture;
  beforeAll(async () => {
    fixture.db = await createTestDatabase();
    fixture.clock = new TestClock(new Date());
    fixture.ledger = { prisma: fixture.db.prisma, now: fixture.clock.now };
    fixture.app = createApp({ db: fixture.db, ledger: fixture.ledger });
    fixture.issue = (tenantSlug, options = {}) =>
      issueToken(fixture.db.prisma, { tenantSlug, test: options.test ?? false, customerExternalId: options.customer ?? null });
    fixture.token = await fixture.issue("acme");
    fixture.graphql = async (query, variables = {}, token = fixture.token) => {
      const response = await fixture.app.fetch(
        new Request("http://gateway.test/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ query, variables }),
        }),
      );
      const body = (await response.json()) as { data: any; errors?: GraphQLResponse["errors"] };
      return { status: response.status, data: body.data, errors: body.errors };
    };
  });
  afterEach(async () => {
    expect(await verifyLedger(fixture.db.prisma)).toEqual([]);
  });
  afterAll(async () => {
    await fixture.db?.close();
  });
  return fixture;
}

export const WALLET_FIELDS = `
  id currency scale status overdraftLimit
  balance { total used frozen available byCategory { category available } }
`;

/** Creates a wallet through the API and returns its global id. */
export async function createWalletVia(
  gateway: GatewayFixture,
  customerExternalId: string,
  token?: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const reply = await gateway.graphql(
    `mutation($input: CreateWalletInput!) { createWallet(input: $input) { __typename ... on CreateWalletPayload { wallet { id } } ... on Error { message } } }`,
    { input: { customerExternalId, currency: "USD", ...extra } },
    token,
  );
  expect(reply.data.createWallet.__typename, JSON.stringify(reply)).toBe("CreateWalletPayload");
  return reply.data.createWallet.wallet.id;
}

export async function depositVia(
  gateway: GatewayFixture,
  walletId: string,
  amount: string,
  extra: Record<string, unknown> = {},
  token?: string,
) {
  const reply = await gateway.graphql(
    `mutation($input: DepositInput!) { deposit(input: $input) { __typename ... on DepositPayload { blocks { id } entries { id } } ... on Error { code message } } }`,
    { input: { walletId, amount, ...extra } },
    token,
  );
  expect(reply.data.deposit.__typename, JSON.stringify(reply)).toBe("DepositPayload");
  return reply.data.deposit as { blocks: { id: string }[]; entries: { id: string }[] };
}

/** The fixture's Prisma client, counting the operations (round trips) it runs: for N+1 checks. */
export function countingPrisma(prisma: PrismaClient): { prisma: PrismaClient; operations(): number } {
  let operations = 0;
  const counted = prisma.$extends({
    query: {
      async $allOperations({ args, query }) {
        operations += 1;
        return query(args);
      },
    },
  }) as unknown as PrismaClient;
  return { prisma: counted, operations: () => operations };
}

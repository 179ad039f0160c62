// Scoped and unscoped debits racing on one wallet through two gateway processes sharing one
// PostgreSQL database: each debit spends only the blocks it may, every credit is spent once,
// and the ledger's invariants hold afterwards.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.ts";
import { verifyLedger } from "../../src/ledger/index.ts";
import { testDatabaseKind } from "../support/database.ts";
import { startGatewayProcesses, type GatewayProcesses } from "../support/gateway-processes.ts";

// Processes share a database only on PostgreSQL: an embedded database belongs to one process.
describe.skipIf(testDatabaseKind !== "postgres")("scoped and unscoped debits across two gateways", () => {
  let gateways: GatewayProcesses;

  beforeAll(async () => {
    gateways = await startGatewayProcesses(2, {});
  }, 120_000);
  afterAll(() => gateways?.stop());

  async function graphql(index: number, query: string, variables: Record<string, unknown>) {
    const response = await fetch(`${gateways.urls[index]}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${gateways.token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data: any; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  }

  async function depositOn(walletId: string, amount: string, appliesTo: string[]): Promise<string> {
    const data = await graphql(
      1,
      `
        mutation ($input: DepositInput!) {
          deposit(input: $input) {
            __typename
            ... on DepositPayload {
              blocks {
                id
              }
            }
          }
        }
      `,
      { input: { walletId, amount, appliesTo } },
    );
    return data.deposit.blocks[0].id;
  }

  /** Debits of 10 on alternating gateways, all at once; the outcome of each. */
  function debits(walletId: string, count: number, feature: string | null, offset: number): Promise<string>[] {
    return Array.from({ length: count }, (_, index) =>
      graphql(
        (index + offset) % 2,
        `
          mutation ($input: DebitInput!) {
            debit(input: $input) {
              __typename
              ... on Error {
                code
              }
            }
          }
        `,
        { input: { walletId, amount: "10", ...(feature ? { feature } : {}) } },
      ).then((data) => (data.debit.__typename === "DebitPayload" ? "debited" : data.debit.code)),
    );
  }

  it("spend each block only for what it applies to, every credit once, and verify clean", async () => {
    const created = await graphql(
      0,
      `
        mutation ($input: CreateWalletInput!) {
          createWallet(input: $input) {
            ... on CreateWalletPayload {
              wallet {
                id
              }
            }
          }
        }
      `,
      { input: { customerExternalId: "racing-scoped", currency: "USD" } },
    );
    const walletId = created.createWallet.wallet.id as string;
    const anyUsage = await depositOn(walletId, "500", []);
    const chat = await depositOn(walletId, "300", ["chat"]);

    // Enough for everyone: 200 for chat (from its own block), 200 for any usage.
    const first = await Promise.all([...debits(walletId, 20, "chat", 0), ...debits(walletId, 20, null, 1)]);
    expect(first.every((outcome) => outcome === "debited")).toBe(true);

    // 400 left for 500 asked: whatever the interleaving, chat debits take their block before the
    // shared one and unscoped debits never touch chat's, so exactly 40 debits of 10 succeed.
    const second = await Promise.all([...debits(walletId, 20, "chat", 0), ...debits(walletId, 30, null, 1)]);
    expect(second.filter((outcome) => outcome === "debited")).toHaveLength(40);
    expect(second.filter((outcome) => outcome !== "debited").every((code) => code === "INSUFFICIENT_CREDITS")).toBe(true);

    const db = await openDatabase({ databaseUrl: gateways.databaseUrl, poolSize: 1 });
    try {
      const blocks = await db.prisma.creditBlock.findMany({ where: { walletId } });
      expect(blocks.map((block) => [block.id, block.remaining])).toEqual(
        expect.arrayContaining([
          [anyUsage, 0n],
          [chat, 0n],
        ]),
      );
      const unscopedOnChat = await db.prisma.ledgerEntry.count({ where: { blockId: chat, operation: { type: "debit", feature: null } } });
      expect(unscopedOnChat).toBe(0);
      expect(await verifyLedger(db.prisma)).toEqual([]);
    } finally {
      await db.close();
    }
  }, 300_000);
});

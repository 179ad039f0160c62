// What claiming webhook deliveries costs the database: the rows of webhook_delivery one claim
// reads stay few whether 20 or 20,000 deliveries are pending (counted by the database's own
// statistics), and a commit that wrote no delivery claims nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import type { LedgerContext, Scope } from "../../src/ledger/context.ts";
import { createInProcessEventFeed } from "../../src/ledger/event-feed.ts";
import { claimDueDeliveries, startWebhookSender, wakingSender, type WebhookSenderOptions } from "../../src/webhooks/delivery.ts";
import { createTestDatabase } from "../support/database.ts";
import { teamScope } from "../support/ledger.ts";
import { rowsRead } from "../support/rows-read.ts";
import { countingSqlStatements } from "../support/sql-statements.ts";

let db: Database;
let scope: Scope;
let eventId: string;
const now = () => new Date();

beforeAll(async () => {
  db = await createTestDatabase();
  const tenant = await db.prisma.tenant.create({ data: { slug: "claims", name: "Claims" } });
  scope = teamScope(tenant.id, true);
  const { wallet } = await createWallet({ prisma: db.prisma, now }, { scope, customer: { externalId: "claims" }, currency: "USD" });
  eventId = (await db.prisma.event.findFirstOrThrow({ where: { walletId: wallet.id } })).id;
});
afterAll(() => db?.close());

const options = (prisma = db.prisma): WebhookSenderOptions => ({ prisma, now, allowPrivate: true, timeoutMs: 10_000, concurrency: 16 });

/**
 * A fresh endpoint with `wallets` × `perWallet` pending deliveries, due since an hour ago, written
 * in SQL (the claim reads only the delivery rows; they all name one real event). The first
 * wallet's first delivery waits for a retry, so everything behind it in that wallet is blocked.
 */
async function endpointWithBacklog(wallets: number, perWallet: number): Promise<string> {
  await db.prisma.webhookEndpoint.deleteMany({});
  const endpoint = await db.prisma.webhookEndpoint.create({
    data: { tenantId: scope.tenantId, livemode: true, url: "http://127.0.0.1:9/", eventTypes: ["*"], secret: "whsec_test" },
  });
  await db.prisma.$executeRaw`
    INSERT INTO webhook_delivery (event_id, endpoint_id, wallet_id, sequence, next_attempt_at, created_at, updated_at)
    SELECT ${eventId}::uuid, ${endpoint.id}::uuid, ('00000000-0000-4000-8000-' || lpad(w::text, 12, '0'))::uuid, s,
           now() - interval '1 hour' + (s * interval '1 millisecond'), now() - interval '1 hour' + (s * interval '1 millisecond'), now()
    FROM generate_series(1, ${wallets}::int) AS w, generate_series(1, ${perWallet}::int) AS s`;
  await db.prisma.$executeRaw`
    UPDATE webhook_delivery SET attempts = 1, next_attempt_at = now() + interval '1 hour'
    WHERE endpoint_id = ${endpoint.id}::uuid AND wallet_id = '00000000-0000-4000-8000-000000000001' AND sequence = 1`;
  await db.prisma.$executeRawUnsafe("ANALYZE webhook_delivery");
  return endpoint.id;
}

async function claimRowsRead(): Promise<{ rows: number; claimed: number }> {
  let claimed = 0;
  const rows = await rowsRead(db.prisma, "webhook_delivery", async (tx) => {
    claimed = (await claimDueDeliveries(options(tx), 16)).length;
  });
  return { rows, claimed };
}

describe("claiming webhook deliveries", () => {
  it("reads a few hundred rows at most, with 20 deliveries pending as with 20,000", async () => {
    await endpointWithBacklog(20, 1);
    const few = await claimRowsRead();
    await endpointWithBacklog(200, 100);
    const many = await claimRowsRead();
    console.log(`claim: ${few.rows} rows of webhook_delivery read with 20 pending, ${many.rows} with 20,000`);
    // The endpoint's room: 4 leases.
    expect([few.claimed, many.claimed]).toEqual([4, 4]);
    // The endpoint's window (32 rows), a probe for each, the leases: not the backlog.
    expect(few.rows).toBeLessThan(300);
    expect(many.rows).toBeLessThan(300);
  });

  it("is not run, nor looked for, after a commit while no endpoint exists, and is after one that wrote a delivery", async () => {
    await db.prisma.webhookEndpoint.deleteMany({});
    const sender = startWebhookSender({ ...options(), pollMs: 150 });
    const ledger: LedgerContext = { prisma: db.prisma, now, eventFeed: wakingSender(createInProcessEventFeed(), sender) };
    const { wallet } = await createWallet(ledger, { scope, customer: { externalId: "quiet" }, currency: "USD" });
    // Let the sender's first poll pass.
    await new Promise((resolve) => setTimeout(resolve, 200));

    const claimsAfter = async (work: () => Promise<unknown>) => {
      const counter = countingSqlStatements();
      try {
        await work();
        // Time for the sender to look at the commit, and for a few polls.
        await new Promise((resolve) => setTimeout(resolve, 600));
        const texts = counter.texts();
        return {
          claims: texts.filter((text) => /UPDATE webhook_delivery d SET locked_until/.test(text)).length,
          lookups: texts.filter((text) => /JOIN webhook_delivery d ON d.event_id/.test(text)).length,
        };
      } finally {
        counter.stop();
      }
    };
    try {
      expect(await claimsAfter(() => deposit(ledger, { scope, walletId: wallet.id, amount: 100n }))).toEqual({ claims: 0, lookups: 0 });
      await db.prisma.webhookEndpoint.create({
        data: {
          tenantId: scope.tenantId,
          livemode: true,
          url: "http://127.0.0.1:9/",
          eventTypes: ["operation.completed"],
          secret: "whsec_test",
        },
      });
      // A poll finds the endpoint; from then on commits are looked at.
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect((await claimsAfter(() => deposit(ledger, { scope, walletId: wallet.id, amount: 100n }))).claims).toBeGreaterThan(0);
    } finally {
      await sender.stop();
      await db.prisma.webhookEndpoint.deleteMany({});
    }
  });
});

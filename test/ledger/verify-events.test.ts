// verifyLedger finds an operation without its event and a gap in a wallet's event numbers.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { verifyLedger } from "../../src/ledger/verify.ts";
import { createTestDatabase } from "../support/database.ts";
import { teamScope } from "../support/ledger.ts";

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.close());

it("reports an operation without operation.completed and a wallet whose event numbers have a gap", async () => {
  const tenant = await db.prisma.tenant.create({ data: { slug: "verify-events", name: "Verify" } });
  const scope = teamScope(tenant.id, true);
  const { wallet } = await createWallet(
    { prisma: db.prisma, now: () => new Date() },
    { scope, customer: { externalId: "c" }, currency: "USD" },
  );
  expect(await verifyLedger(db.prisma)).toEqual([]);

  // Written around the ledger: an operation that told nothing, and a number skipped.
  const silent = await db.prisma.operation.create({
    data: { tenantId: tenant.id, walletId: wallet.id, type: "wallet_update", requestHash: "hash" },
  });
  await db.prisma.wallet.update({ where: { id: wallet.id }, data: { lastEventSequence: { increment: 1 } } });

  const violations = await verifyLedger(db.prisma);
  expect(violations.map((violation) => violation.invariant).sort()).toEqual([
    "event sequence numbers run 1..n without gaps, ending at the wallet's last event sequence",
    "every operation has one operation.completed event, on its wallet",
  ]);
  expect(violations.find((violation) => violation.invariant.startsWith("every operation"))!.detail).toMatchObject({
    operation_id: silent.id,
  });
});

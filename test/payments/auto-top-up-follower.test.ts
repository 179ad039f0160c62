// The auto top-ups' follower of the event log, where its order matters: a transaction that took
// an earlier position commits after a later one is visible, and the follower neither skips it nor
// passes it; a gateway finding the cursor held by another steps aside. PostgreSQL only: the
// embedded database is one session, in which no transaction stays open while another commits.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { debit } from "../../src/ledger/commands/debit.ts";
import { LEDGER_DEBIT } from "../../src/ledger/debit-batches.ts";
import { followOnce } from "../../src/jobs/event-follower.ts";
import { AUTO_TOP_UPS_CONSUMER, autoTopUpsFor, setAutoTopUpRule, watchAutoTopUps } from "../../src/payments/auto-top-up.ts";
import { loadPaymentsConfig } from "../../src/payments/config.ts";
import { setPaymentMethod, type PaymentsDeps } from "../../src/payments/payment-methods.ts";
import { createStripeAccess } from "../../src/payments/stripe-client.ts";
import { testDatabaseKind } from "../support/database.ts";
import { startFakeStripe, type FakeStripe } from "../support/fake-stripe.ts";
import { useLedger } from "../support/ledger.ts";

describe.skipIf(testDatabaseKind !== "postgres")("the auto top-ups' follower", () => {
  const ledger = useLedger();
  let stripe: FakeStripe;
  let deps: PaymentsDeps;
  beforeAll(async () => {
    stripe = await startFakeStripe();
    deps = {
      ledger: ledger.ctx,
      payments: createStripeAccess(loadPaymentsConfig({ STRIPE_SECRET_KEY: "sk_test_fake", STRIPE_API_BASE: stripe.url })!),
    };
  });
  afterAll(() => stripe?.close());

  const reaction = () => ({ consumer: AUTO_TOP_UPS_CONSUMER, inTransaction: (tx: any, events: any) => autoTopUpsFor(deps, tx, events) });

  /** Steps until a step reads nothing; answers that step. */
  async function followUntilNothingIsRead() {
    for (let step = 0; step < 100; step += 1) {
      const outcome = await followOnce(ledger.db.prisma, reaction(), { batchSize: 100 });
      if (outcome.read === 0) return outcome;
    }
    throw new Error("the follower kept reading");
  }

  it("checks a debit that commits after a later-numbered event was visible, and waits for it rather than passing it", async () => {
    const ruled = await ledger.newWallet();
    const customer = await ledger.db.prisma.customer.findUniqueOrThrow({ where: { id: ruled.customerId } });
    await setPaymentMethod(deps, { scope: ledger.scope, customerExternalId: customer.externalId, paymentMethodId: "pm_card_visa" });
    await ledger.fund(ruled.id, 1_500n);
    await setAutoTopUpRule(deps, { scope: ledger.scope, walletId: ruled.id, rule: { threshold: 1_000n, amount: 5_000n } });
    const other = await ledger.newWallet();
    await ledger.fund(other.id, 1_000n);
    await followUntilNothingIsRead();

    // A debit of the ruled wallet takes its event's position, and its transaction stays open…
    let commit!: () => void;
    const committing = new Promise<void>((resolve) => (commit = resolve));
    let debited!: () => void;
    const positionTaken = new Promise<void>((resolve) => (debited = resolve));
    const held = ledger.db.prisma.$transaction(
      async (tx) => {
        const values = [
          ledger.scope.tenantId,
          ledger.scope.livemode,
          ruled.id,
          700n,
          null, // categories
          null, // feature
          ledger.clock.now(),
          null,
          "held-debit",
          null,
          null,
          "{}",
        ];
        const [row] = await tx.$queryRawUnsafe<{ result: { outcome: string } }[]>(LEDGER_DEBIT, ...values);
        expect(row!.result.outcome).toBe("debited");
        debited();
        await committing;
      },
      { timeout: 60_000 },
    );
    await positionTaken;
    // …while a debit of another wallet, numbered after it, commits and is visible.
    await debit(ledger.ctx, { scope: ledger.scope, walletId: other.id, amount: 100n });
    const [heldEvent] = await ledger.db.prisma.$queryRaw<
      { position: bigint }[]
    >`SELECT max(position) AS position FROM event WHERE wallet_id = ${other.id}::uuid`;

    // The follower reads up to the open transaction and no further: the later event waits too.
    expect(await followUntilNothingIsRead()).toEqual({ claimed: true, read: 0, more: false, heldBack: true });
    const cursor = await ledger.db.prisma.eventCursor.findUniqueOrThrow({ where: { consumer: AUTO_TOP_UPS_CONSUMER } });
    expect(cursor.position).toBeLessThan(heldEvent!.position);

    commit();
    await held;
    const watcher = watchAutoTopUps(() => deps);
    onTestFinished(() => watcher.stop());
    await watcher.settled();
    const [debitEvent] = await ledger.db.prisma.$queryRaw<{ id: string }[]>`
      SELECT e.id::text FROM event e JOIN operation o ON o.id = e.operation_id
      WHERE o.request_hash = 'held-debit' AND e.type = 'operation.completed'`;
    expect(
      await ledger.db.prisma.topUp.findMany({
        where: { walletId: ruled.id },
        select: { status: true, amount: true, firedByEventId: true },
      }),
    ).toEqual([{ status: "succeeded", amount: 5_000n, firedByEventId: debitEvent!.id }]);
  });

  it("steps aside while another gateway holds the cursor, and reads nothing", async () => {
    let release!: () => void;
    const releasing = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const holder = ledger.db.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT consumer FROM event_cursor WHERE consumer = ${AUTO_TOP_UPS_CONSUMER} FOR UPDATE`;
      locked();
      await releasing;
    });
    await lockTaken;
    expect(await followOnce(ledger.db.prisma, reaction(), { batchSize: 100 })).toEqual({
      claimed: false,
      read: 0,
      more: false,
      heldBack: false,
    });
    release();
    await holder;
    expect((await followOnce(ledger.db.prisma, reaction(), { batchSize: 100 })).claimed).toBe(true);
  });
});

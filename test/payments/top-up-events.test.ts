// A top-up tells its outcome once, in the transaction that settles it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { loadPaymentsConfig } from "../../src/payments/config.ts";
import { setPaymentMethod, type PaymentsDeps } from "../../src/payments/payment-methods.ts";
import { createStripeAccess } from "../../src/payments/stripe-client.ts";
import { completeTopUp, topUp } from "../../src/payments/top-up.ts";
import { startFakeStripe, type FakeStripe } from "../support/fake-stripe.ts";
import { useLedger } from "../support/ledger.ts";

const ledger = useLedger();
let stripe: FakeStripe;
let deps: PaymentsDeps;

beforeAll(async () => {
  stripe = await startFakeStripe();
  const config = loadPaymentsConfig({ STRIPE_SECRET_KEY: "sk_test_fake", STRIPE_API_BASE: stripe.url });
  deps = { ledger: ledger.ctx, payments: createStripeAccess(config!) };
});
afterAll(() => stripe.close());

async function walletPaying(paymentMethodId: string, externalId: string) {
  const { wallet } = await createWallet(ledger.ctx, { scope: ledger.scope, customer: { externalId }, currency: "USD" });
  await setPaymentMethod(deps, { scope: ledger.scope, customerExternalId: externalId, paymentMethodId });
  return wallet;
}

const topUpEvents = (walletId: string) =>
  ledger.db.prisma.event.findMany({ where: { walletId, type: { startsWith: "top_up." } }, orderBy: { sequence: "asc" } });

describe("top-up events", () => {
  it("tell a success once, however many times the payment is settled", async () => {
    const wallet = await walletPaying("pm_card_visa", "told-success");
    const credited = await topUp(deps, { scope: ledger.scope, walletId: wallet.id, amount: 2_000n });
    const record = await ledger.db.prisma.topUp.findFirstOrThrow({ where: { walletId: wallet.id } });
    // Stripe's webhook delivering the same payment again settles it again.
    await completeTopUp(deps, record, { id: record.stripePaymentIntentId!, chargeId: record.stripeChargeId });
    const events = await topUpEvents(wallet.id);
    expect(events.map((event) => event.type)).toEqual(["top_up.succeeded"]);
    expect(events[0]).toMatchObject({
      operationId: credited.operation.id,
      payload: { topUp: { id: record.id, amount: "2000", currency: "USD", trigger: "manual" } },
    });
  });

  it("tell a decline as top_up.failed with Stripe's codes", async () => {
    const wallet = await walletPaying("pm_card_chargeDeclined", "told-failure");
    await topUp(deps, { scope: ledger.scope, walletId: wallet.id, amount: 2_000n }).catch(() => null);
    const events = await topUpEvents(wallet.id);
    expect(events.map((event) => event.type)).toEqual(["top_up.failed"]);
    expect(events[0]!.payload).toMatchObject({ topUp: { failureCode: "card_declined", declineCode: "generic_decline" } });
  });
});

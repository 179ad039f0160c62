// Paid top-ups through the real Stripe SDK against a local fake Stripe.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import type { LedgerContext } from "../../src/ledger/context.ts";
import { walletBalance } from "../../src/ledger/balances.ts";
import { loadPaymentsConfig } from "../../src/payments/config.ts";
import { PaymentFailedError, PaymentPendingError, PaymentsNotConfiguredError } from "../../src/payments/errors.ts";
import { setPaymentMethod, type PaymentsDeps } from "../../src/payments/payment-methods.ts";
import { createStripeAccess } from "../../src/payments/stripe-client.ts";
import { LEASE_MS, runDueTopUps, topUp, UNKNOWN_OUTCOME_RETRY_MS } from "../../src/payments/top-up.ts";
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
  const customer = await setPaymentMethod(deps, { scope: ledger.scope, customerExternalId: externalId, paymentMethodId });
  return { wallet, customer };
}

describe("top-ups", () => {
  it("shows the card on file", async () => {
    const { customer } = await walletPaying("pm_card_visa", "card-holder");
    expect(customer).toMatchObject({
      cardBrand: "visa",
      cardLast4: "4242",
      cardExpMonth: 12,
      cardExpYear: 2034,
      paymentMethodId: "pm_card_visa",
    });
  });

  it("charges once and credits a paid block that carries the Stripe charge id", async () => {
    const { wallet } = await walletPaying("pm_card_visa", "payer-1");
    const before = stripe.charges.length;
    const result = await topUp(deps, { scope: ledger.scope, walletId: wallet.id, amount: 2_000n, idempotencyKey: "top-1" });
    expect(result.blocks).toMatchObject([{ category: "paid", source: "top_up", amount: 2_000n }]);
    expect(result.entries[0]!.metadata).toMatchObject({ stripe_charge_id: expect.stringMatching(/^ch_/) });
    const replay = await topUp(deps, { scope: ledger.scope, walletId: wallet.id, amount: 2_000n, idempotencyKey: "top-1" });
    expect(replay.replayed).toBe(true);
    expect(stripe.charges.length - before).toBe(1);
    expect((await walletBalance(ledger.ctx, ledger.scope, wallet.id)).available).toBe(2_000n);
  });

  it("turns a decline into PaymentFailed with Stripe's decline code, and credits nothing", async () => {
    const { wallet } = await walletPaying("pm_card_chargeDeclined", "payer-2");
    const error = await topUp(deps, { scope: ledger.scope, walletId: wallet.id, amount: 2_000n }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PaymentFailedError);
    expect(error).toMatchObject({ declineCode: "generic_decline", stripeCode: "card_declined" });
    expect((await walletBalance(ledger.ctx, ledger.scope, wallet.id)).available).toBe(0n);
  });

  it("turns authentication-required into PaymentFailed", async () => {
    const { wallet } = await walletPaying("pm_card_authenticationRequired", "payer-3");
    await expect(topUp(deps, { scope: ledger.scope, walletId: wallet.id, amount: 2_000n })).rejects.toMatchObject({
      stripeCode: "authentication_required",
    });
  });

  it("refuses less than $1.00, and a wallet without a payment method", async () => {
    const { wallet } = await walletPaying("pm_card_visa", "payer-4");
    await expect(topUp(deps, { scope: ledger.scope, walletId: wallet.id, amount: 99n })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    const { wallet: bare } = await createWallet(ledger.ctx, { scope: ledger.scope, customer: { externalId: "no-card" }, currency: "USD" });
    await expect(topUp(deps, { scope: ledger.scope, walletId: bare.id, amount: 500n })).rejects.toMatchObject({
      stripeCode: "payment_method_missing",
    });
  });

  it("completes a top-up exactly once after a crash between the charge and the credit", async () => {
    const { wallet } = await walletPaying("pm_card_visa", "payer-5");
    const before = stripe.charges.length;
    // The process "dies" when it tries to write the credit: every transaction fails.
    const crashing: LedgerContext = {
      now: ledger.ctx.now,
      prisma: new Proxy(ledger.ctx.prisma, {
        get: (target, property, receiver) =>
          property === "$transaction" ? () => Promise.reject(new Error("process killed")) : Reflect.get(target, property, receiver),
      }),
    };
    await expect(topUp({ ...deps, ledger: crashing }, { scope: ledger.scope, walletId: wallet.id, amount: 1_500n })).rejects.toThrow(
      "process killed",
    );
    expect((await walletBalance(ledger.ctx, ledger.scope, wallet.id)).available).toBe(0n);

    // While the request could still be alive, its lease keeps the sweep away.
    expect(await runDueTopUps(deps)).toEqual({ succeeded: 0, failed: 0, pending: 0 });
    ledger.clock.advance(LEASE_MS);
    expect(await runDueTopUps(deps)).toEqual({ succeeded: 1, failed: 0, pending: 0 });
    expect(await runDueTopUps(deps)).toEqual({ succeeded: 0, failed: 0, pending: 0 });
    expect(stripe.charges.length - before).toBe(1);
    expect((await walletBalance(ledger.ctx, ledger.scope, wallet.id)).available).toBe(1_500n);
  });

  it("charges once when Stripe charges but its answer never arrives, whether the caller asks again or the sweep completes it", async () => {
    const impatient: PaymentsDeps = {
      ledger: ledger.ctx,
      payments: createStripeAccess(
        loadPaymentsConfig({ STRIPE_SECRET_KEY: "sk_test_fake", STRIPE_API_BASE: stripe.url, STRIPE_TIMEOUT_MS: "200" })!,
      ),
    };
    const { wallet } = await walletPaying("pm_card_visa", "payer-timeout");
    const before = stripe.charges.length;

    stripe.answerLate(1_000);
    const lost = await topUp(impatient, { scope: ledger.scope, walletId: wallet.id, amount: 3_000n, idempotencyKey: "late-1" }).catch(
      (caught: unknown) => caught,
    );
    expect(lost).toBeInstanceOf(PaymentPendingError);
    expect(stripe.charges.length - before).toBe(1);
    expect((await walletBalance(ledger.ctx, ledger.scope, wallet.id)).available).toBe(0n);

    // Asking again with the same key asks Stripe under the same attempt key: the original charge.
    const retried = await topUp(impatient, { scope: ledger.scope, walletId: wallet.id, amount: 3_000n, idempotencyKey: "late-1" });
    expect(retried.blocks).toMatchObject([{ category: "paid", amount: 3_000n }]);

    stripe.answerLate(1_000);
    await expect(
      topUp(impatient, { scope: ledger.scope, walletId: wallet.id, amount: 500n, idempotencyKey: "late-2" }),
    ).rejects.toBeInstanceOf(PaymentPendingError);
    ledger.clock.advance(UNKNOWN_OUTCOME_RETRY_MS);
    expect(await runDueTopUps(impatient)).toEqual({ succeeded: 1, failed: 0, pending: 0 });

    expect(stripe.charges.length - before).toBe(2);
    expect((await walletBalance(ledger.ctx, ledger.scope, wallet.id)).available).toBe(3_500n);
  });

  it("charges once for concurrent requests with one idempotency key", async () => {
    const { wallet } = await walletPaying("pm_card_visa", "payer-race");
    const before = stripe.charges.length;
    const results = await Promise.all(
      Array.from({ length: 8 }, () => topUp(deps, { scope: ledger.scope, walletId: wallet.id, amount: 1_000n, idempotencyKey: "race-1" })),
    );
    expect(new Set(results.map((result) => result.operation.id)).size).toBe(1);
    expect(stripe.charges.length - before).toBe(1);
    expect((await walletBalance(ledger.ctx, ledger.scope, wallet.id)).available).toBe(1_000n);
  });

  it("completes a top-up with the card it was recorded with, even after the card on file changed", async () => {
    const { wallet } = await walletPaying("pm_card_visa", "payer-card-change");
    const crashing: LedgerContext = {
      now: ledger.ctx.now,
      prisma: new Proxy(ledger.ctx.prisma, {
        get: (target, property, receiver) =>
          property === "$transaction" ? () => Promise.reject(new Error("process killed")) : Reflect.get(target, property, receiver),
      }),
    };
    await expect(topUp({ ...deps, ledger: crashing }, { scope: ledger.scope, walletId: wallet.id, amount: 700n })).rejects.toThrow(
      "process killed",
    );
    await setPaymentMethod(deps, {
      scope: ledger.scope,
      customerExternalId: "payer-card-change",
      paymentMethodId: "pm_card_chargeDeclined",
    });
    ledger.clock.advance(LEASE_MS);
    expect(await runDueTopUps(deps)).toEqual({ succeeded: 1, failed: 0, pending: 0 });
    expect((await walletBalance(ledger.ctx, ledger.scope, wallet.id)).available).toBe(700n);
  });

  it("never reaches Stripe live from test mode", async () => {
    const live = {
      ledger: ledger.ctx,
      payments: createStripeAccess(loadPaymentsConfig({ STRIPE_SECRET_KEY: "sk_live_fake", STRIPE_API_BASE: stripe.url })!),
    };
    const { wallet } = await createWallet(ledger.ctx, {
      scope: { ...ledger.scope, livemode: false },
      customer: { externalId: "sandbox" },
      currency: "USD",
    });
    await expect(topUp(live, { scope: { ...ledger.scope, livemode: false }, walletId: wallet.id, amount: 500n })).rejects.toBeInstanceOf(
      PaymentsNotConfiguredError,
    );
  });
});

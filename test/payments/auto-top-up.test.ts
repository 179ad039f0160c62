// Auto top-ups through the real Stripe SDK against the fake Stripe: fired by debits found in the
// event log (a commit only wakes the follower), once per crossing across gateways, retried with
// backoff, given up on with the reason.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Wallet } from "../../src/db/generated/client.ts";
import { walletBalance } from "../../src/ledger/balances.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import type { LedgerContext } from "../../src/ledger/context.ts";
import { setAutoTopUpRule, watchAutoTopUps, type AutoTopUps, type AutoTopUpSettings } from "../../src/payments/auto-top-up.ts";
import { loadPaymentsConfig } from "../../src/payments/config.ts";
import { setPaymentMethod, type PaymentsDeps } from "../../src/payments/payment-methods.ts";
import { createStripeAccess, type StripeAccess } from "../../src/payments/stripe-client.ts";
import { DECLINE_BACKOFF_MS, runDueTopUps } from "../../src/payments/top-up.ts";
import { startFakeStripe, type FakeStripe } from "../support/fake-stripe.ts";
import { captureLogs } from "../support/logs.ts";
import { useLedger } from "../support/ledger.ts";

const ledger = useLedger();
const logs = captureLogs();
let stripe: FakeStripe;
let payments: StripeAccess;

/** One gateway process: its own ledger context, whose commits feed its own watcher. */
interface Gateway {
  ctx: LedgerContext;
  deps: PaymentsDeps;
  autoTopUps: AutoTopUps;
}

function gatewayProcess(): Gateway {
  const gateway = {} as Gateway;
  gateway.autoTopUps = watchAutoTopUps(() => gateway.deps);
  gateway.ctx = { ...ledger.ctx, onCommitted: (change) => gateway.autoTopUps.onCommitted(change) };
  gateway.deps = { ledger: gateway.ctx, payments };
  return gateway;
}

let gateway: Gateway;

beforeAll(async () => {
  stripe = await startFakeStripe();
  payments = createStripeAccess(loadPaymentsConfig({ STRIPE_SECRET_KEY: "sk_test_fake", STRIPE_API_BASE: stripe.url })!);
  gateway = gatewayProcess();
});
afterAll(async () => {
  await gateway.autoTopUps.stop();
  await stripe.close();
});

async function walletWithRule(rule: AutoTopUpSettings, funded: bigint, card = "pm_card_visa"): Promise<Wallet> {
  const wallet = await ledger.newWallet();
  const customer = await ledger.db.prisma.customer.findUniqueOrThrow({ where: { id: wallet.customerId } });
  await setPaymentMethod(gateway.deps, { scope: ledger.scope, customerExternalId: customer.externalId, paymentMethodId: card });
  if (funded > 0n) await ledger.fund(wallet.id, funded);
  await setAutoTopUpRule(gateway.deps, { scope: ledger.scope, walletId: wallet.id, rule });
  return wallet;
}

/** The payloads of the wallet's `auto_top_up.paused` events, oldest first. */
const pausedEvents = async (walletId: string) =>
  (await ledger.db.prisma.event.findMany({ where: { walletId, type: "auto_top_up.paused" }, orderBy: { sequence: "asc" } })).map(
    (event) => event.payload,
  );
const available = async (walletId: string) => (await walletBalance(ledger.ctx, ledger.scope, walletId)).available;
const topUpsOf = (walletId: string) => ledger.db.prisma.topUp.findMany({ where: { walletId }, orderBy: { createdAt: "asc" } });
const spend = (on: Gateway, walletId: string, amount: bigint) => debit(on.ctx, { scope: ledger.scope, walletId, amount });

describe("auto top-ups", () => {
  it("fires once when concurrent debits in two gateways cross the threshold", async () => {
    const wallet = await walletWithRule({ threshold: 1_000n, amount: 5_000n }, 2_000n);
    const other = gatewayProcess();
    const charges = stripe.charges.length;

    // 30 debits of 50, split between two gateways: the balance crosses 1,000 once, mid-way.
    await Promise.all(Array.from({ length: 30 }, (_, i) => spend(i % 2 === 0 ? gateway : other, wallet.id, 50n)));
    await Promise.all([gateway.autoTopUps.settled(), other.autoTopUps.settled()]);

    expect(stripe.charges.length - charges).toBe(1);
    expect(await topUpsOf(wallet.id)).toMatchObject([{ trigger: "auto", status: "succeeded", amount: 5_000n, attempts: 1 }]);
    expect(await available(wallet.id)).toBe(2_000n - 1_500n + 5_000n);
  });

  it("checks a debit no gateway was told of, from the event log, once", async () => {
    const wallet = await walletWithRule({ threshold: 1_000n, amount: 5_000n }, 1_500n);
    const charges = stripe.charges.length;
    // Committed by a process whose after-commit notice never ran (it died right after the commit).
    await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 700n });

    // Gateways started later find it in the log; however many follow, the check is made once.
    const later = [gatewayProcess(), gatewayProcess()];
    await Promise.all(later.map((process) => process.autoTopUps.settled()));
    await gateway.autoTopUps.settled();
    expect(stripe.charges.length - charges).toBe(1);
    expect(await topUpsOf(wallet.id)).toMatchObject([{ trigger: "auto", status: "succeeded", amount: 5_000n }]);
    expect(await available(wallet.id)).toBe(1_500n - 700n + 5_000n);
  });

  it("does nothing while the balance stays at or above the threshold", async () => {
    const wallet = await walletWithRule({ threshold: 1_000n, amount: 5_000n }, 2_000n);
    await spend(gateway, wallet.id, 1_000n);
    await gateway.autoTopUps.settled();
    expect(await topUpsOf(wallet.id)).toEqual([]);
  });

  it("tops up to the target balance", async () => {
    const wallet = await walletWithRule({ threshold: 500n, targetBalance: 3_000n }, 1_000n);
    await spend(gateway, wallet.id, 800n);
    await gateway.autoTopUps.settled();
    expect(await topUpsOf(wallet.id)).toMatchObject([{ amount: 2_800n, status: "succeeded" }]);
    expect(await available(wallet.id)).toBe(3_000n);
  });

  it("fires again on the next crossing after a successful top-up", async () => {
    const wallet = await walletWithRule({ threshold: 1_000n, amount: 1_000n }, 1_000n);
    await spend(gateway, wallet.id, 500n);
    await gateway.autoTopUps.settled();
    await spend(gateway, wallet.id, 1_000n);
    await gateway.autoTopUps.settled();
    expect((await topUpsOf(wallet.id)).map((topUp) => topUp.status)).toEqual(["succeeded", "succeeded"]);
    expect(await available(wallet.id)).toBe(1_500n);
  });

  it("retries a declined payment with backoff, and credits once it goes through", async () => {
    const wallet = await walletWithRule({ threshold: 1_000n, amount: 2_000n }, 1_000n);
    stripe.declineNext(2);
    await spend(gateway, wallet.id, 100n);
    await gateway.autoTopUps.settled();
    expect(await topUpsOf(wallet.id)).toMatchObject([
      { status: "pending", attempts: 1, attemptFailed: true, declineCode: "insufficient_funds" },
    ]);

    // Not due yet: the sweep leaves it alone.
    expect(await runDueTopUps(gateway.deps)).toEqual({ succeeded: 0, failed: 0, pending: 0 });
    ledger.clock.advance(DECLINE_BACKOFF_MS[0]!);
    expect(await runDueTopUps(gateway.deps)).toEqual({ succeeded: 0, failed: 0, pending: 1 });
    // Further debits meanwhile do not open a second top-up.
    await spend(gateway, wallet.id, 100n);
    await gateway.autoTopUps.settled();
    ledger.clock.advance(DECLINE_BACKOFF_MS[1]!);
    expect(await runDueTopUps(gateway.deps)).toEqual({ succeeded: 1, failed: 0, pending: 0 });

    expect(await topUpsOf(wallet.id)).toMatchObject([{ status: "succeeded", attempts: 3 }]);
    expect(await available(wallet.id)).toBe(1_000n - 200n + 2_000n);
  });

  it("gives up after maxAttempts, says why, and pauses the rule until the balance recovers", async () => {
    const wallet = await walletWithRule({ threshold: 1_000n, amount: 2_000n, maxAttempts: 2 }, 1_000n);
    stripe.declineNext(2, "card_velocity_exceeded");
    await spend(gateway, wallet.id, 100n);
    await gateway.autoTopUps.settled();
    ledger.clock.advance(DECLINE_BACKOFF_MS[0]!);
    expect(await runDueTopUps(gateway.deps)).toEqual({ succeeded: 0, failed: 1, pending: 0 });

    const [gaveUp] = await topUpsOf(wallet.id);
    expect(gaveUp).toMatchObject({
      status: "failed",
      attempts: 2,
      declineCode: "card_velocity_exceeded",
      failureMessage: expect.stringMatching(/^gave up after 2 attempt/),
    });
    const rule = await ledger.db.prisma.autoTopUpRule.findUniqueOrThrow({ where: { walletId: wallet.id } });
    expect(rule.pausedReason).toBe(gaveUp!.failureMessage);

    // Paused: another debit below the threshold charges nothing.
    await spend(gateway, wallet.id, 100n);
    await gateway.autoTopUps.settled();
    expect(await topUpsOf(wallet.id)).toHaveLength(1);

    // A deposit brings it back over the threshold: the rule resumes, and the next crossing fires.
    await deposit(gateway.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 500n });
    await gateway.autoTopUps.settled();
    expect((await ledger.db.prisma.autoTopUpRule.findUniqueOrThrow({ where: { walletId: wallet.id } })).pausedAt).toBeNull();
    await spend(gateway, wallet.id, 400n);
    await gateway.autoTopUps.settled();
    expect((await topUpsOf(wallet.id)).map((topUp) => topUp.status)).toEqual(["failed", "succeeded"]);
  });

  it("completes an auto top-up whose answer was lost, with the same attempt, charging once", async () => {
    const impatientPayments = createStripeAccess(
      loadPaymentsConfig({ STRIPE_SECRET_KEY: "sk_test_fake", STRIPE_API_BASE: stripe.url, STRIPE_TIMEOUT_MS: "200" })!,
    );
    const impatient = gatewayProcess();
    impatient.deps = { ...impatient.deps, payments: impatientPayments };
    const wallet = await walletWithRule({ threshold: 1_000n, amount: 2_000n }, 1_000n);
    const charges = stripe.charges.length;

    stripe.answerLate(1_000);
    await spend(impatient, wallet.id, 100n);
    await impatient.autoTopUps.settled();
    expect(await topUpsOf(wallet.id)).toMatchObject([{ status: "pending", attempts: 1, attemptFailed: false }]);

    ledger.clock.advance(60_000);
    expect(await runDueTopUps(gateway.deps)).toEqual({ succeeded: 1, failed: 0, pending: 0 });
    expect(await topUpsOf(wallet.id)).toMatchObject([{ status: "succeeded", attempts: 1 }]);
    expect(stripe.charges.length - charges).toBe(1);
    expect(await available(wallet.id)).toBe(2_900n);
  });

  it("pauses a rule whose wallet has no card when its threshold is crossed, and says so with an event", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 1_000n);
    await setAutoTopUpRule(gateway.deps, {
      scope: ledger.scope,
      walletId: wallet.id,
      rule: { threshold: 1_000n, amount: 500n },
    });
    await spend(gateway, wallet.id, 1n);
    await gateway.autoTopUps.settled();
    // Nothing recorded to fail later: the rule is paused at once, with the reason.
    expect(await topUpsOf(wallet.id)).toEqual([]);
    const rule = await ledger.db.prisma.autoTopUpRule.findUniqueOrThrow({ where: { walletId: wallet.id } });
    expect(rule).toMatchObject({ pausedAt: expect.any(Date), pausedReason: expect.stringMatching(/no payment method/) });
    expect(await pausedEvents(wallet.id)).toEqual([
      {
        rule: { walletId: wallet.id, threshold: "1000", pausedAt: rule.pausedAt!.toISOString() },
        reason: "payment_method_missing",
        message: rule.pausedReason,
        topUpId: null,
      },
    ]);
    // Told once: the next debit finds it paused.
    await spend(gateway, wallet.id, 1n);
    await gateway.autoTopUps.settled();
    expect(await pausedEvents(wallet.id)).toHaveLength(1);
  });

  it("pauses a rule whose threshold is crossed on a gateway without payments, with an event and a log line", async () => {
    const withCard = await walletWithRule({ threshold: 1_000n, amount: 500n }, 1_000n);
    // The file's gateway with payments follows the same log from the same cursor, and would race
    // this one for the crossing: only the gateway without payments follows it here.
    await gateway.autoTopUps.stop();
    const unpaid = gatewayProcess();
    unpaid.deps = { ...unpaid.deps, payments: null };
    try {
      logs.clear();
      await spend(unpaid, withCard.id, 1n);
      await unpaid.autoTopUps.settled();
      expect(await topUpsOf(withCard.id)).toEqual([]);
      expect(await pausedEvents(withCard.id)).toMatchObject([{ reason: "payments_not_configured", topUpId: null }]);
      expect(logs.lines).toContainEqual(
        expect.objectContaining({ level: "warn", walletId: withCard.id, msg: expect.stringMatching(/paused: .*STRIPE_SECRET_KEY/) }),
      );
    } finally {
      await unpaid.autoTopUps.stop();
      gateway = gatewayProcess();
    }
  });

  it("tells a rule paused after its declined attempts with an event naming the decline", async () => {
    const wallet = await walletWithRule({ threshold: 1_000n, amount: 2_000n, maxAttempts: 1 }, 1_000n);
    stripe.declineNext(1, "insufficient_funds");
    await spend(gateway, wallet.id, 100n);
    await gateway.autoTopUps.settled();
    const [gaveUp] = await topUpsOf(wallet.id);
    expect(gaveUp).toMatchObject({ status: "failed" });
    expect(await pausedEvents(wallet.id)).toMatchObject([{ reason: "insufficient_funds", topUpId: gaveUp!.id }]);
  });

  it("refuses a rule that could never work, and changes nothing", async () => {
    const wallet = await ledger.newWallet();
    const set = (rule: AutoTopUpSettings) => setAutoTopUpRule(gateway.deps, { scope: ledger.scope, walletId: wallet.id, rule });
    await expect(set({ threshold: 1_000n })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      issues: [{ path: ["autoTopUp", "amount"] }],
    });
    await expect(set({ threshold: 1_000n, amount: 50n })).rejects.toMatchObject({
      issues: [{ path: ["autoTopUp", "amount"], message: "must be at least 100" }],
    });
    await expect(set({ threshold: 1_000n, targetBalance: 900n })).rejects.toMatchObject({
      issues: [{ path: ["autoTopUp", "targetBalance"] }],
    });
    await expect(set({ threshold: -1n, amount: 500n })).rejects.toMatchObject({ issues: [{ path: ["autoTopUp", "threshold"] }] });
    await expect(set({ threshold: 1_000n, amount: 500n, maxAttempts: 0 })).rejects.toMatchObject({
      issues: [{ path: ["autoTopUp", "maxAttempts"] }],
    });
    expect(await ledger.db.prisma.autoTopUpRule.count({ where: { walletId: wallet.id } })).toBe(0);

    const credits = await ledger.newWallet({ currency: null, customUnit: { code: "CREDITS", scale: 0 } });
    await expect(
      setAutoTopUpRule(gateway.deps, { scope: ledger.scope, walletId: credits.id, rule: { threshold: 10n, amount: 500n } }),
    ).rejects.toMatchObject({
      issues: [{ path: ["autoTopUp"], message: "the wallet holds CREDITS, which has no price to charge a card with" }],
    });
  });
});

// A wallet's settings with its auto top-up rule, and a wallet opened with credits and a rule: each
// one command, so all of it or nothing, under one idempotency key whose hash covers the rule. A
// rule charges a card: where payments are not configured it is refused, and nothing changes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { walletBalance } from "../../src/ledger/balances.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { IdempotencyConflictError, ValidationError } from "../../src/ledger/errors.ts";
import { loadPaymentsConfig } from "../../src/payments/config.ts";
import { PaymentsNotConfiguredError } from "../../src/payments/errors.ts";
import type { PaymentsDeps } from "../../src/payments/payment-methods.ts";
import { createStripeAccess } from "../../src/payments/stripe-client.ts";
import { openFundedWallet, updateWalletSettings } from "../../src/payments/wallet-settings.ts";
import { startFakeStripe, type FakeStripe } from "../support/fake-stripe.ts";
import { DAY, useLedger } from "../support/ledger.ts";

const ledger = useLedger();
let stripe: FakeStripe;
/** The ledger with payments configured (a fake Stripe: setting a rule charges nothing). */
let deps: PaymentsDeps;
beforeAll(async () => {
  stripe = await startFakeStripe();
  deps = {
    ledger: ledger.ctx,
    payments: createStripeAccess(loadPaymentsConfig({ STRIPE_SECRET_KEY: "sk_test_fake", STRIPE_API_BASE: stripe.url })!),
  };
});
afterAll(() => stripe?.close());
const RULE = { threshold: 500n, amount: 2000n };

describe("updateWalletSettings", () => {
  it("changes the settings and the rule together, or neither when the rule does not fit", async () => {
    const wallet = await ledger.newWallet();
    const bad = updateWalletSettings(deps, {
      scope: ledger.scope,
      walletId: wallet.id,
      name: "main",
      autoTopUp: { threshold: 500n, amount: 1n },
    });
    await expect(bad).rejects.toBeInstanceOf(ValidationError);
    expect(await ledger.db.prisma.wallet.findUniqueOrThrow({ where: { id: wallet.id } })).toMatchObject({ name: null });

    await updateWalletSettings(deps, { scope: ledger.scope, walletId: wallet.id, name: "main", autoTopUp: RULE });
    expect(await ledger.db.prisma.wallet.findUniqueOrThrow({ where: { id: wallet.id } })).toMatchObject({ name: "main" });
    expect(await ledger.db.prisma.autoTopUpRule.findUniqueOrThrow({ where: { walletId: wallet.id } })).toMatchObject({
      threshold: 500n,
      amount: 2000n,
    });
  });

  it("refuses a key reused with another rule, or with the rule removed, and changes nothing", async () => {
    const wallet = await ledger.newWallet();
    const input = { scope: ledger.scope, walletId: wallet.id, name: "keyed", autoTopUp: RULE, idempotencyKey: "settings-1" };
    await updateWalletSettings(deps, input);

    await expect(updateWalletSettings(deps, { ...input, autoTopUp: { ...RULE, amount: 9000n } })).rejects.toBeInstanceOf(
      IdempotencyConflictError,
    );
    await expect(updateWalletSettings(deps, { ...input, autoTopUp: null })).rejects.toBeInstanceOf(IdempotencyConflictError);
    await expect(updateWalletSettings(deps, { ...input, autoTopUp: undefined })).rejects.toBeInstanceOf(IdempotencyConflictError);
    expect((await updateWalletSettings(deps, input)).replayed).toBe(true);
    expect(await ledger.db.prisma.autoTopUpRule.findUniqueOrThrow({ where: { walletId: wallet.id } })).toMatchObject({ amount: 2000n });
  });
});

describe("without payments configured", () => {
  const withoutPayments = () => ({ ledger: ledger.ctx, payments: null });

  it("refuses a rule with PaymentsNotConfiguredError, naming what to set, and changes nothing", async () => {
    const wallet = await ledger.newWallet();
    const refused = updateWalletSettings(withoutPayments(), { scope: ledger.scope, walletId: wallet.id, name: "main", autoTopUp: RULE });
    await expect(refused).rejects.toBeInstanceOf(PaymentsNotConfiguredError);
    await expect(refused).rejects.toThrow(/auto top-up rule charges a card.*STRIPE_SECRET_KEY.*npm run dev/);
    expect(await ledger.db.prisma.wallet.findUniqueOrThrow({ where: { id: wallet.id } })).toMatchObject({ name: null });
    expect(await ledger.db.prisma.autoTopUpRule.count({ where: { walletId: wallet.id } })).toBe(0);
    const opening = { scope: ledger.scope, customer: { externalId: "never-ruled" }, autoTopUp: RULE };
    await expect(openFundedWallet(withoutPayments(), opening)).rejects.toBeInstanceOf(PaymentsNotConfiguredError);
    expect(await ledger.db.prisma.customer.count({ where: { externalId: "never-ruled" } })).toBe(0);
  });

  it("still changes settings, and removes a rule", async () => {
    const wallet = await ledger.newWallet();
    await updateWalletSettings(deps, { scope: ledger.scope, walletId: wallet.id, autoTopUp: RULE });
    await updateWalletSettings(withoutPayments(), { scope: ledger.scope, walletId: wallet.id, name: "kept", autoTopUp: null });
    expect(await ledger.db.prisma.wallet.findUniqueOrThrow({ where: { id: wallet.id } })).toMatchObject({ name: "kept" });
    expect(await ledger.db.prisma.autoTopUpRule.count({ where: { walletId: wallet.id } })).toBe(0);
  });
});

describe("openFundedWallet", () => {
  const opening = (externalId: string, key: string) => ({
    scope: ledger.scope,
    customer: { externalId },
    customUnit: { code: "CREDITS", scale: 0 },
    deposits: [
      { amount: 100n, category: "paid", costBasis: "0.25" },
      { amount: 20n, category: "granted", costBasis: "0" },
    ],
    autoTopUp: { threshold: 10n, amount: 50n, pricing: { unitPrice: "0.25", chargeCurrency: "USD" } },
    idempotencyKey: key,
  });

  it("opens the wallet with its credits and its rule in one go, and a replay answers the balances it opened with", async () => {
    const input = opening("funded", "open-funded");
    const first = await openFundedWallet(deps, input);
    expect(first.balance).toMatchObject({ available: 120n, total: 120n });
    expect(first.balance.byCategory.map(({ category, available }) => [category, available])).toEqual([
      ["granted", 20n],
      ["paid", 100n],
    ]);
    expect(await ledger.db.prisma.autoTopUpRule.findUniqueOrThrow({ where: { walletId: first.wallet.id } })).toMatchObject({
      threshold: 10n,
      amount: 50n,
    });

    ledger.clock.advance(1000);
    await debit(ledger.ctx, { scope: ledger.scope, walletId: first.wallet.id, amount: 30n });
    const again = await openFundedWallet(deps, input);
    expect(again.replayed).toBe(true);
    expect(again.balance).toEqual(first.balance);
    expect(again.wallet.balance).toBe(120n);
    expect((await walletBalance(ledger.ctx, ledger.scope, first.wallet.id)).available).toBe(90n);
    await expect(openFundedWallet(deps, { ...input, deposits: input.deposits.slice(0, 1) })).rejects.toBeInstanceOf(
      IdempotencyConflictError,
    );
  });

  it("writes nothing, not even the customer, when a deposit or the rule does not fit", async () => {
    const expired = {
      ...opening("never-opened", "bad-deposit"),
      deposits: [{ amount: 5n, expiresAt: new Date(ledger.clock.now().getTime() - DAY) }],
    };
    await expect(openFundedWallet(deps, expired)).rejects.toBeInstanceOf(ValidationError);
    const badRule = { ...opening("never-opened", "bad-rule"), autoTopUp: { threshold: 10n } };
    await expect(openFundedWallet(deps, badRule)).rejects.toBeInstanceOf(ValidationError);
    expect(await ledger.db.prisma.customer.count({ where: { externalId: "never-opened" } })).toBe(0);
  });
});

// Commerce THRESHOLD rules run as auto top-ups: credits priced at rate_amount, charged through
// the real Stripe SDK against the fake Stripe, over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import type { Scope } from "../../src/ledger/context.ts";
import { watchAutoTopUps, type AutoTopUps } from "../../src/payments/auto-top-up.ts";
import { loadPaymentsConfig } from "../../src/payments/config.ts";
import { setPaymentMethod } from "../../src/payments/payment-methods.ts";
import { createStripeAccess, type StripeAccess } from "../../src/payments/stripe-client.ts";
import { useGateway } from "../support/app.ts";
import { startFakeStripe, type FakeStripe } from "../support/fake-stripe.ts";
import { useHttp } from "../support/http.ts";
import { teamScope } from "../support/ledger.ts";

const gateway = useGateway();
const http = useHttp(gateway);
let stripe: FakeStripe;
let payments: StripeAccess;
let autoTopUps: AutoTopUps;
let scope: Scope;

beforeAll(async () => {
  stripe = await startFakeStripe();
  payments = createStripeAccess(loadPaymentsConfig({ STRIPE_SECRET_KEY: "sk_test_fake", STRIPE_API_BASE: stripe.url })!);
  autoTopUps = watchAutoTopUps(() => ({ ledger: gateway.ledger, payments }));
  gateway.ledger.onCommitted = autoTopUps.onCommitted;
  gateway.app = createApp({ db: gateway.db, ledger: gateway.ledger, payments });
  const tenant = await gateway.db.prisma.tenant.findUniqueOrThrow({ where: { slug: "acme" } });
  scope = teamScope(tenant.id, true);
});
afterAll(async () => {
  await autoTopUps.stop();
  await stripe.close();
});

const RULE = { trigger: "THRESHOLD", method: "FIXED", paid_credits: "40", granted_credits: "4", threshold_credits: "50" };

async function pricedWallet(externalId: string) {
  const created = await http.send("POST", "/v1/commerce/billing/wallets", {
    json: { external_customer_id: externalId, currency: "USD", rate_amount: "0.25", paid_credits: "100" },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await setPaymentMethod({ ledger: gateway.ledger, payments }, { scope, customerExternalId: externalId, paymentMethodId: "pm_card_visa" });
  return created.body as { id: string };
}

describe("commerce THRESHOLD rules", () => {
  it("charges paid_credits × rate_amount when credits fall below threshold_credits, and adds the granted credits", async () => {
    const wallet = await pricedWallet("cw-auto");
    const put = await http.send("PUT", `/v1/commerce/billing/wallets/${wallet.id}`, { json: { recurring_transaction_rules: [RULE] } });
    expect(put).toMatchObject({ status: 200, body: { recurring_transaction_rules: [RULE] } });

    // 60 credits of usage take the wallet from 100 to 40, below 50.
    await debit(gateway.ledger, { scope, walletId: wallet.id, amount: 60_000_000n });
    await autoTopUps.settled();

    const paid = stripe.events.filter((event) => event.type === "payment_intent.succeeded").at(-1)!.data.object;
    expect(paid).toMatchObject({ amount: 1_000, currency: "usd" });
    const fetched = await http.send("GET", `/v1/commerce/billing/wallets/${wallet.id}`);
    expect(fetched.body).toMatchObject({ available_credits: "84", available_balance: { value: "21.00", currency_code: "USD" } });
    const history = await http.send("GET", `/v1/commerce/billing/wallets/${wallet.id}/wallet-transactions`);
    expect(history.body.wallet_transactions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          source: "THRESHOLD",
          transaction_status: "PURCHASED",
          credits: "40",
          amount: { value: "10.00", currency_code: "USD" },
        }),
        expect.objectContaining({ source: "THRESHOLD", transaction_status: "GRANTED", credits: "4" }),
      ]),
    );
  });

  it("answers 400 for a rule it cannot run, and keeps the rules it had", async () => {
    const wallet = await pricedWallet("cw-bad-rule");
    await http.send("PUT", `/v1/commerce/billing/wallets/${wallet.id}`, { json: { recurring_transaction_rules: [RULE] } });
    for (const rules of [
      [{ trigger: "THRESHOLD", method: "FIXED", threshold_credits: "50" }],
      [{ trigger: "THRESHOLD", method: "TARGET", threshold_credits: "50", target_ongoing_balance: "40" }],
      // 2 credits at $0.25 is $0.50, below Stripe's $1.00 minimum.
      [{ trigger: "THRESHOLD", method: "FIXED", paid_credits: "2", threshold_credits: "50" }],
      [RULE, RULE],
      [{ trigger: "SOMETIMES" }],
    ]) {
      const reply = await http.send("PUT", `/v1/commerce/billing/wallets/${wallet.id}`, { json: { recurring_transaction_rules: rules } });
      expect(reply, JSON.stringify(rules)).toMatchObject({
        status: 400,
        body: {
          name: "INVALID_REQUEST",
          details: [expect.objectContaining({ field: "/recurring_transaction_rules", issue: "INVALID_PARAMETER_VALUE" })],
        },
      });
    }
    expect((await http.send("GET", `/v1/commerce/billing/wallets/${wallet.id}`)).body.recurring_transaction_rules).toEqual([RULE]);
    expect(await gateway.db.prisma.autoTopUpRule.findUniqueOrThrow({ where: { walletId: wallet.id } })).toMatchObject({
      threshold: 50_000_000n,
      amount: 40_000_000n,
      bonusAmount: 4_000_000n,
      chargeCurrency: "USD",
    });

    const cleared = await http.send("PUT", `/v1/commerce/billing/wallets/${wallet.id}`, {
      json: { recurring_transaction_rules: [{ trigger: "INTERVAL", interval: "MONTHLY", paid_credits: "10" }] },
    });
    expect(cleared.status).toBe(200);
    expect(await gateway.db.prisma.autoTopUpRule.count({ where: { walletId: wallet.id } })).toBe(0);
  });

  it("gives the credits it adds the wallet's expiration_at, as a TOPUP does, also once expiration_at changes", async () => {
    const wallet = await pricedWallet("cw-expiring");
    const expiration = "2099-06-30T00:00:00.000Z";
    await http.send("PUT", `/v1/commerce/billing/wallets/${wallet.id}`, {
      json: { recurring_transaction_rules: [RULE], expiration_at: "2099-01-01T00:00:00Z" },
    });
    const put = await http.send("PUT", `/v1/commerce/billing/wallets/${wallet.id}`, { json: { expiration_at: expiration } });
    expect(put).toMatchObject({ status: 200, body: { expiration_at: expiration } });

    await debit(gateway.ledger, { scope, walletId: wallet.id, amount: 60_000_000n });
    await autoTopUps.settled();
    const added = await gateway.db.prisma.creditBlock.findMany({ where: { walletId: wallet.id, source: "top_up" } });
    expect(added.map((block) => [block.category, block.expiresAt?.toISOString()])).toEqual(
      expect.arrayContaining([
        ["paid", expiration],
        ["granted", expiration],
      ]),
    );
  });
});

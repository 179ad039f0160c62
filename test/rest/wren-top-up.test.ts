// A live Wren top-up charges the team's card on file through the payments module.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { ensureCustomerWallet } from "../../src/ledger/commands/ensure-customer-wallet.ts";
import { TEAM_CUSTOMER } from "../../src/ledger/customers.ts";
import { loadPaymentsConfig } from "../../src/payments/config.ts";
import { setPaymentMethod } from "../../src/payments/payment-methods.ts";
import { createStripeAccess } from "../../src/payments/stripe-client.ts";
import { useGateway } from "../support/app.ts";
import { startFakeStripe, type FakeStripe } from "../support/fake-stripe.ts";
import { useHttp } from "../support/http.ts";
import { teamScope } from "../support/ledger.ts";

const gateway = useGateway();
const http = useHttp(gateway);
let stripe: FakeStripe;

beforeAll(async () => {
  stripe = await startFakeStripe();
  const payments = createStripeAccess(loadPaymentsConfig({ STRIPE_SECRET_KEY: "sk_test_fake", STRIPE_API_BASE: stripe.url })!);
  // The HTTP server serves whatever gateway.app is when a request arrives.
  gateway.app = createApp({ db: gateway.db, ledger: gateway.ledger, payments });
  const tenant = await gateway.db.prisma.tenant.findUniqueOrThrow({ where: { slug: "acme" } });
  const scope = teamScope(tenant.id, true);
  await ensureCustomerWallet(gateway.ledger, { scope, customer: { externalId: TEAM_CUSTOMER }, currency: "USD" });
  await setPaymentMethod({ ledger: gateway.ledger, payments }, { scope, paymentMethodId: "pm_card_visa" });
});
afterAll(() => stripe.close());

describe("POST /api/credits/top-up, live", () => {
  it("charges once per Idempotency-Key and answers the Stripe charge id and the new balance", async () => {
    const charges = stripe.charges.length;
    const request = { json: { amountInUsdCents: 2_000 }, headers: { "idempotency-key": "wren-top-1" } };
    const reply = await http.send("POST", "/api/credits/top-up", request);
    expect(reply).toEqual({ status: 200, body: { amountCharged: 2_000, id: expect.stringMatching(/^ch_/), creditBalance: 2_000 } });
    const again = await http.send("POST", "/api/credits/top-up", request);
    expect(again.body.id).toBe(reply.body.id);
    expect(stripe.charges.length - charges).toBe(1);
    const ledger = await http.send("GET", "/api/credits/ledger");
    expect(ledger.body.entries).toEqual([
      expect.objectContaining({ type: "top_up", amount_usd_cents: 2_000, stripe_charge_id: reply.body.id }),
    ]);
  });
});

// The fake Stripe lives with the gateway, which runs on it under `npm run dev`; tests start it from here.
import { afterAll, beforeAll } from "vitest";
import { createApp } from "../../src/app.ts";
import { loadPaymentsConfig } from "../../src/payments/config.ts";
import { createStripeAccess } from "../../src/payments/stripe-client.ts";
import type { GatewayFixture } from "./app.ts";
import { startFakeStripe, type FakeStripe } from "../../src/payments/fake-stripe.ts";
export { signWebhook, startFakeStripe, type FakeEvent, type FakeStripe } from "../../src/payments/fake-stripe.ts";

/**
 * Gives the fixture's gateway payments, on a fake Stripe of the file's own, for files whose
 * requests need them (an auto top-up rule is refused on a gateway without payments).
 */
export function usePayments(gateway: GatewayFixture): { readonly stripe: FakeStripe } {
  const fixture = {} as { stripe: FakeStripe };
  beforeAll(async () => {
    fixture.stripe = await startFakeStripe();
    const payments = createStripeAccess(loadPaymentsConfig({ STRIPE_SECRET_KEY: "sk_test_fake", STRIPE_API_BASE: fixture.stripe.url })!);
    gateway.app = createApp({ db: gateway.db, ledger: gateway.ledger, payments });
  });
  afterAll(() => fixture.stripe.close());
  return fixture;
}

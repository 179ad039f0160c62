// setPaymentMethod and topUp through GraphQL, with the real Stripe SDK against the fake Stripe.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { loadPaymentsConfig } from "../../src/payments/config.ts";
import { createStripeAccess } from "../../src/payments/stripe-client.ts";
import { createWalletVia, useGateway } from "../support/app.ts";
import { startFakeStripe, type FakeStripe } from "../support/fake-stripe.ts";

const gateway = useGateway();
let stripe: FakeStripe;

beforeAll(async () => {
  stripe = await startFakeStripe();
  const payments = createStripeAccess(loadPaymentsConfig({ STRIPE_SECRET_KEY: "sk_test_fake", STRIPE_API_BASE: stripe.url })!);
  gateway.app = createApp({ db: gateway.db, ledger: gateway.ledger, payments });
});
afterAll(() => stripe.close());

describe("paying through GraphQL", () => {
  it("sets a card, shows it back, and tops up once per idempotency key", async () => {
    const walletId = await createWalletVia(gateway, "gql-payer");
    const set = await gateway.graphql(
      `mutation { setPaymentMethod(input: { paymentMethodId: "pm_card_visa", customerExternalId: "gql-payer" }) { __typename ... on SetPaymentMethodPayload { customer { paymentMethod { brand last4 expMonth expYear } } } } }`,
    );
    expect(set.data.setPaymentMethod.customer.paymentMethod).toEqual({ brand: "visa", last4: "4242", expMonth: 12, expYear: 2034 });
    const charges = stripe.charges.length;
    const query = `mutation($input: TopUpInput!) { topUp(input: $input) { __typename ... on TopUpPayload { replayed entries { amount metadata } wallet { balance { available } } } ... on Error { code } } }`;
    const first = await gateway.graphql(query, { input: { walletId, amount: "2500", idempotencyKey: "gql-top-1" } });
    expect(first.data.topUp).toMatchObject({ __typename: "TopUpPayload", replayed: false, wallet: { balance: { available: "2500" } } });
    expect(first.data.topUp.entries[0].metadata.stripe_charge_id).toMatch(/^ch_/);
    const again = await gateway.graphql(query, { input: { walletId, amount: "2500", idempotencyKey: "gql-top-1" } });
    expect(again.data.topUp.replayed).toBe(true);
    expect(stripe.charges.length - charges).toBe(1);
  });

  it("answers PaymentFailedError with the decline code", async () => {
    const walletId = await createWalletVia(gateway, "gql-declined");
    await gateway.graphql(`mutation { setPaymentMethod(input: { paymentMethodId: "pm_card_chargeDeclined", customerExternalId: "gql-declined" }) { __typename } }`);
    const reply = await gateway.graphql(
      `mutation($input: TopUpInput!) { topUp(input: $input) { __typename ... on PaymentFailedError { declineCode stripeCode } } }`,
      { input: { walletId, amount: "2500" } },
    );
    expect(reply.data.topUp).toEqual({ __typename: "PaymentFailedError", declineCode: "generic_decline", stripeCode: "card_declined" });
  });
});

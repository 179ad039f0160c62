// setPaymentMethod and topUp through GraphQL, with the real Stripe SDK against the fake Stripe.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { loadPaymentsConfig } from "../../src/payments/config.ts";
import { watchAutoTopUps } from "../../src/payments/auto-top-up.ts";
import { createStripeAccess } from "../../src/payments/stripe-client.ts";
import { createWalletVia, depositVia, useGateway } from "../support/app.ts";
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
    await gateway.graphql(
      `mutation { setPaymentMethod(input: { paymentMethodId: "pm_card_chargeDeclined", customerExternalId: "gql-declined" }) { __typename } }`,
    );
    const reply = await gateway.graphql(
      `mutation($input: TopUpInput!) { topUp(input: $input) { __typename ... on PaymentFailedError { declineCode stripeCode } } }`,
      { input: { walletId, amount: "2500" } },
    );
    expect(reply.data.topUp).toEqual({ __typename: "PaymentFailedError", declineCode: "generic_decline", stripeCode: "card_declined" });
  });
});

describe("auto top-ups through GraphQL", () => {
  const RULE_FIELDS = `autoTopUp { threshold amount targetBalance maxAttempts paused pausedReason }`;
  const update = (input: Record<string, unknown>) =>
    gateway.graphql(
      `mutation($input: UpdateWalletInput!) { updateWallet(input: $input) { __typename ... on UpdateWalletPayload { wallet { ${RULE_FIELDS} } } ... on ValidationError { code fields { path message } } } }`,
      { input },
    );

  it("sets, shows and removes a rule with updateWallet; a bad rule changes nothing", async () => {
    const walletId = await createWalletVia(gateway, "gql-rule");
    const set = await update({ walletId, autoTopUp: { threshold: "1000", amount: "5000" } });
    expect(set.data.updateWallet).toEqual({
      __typename: "UpdateWalletPayload",
      wallet: { autoTopUp: { threshold: "1000", amount: "5000", targetBalance: null, maxAttempts: 4, paused: false, pausedReason: null } },
    });

    const bad = await update({ walletId, name: "renamed", autoTopUp: { threshold: "1000", amount: "5000", targetBalance: "9000" } });
    expect(bad.data.updateWallet).toEqual({
      __typename: "ValidationError",
      code: "VALIDATION_FAILED",
      fields: [{ path: ["autoTopUp", "amount"], message: "give exactly one of amount and targetBalance" }],
    });
    const after = await gateway.graphql(`query($id: ID!) { wallet(id: $id) { name ${RULE_FIELDS} } }`, { id: walletId });
    expect(after.data.wallet).toMatchObject({ name: null, autoTopUp: { amount: "5000" } });

    const removed = await update({ walletId, autoTopUp: null });
    expect(removed.data.updateWallet.wallet.autoTopUp).toBeNull();
  });

  it("fires on a debit made through GraphQL and lists the top-up on the wallet", async () => {
    const watcher = watchAutoTopUps(() => ({
      ledger: gateway.ledger,
      payments: createStripeAccess(loadPaymentsConfig({ STRIPE_SECRET_KEY: "sk_test_fake", STRIPE_API_BASE: stripe.url })!),
    }));
    gateway.ledger.onCommitted = watcher.onCommitted;
    try {
      const walletId = await createWalletVia(gateway, "gql-auto");
      await gateway.graphql(
        `mutation { setPaymentMethod(input: { paymentMethodId: "pm_card_visa", customerExternalId: "gql-auto" }) { __typename } }`,
      );
      await depositVia(gateway, walletId, "1500");
      await update({ walletId, autoTopUp: { threshold: "1000", targetBalance: "4000" } });
      const spent = await gateway.graphql(`mutation($input: DebitInput!) { debit(input: $input) { __typename } }`, {
        input: { walletId, amount: "700" },
      });
      expect(spent.data.debit.__typename).toBe("DebitPayload");
      await watcher.settled();

      const wallet = await gateway.graphql(
        `query($id: ID!) { wallet(id: $id) { balance { available } topUps(first: 5) { totalCount edges { node { amount status trigger attempts stripeChargeId } } } } }`,
        { id: walletId },
      );
      expect(wallet.data.wallet.balance.available).toBe("4000");
      expect(wallet.data.wallet.topUps).toMatchObject({
        totalCount: 1,
        edges: [
          { node: { amount: "3200", status: "succeeded", trigger: "auto", attempts: 1, stripeChargeId: expect.stringMatching(/^ch_/) } },
        ],
      });
    } finally {
      delete gateway.ledger.onCommitted;
      await watcher.stop();
    }
  });
});

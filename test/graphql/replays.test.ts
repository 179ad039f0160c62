// Over GraphQL, a repeated idempotency key answers what the first request answered, the wallet's
// balance included; and the rule of updateWallet is part of what its key stands for.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { loadPaymentsConfig } from "../../src/payments/config.ts";
import { createStripeAccess } from "../../src/payments/stripe-client.ts";
import { createWalletVia, useGateway } from "../support/app.ts";
import { startFakeStripe, type FakeStripe } from "../support/fake-stripe.ts";

const gateway = useGateway();
let stripe: FakeStripe;
// An auto top-up rule needs payments configured: a fake Stripe (setting a rule charges nothing).
beforeAll(async () => {
  stripe = await startFakeStripe();
  const payments = createStripeAccess(loadPaymentsConfig({ STRIPE_SECRET_KEY: "sk_test_fake", STRIPE_API_BASE: stripe.url })!);
  gateway.app = createApp({ db: gateway.db, ledger: gateway.ledger, payments });
});
afterAll(() => stripe?.close());

const DEPOSIT = `mutation($input: DepositInput!) { deposit(input: $input) { __typename ... on DepositPayload { replayed wallet { balance { available } } blocks { remaining } } ... on Error { code } } }`;
const DEBIT = `mutation($input: DebitInput!) { debit(input: $input) { __typename ... on DebitPayload { replayed } ... on Error { code } } }`;
const UPDATE = `mutation($input: UpdateWalletInput!) { updateWallet(input: $input) { __typename ... on UpdateWalletPayload { replayed wallet { name balance { available } } } ... on Error { code } } }`;

describe("a replayed mutation", () => {
  it("answers the balance the deposit left, 2000, not the wallet's balance now", async () => {
    const walletId = await createWalletVia(gateway, "gql-replay");
    const input = { walletId, amount: "2000", idempotencyKey: "gql-deposit-2000" };
    const first = await gateway.graphql(DEPOSIT, { input });
    gateway.clock.advance(1000);
    await gateway.graphql(DEPOSIT, { input: { walletId, amount: "12" } });
    await gateway.graphql(DEBIT, { input: { walletId, amount: "500" } });

    const again = await gateway.graphql(DEPOSIT, { input });
    expect(first.data.deposit).toMatchObject({
      replayed: false,
      wallet: { balance: { available: "2000" } },
      blocks: [{ remaining: "2000" }],
    });
    expect(again.data.deposit).toEqual({ ...first.data.deposit, replayed: true });
  });

  it("of updateWallet refuses its key with another auto top-up rule, and leaves the rule as set", async () => {
    const walletId = await createWalletVia(gateway, "gql-rule");
    const input = { walletId, name: "main", autoTopUp: { threshold: "500", amount: "2000" }, idempotencyKey: "gql-settings" };
    const first = await gateway.graphql(UPDATE, { input });
    expect(first.data.updateWallet).toMatchObject({ replayed: false, wallet: { name: "main" } });

    const other = await gateway.graphql(UPDATE, { input: { ...input, autoTopUp: { threshold: "500", amount: "9000" } } });
    expect(other.data.updateWallet).toEqual({ __typename: "IdempotencyConflictError", code: "IDEMPOTENCY_CONFLICT" });
    const again = await gateway.graphql(UPDATE, { input });
    expect(again.data.updateWallet).toEqual({ ...first.data.updateWallet, replayed: true });
    const rules = await gateway.db.prisma.autoTopUpRule.findMany({ where: { amount: { in: [2000n, 9000n] } } });
    expect(rules.map((rule) => rule.amount)).toEqual([2000n]);
  });
});

// POST /webhooks/stripe over real HTTP, with events the fake Stripe recorded, signed as Stripe
// signs them, delivered twice and out of order.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { walletBalance } from "../../src/ledger/balances.ts";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import type { LedgerContext, Scope } from "../../src/ledger/context.ts";
import { loadPaymentsConfig } from "../../src/payments/config.ts";
import { PaymentPendingError } from "../../src/payments/errors.ts";
import { setPaymentMethod, type PaymentsDeps } from "../../src/payments/payment-methods.ts";
import { createStripeAccess } from "../../src/payments/stripe-client.ts";
import { LEASE_MS, runDueTopUps, topUp } from "../../src/payments/top-up.ts";
import { useGateway } from "../support/app.ts";
import { signWebhook, startFakeStripe, type FakeEvent, type FakeStripe } from "../support/fake-stripe.ts";
import { useHttp } from "../support/http.ts";
import { teamScope } from "../support/ledger.ts";

const SECRET = "whsec_test_secret";
const gateway = useGateway();
const http = useHttp(gateway);
let stripe: FakeStripe;
let deps: PaymentsDeps;
let scope: Scope;

beforeAll(async () => {
  stripe = await startFakeStripe();
  const env = { STRIPE_SECRET_KEY: "sk_test_fake", STRIPE_API_BASE: stripe.url, STRIPE_WEBHOOK_SECRET: SECRET };
  deps = { ledger: gateway.ledger, payments: createStripeAccess(loadPaymentsConfig(env)!) };
  gateway.app = createApp({ db: gateway.db, ledger: gateway.ledger, payments: deps.payments });
  const tenant = await gateway.db.prisma.tenant.findUniqueOrThrow({ where: { slug: "acme" } });
  scope = teamScope(tenant.id, true);
});
afterAll(() => stripe.close());

function deliver(event: FakeEvent, secret = SECRET) {
  const payload = JSON.stringify(event);
  return http.send("POST", "/webhooks/stripe", { body: payload, token: null, headers: { "stripe-signature": signWebhook(payload, secret) } });
}

function eventsOf(type: string, topUpId: string): FakeEvent[] {
  return stripe.events.filter((event) => event.type === type && event.data.object.metadata?.billing_gateway_top_up === topUpId);
}

async function payingWallet(externalId: string) {
  const { wallet } = await createWallet(gateway.ledger, { scope, customer: { externalId }, currency: "USD" });
  await setPaymentMethod(deps, { scope, customerExternalId: externalId, paymentMethodId: "pm_card_visa" });
  return wallet;
}

const available = async (walletId: string) => (await walletBalance(gateway.ledger, scope, walletId)).available;

/** A ledger whose transactions all fail: the process dies after Stripe charged. */
const crashing = (): LedgerContext => ({
  now: gateway.ledger.now,
  prisma: new Proxy(gateway.ledger.prisma, {
    get: (target, property, receiver) => (property === "$transaction" ? () => Promise.reject(new Error("process killed")) : Reflect.get(target, property, receiver)),
  }),
});

async function topUpRecord(idempotencyKey: string) {
  return gateway.db.prisma.topUp.findUniqueOrThrow({ where: { tenantId_livemode_idempotencyKey: { tenantId: scope.tenantId, livemode: scope.livemode, idempotencyKey } } });
}

describe("POST /webhooks/stripe", () => {
  it("rejects a bad, missing or foreign signature with 400 and changes nothing", async () => {
    const wallet = await payingWallet("hook-signature");
    await expect(topUp({ ...deps, ledger: crashing() }, { scope, walletId: wallet.id, amount: 900n, idempotencyKey: "sig-1" })).rejects.toThrow("process killed");
    const [succeeded] = eventsOf("payment_intent.succeeded", (await topUpRecord("sig-1")).id);

    expect((await deliver(succeeded!, "whsec_someone_else")).status).toBe(400);
    const payload = JSON.stringify(succeeded);
    const tampered = payload.replace('"amount":900', '"amount":90000');
    const forged = await http.send("POST", "/webhooks/stripe", { body: tampered, token: null, headers: { "stripe-signature": signWebhook(payload, SECRET) } });
    expect(forged).toMatchObject({ status: 400, body: { error: expect.stringContaining("invalid signature") } });
    expect((await http.send("POST", "/webhooks/stripe", { body: payload, token: null })).status).toBe(400);

    expect(await available(wallet.id)).toBe(0n);
    expect(await gateway.db.prisma.stripeEvent.count({ where: { id: succeeded!.id } })).toBe(0);
    expect(await deliver(succeeded!)).toMatchObject({ status: 200, body: { handled: true } });
    expect(await available(wallet.id)).toBe(900n);
  });

  it("answers 503 while STRIPE_WEBHOOK_SECRET is not set, so that Stripe delivers again later", async () => {
    const unsigned = createStripeAccess(loadPaymentsConfig({ STRIPE_SECRET_KEY: "sk_test_fake", STRIPE_API_BASE: stripe.url })!);
    const configured = gateway.app;
    gateway.app = createApp({ db: gateway.db, ledger: gateway.ledger, payments: unsigned });
    try {
      const reply = await deliver({ id: "evt_unconfigured", object: "event", type: "ping", livemode: false, created: 0, api_version: "2025-01-01", data: { object: {} } });
      expect(reply).toMatchObject({ status: 503, body: { error: expect.stringContaining("STRIPE_WEBHOOK_SECRET") } });
    } finally {
      gateway.app = configured;
    }
  });

  it("completes a top-up whose answer was lost on payment_intent.succeeded, once however often it is delivered", async () => {
    const impatient = { ...deps, payments: createStripeAccess(loadPaymentsConfig({ STRIPE_SECRET_KEY: "sk_test_fake", STRIPE_API_BASE: stripe.url, STRIPE_TIMEOUT_MS: "200" })!) };
    const wallet = await payingWallet("hook-lost-answer");
    const charges = stripe.charges.length;
    stripe.answerLate(1_000);
    await expect(topUp(impatient, { scope, walletId: wallet.id, amount: 2_500n, idempotencyKey: "lost-1" })).rejects.toBeInstanceOf(PaymentPendingError);
    const record = await topUpRecord("lost-1");
    const [succeeded] = eventsOf("payment_intent.succeeded", record.id);

    expect(await deliver(succeeded!)).toMatchObject({ status: 200, body: { received: true, handled: true } });
    expect(await deliver(succeeded!)).toMatchObject({ status: 200, body: { received: true, duplicate: true } });
    // Neither the sweep nor the caller asking again charges or credits a second time.
    gateway.clock.advance(LEASE_MS + 60_000);
    expect(await runDueTopUps(deps)).toEqual({ succeeded: 0, failed: 0, pending: 0 });
    expect((await topUp(deps, { scope, walletId: wallet.id, amount: 2_500n, idempotencyKey: "lost-1" })).replayed).toBe(true);

    expect(stripe.charges.length - charges).toBe(1);
    expect(await available(wallet.id)).toBe(2_500n);
    expect(await topUpRecord("lost-1")).toMatchObject({ status: "succeeded", stripePaymentIntentId: succeeded!.data.object.id, stripeChargeId: expect.stringMatching(/^ch_/) });
  });

  it("voids what is left of a refunded top-up and records what was already spent, whatever the order of the refunds", async () => {
    const wallet = await payingWallet("hook-refund");
    await topUp(deps, { scope, walletId: wallet.id, amount: 2_000n, idempotencyKey: "refund-1" });
    await debit(gateway.ledger, { scope, walletId: wallet.id, amount: 1_500n });
    const record = await topUpRecord("refund-1");
    await deps.payments!.stripe.refunds.create({ payment_intent: record.stripePaymentIntentId!, amount: 600 });
    await deps.payments!.stripe.refunds.create({ payment_intent: record.stripePaymentIntentId!, amount: 1_400 });
    const [partly, fully] = stripe.events.filter((event) => event.type === "charge.refunded" && event.data.object.id === record.stripeChargeId);

    // The full refund arrives first: 2,000 went back, 500 was left to void, 1,500 was spent.
    expect(await deliver(fully!)).toMatchObject({ status: 200, body: { handled: true } });
    expect(await deliver(partly!)).toMatchObject({ status: 200, body: { handled: true } });
    expect(await deliver(fully!)).toMatchObject({ status: 200, body: { duplicate: true } });

    expect(await available(wallet.id)).toBe(0n);
    const reply = await gateway.graphql(
      `query($id: ID!) { wallet(id: $id) { topUps(first: 5) { edges { node { amount status refunds { amount voided unrecovered reversedTotal } } } } } }`,
      { id: Buffer.from(`Wallet:${wallet.id}`).toString("base64") },
    );
    expect(reply.errors).toBeUndefined();
    expect(reply.data.wallet.topUps.edges).toEqual([
      { node: { amount: "2000", status: "succeeded", refunds: [{ amount: "2000", voided: "500", unrecovered: "1500", reversedTotal: "2000" }] } },
    ]);
  });

  it("credits, then voids, a top-up whose refund arrives before its success", async () => {
    const wallet = await payingWallet("hook-refund-first");
    const charges = stripe.charges.length;
    await expect(topUp({ ...deps, ledger: crashing() }, { scope, walletId: wallet.id, amount: 1_000n, idempotencyKey: "early-refund" })).rejects.toThrow("process killed");
    const record = await topUpRecord("early-refund");
    const [succeeded] = eventsOf("payment_intent.succeeded", record.id);
    await deps.payments!.stripe.refunds.create({ payment_intent: succeeded!.data.object.id });
    const [refunded] = stripe.events.filter((event) => event.type === "charge.refunded" && event.data.object.payment_intent === succeeded!.data.object.id);

    expect(await deliver(refunded!)).toMatchObject({ status: 200, body: { handled: true } });
    expect(await available(wallet.id)).toBe(0n);
    expect(await deliver(succeeded!)).toMatchObject({ status: 200, body: { handled: true } });
    gateway.clock.advance(LEASE_MS);
    expect(await runDueTopUps(deps)).toEqual({ succeeded: 0, failed: 0, pending: 0 });

    expect(await available(wallet.id)).toBe(0n);
    expect(stripe.charges.length - charges).toBe(1);
    const reversals = await gateway.db.prisma.fundingReversal.findMany({ where: { walletId: wallet.id } });
    expect(reversals).toMatchObject([{ amount: 1_000n, voided: 1_000n, unrecovered: 0n }]);
    const entries = await gateway.db.prisma.ledgerEntry.findMany({ where: { walletId: wallet.id }, orderBy: { sequence: "asc" } });
    expect(entries.map((entry) => [entry.type, entry.amount])).toEqual([
      ["increment", 1_000n],
      ["void", -1_000n],
    ]);
  });

  it("leaves a declined top-up failed when its payment_intent.payment_failed arrives", async () => {
    const { wallet } = await createWallet(gateway.ledger, { scope, customer: { externalId: "hook-declined" }, currency: "USD" });
    await setPaymentMethod(deps, { scope, customerExternalId: "hook-declined", paymentMethodId: "pm_card_chargeDeclined" });
    await expect(topUp(deps, { scope, walletId: wallet.id, amount: 1_000n, idempotencyKey: "declined-1" })).rejects.toMatchObject({ code: "PAYMENT_FAILED" });
    const record = await topUpRecord("declined-1");
    const [failed] = eventsOf("payment_intent.payment_failed", record.id);
    expect(await deliver(failed!)).toMatchObject({ status: 200, body: { handled: true } });
    expect(await topUpRecord("declined-1")).toMatchObject({ status: "failed", declineCode: "generic_decline" });
    expect(await available(wallet.id)).toBe(0n);
  });

  it("acknowledges events about payments that are not top-ups of this gateway", async () => {
    const reply = await deliver({ id: "evt_foreign", object: "event", type: "payment_intent.succeeded", livemode: false, created: 0, api_version: "2025-01-01", data: { object: { id: "pi_elsewhere", object: "payment_intent", metadata: {}, latest_charge: "ch_elsewhere" } } });
    expect(reply).toMatchObject({ status: 200, body: { received: true, handled: false } });
  });
});

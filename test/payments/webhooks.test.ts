// POST /webhooks/stripe over real HTTP, with events the fake Stripe recorded, signed as Stripe
// signs them, delivered twice, at once and out of order; signed events whose payload does not
// fit; and payments that no top-up can keep, refunded through the fake Stripe.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { walletBalance } from "../../src/ledger/balances.ts";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { terminateWallet } from "../../src/ledger/commands/terminate-wallet.ts";
import type { LedgerContext, Scope } from "../../src/ledger/context.ts";
import { checkAutoTopUp, setAutoTopUpRule } from "../../src/payments/auto-top-up.ts";
import { loadPaymentsConfig } from "../../src/payments/config.ts";
import { PaymentPendingError } from "../../src/payments/errors.ts";
import { setPaymentMethod, type PaymentsDeps } from "../../src/payments/payment-methods.ts";
import { REFUND_RETRY_MS } from "../../src/payments/returned-payments.ts";
import { createStripeAccess } from "../../src/payments/stripe-client.ts";
import { DECLINE_BACKOFF_MS, LEASE_MS, runDueTopUps, runTopUp, topUp, UNKNOWN_OUTCOME_RETRY_MS } from "../../src/payments/top-up.ts";
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
  return deliverText(JSON.stringify(event), secret);
}

/** Any text, signed with the endpoint's secret: what only Stripe (or whoever holds the secret) can send. */
function deliverText(payload: string, secret = SECRET) {
  return http.send("POST", "/webhooks/stripe", {
    body: payload,
    token: null,
    headers: { "stripe-signature": signWebhook(payload, secret) },
  });
}

let eventCounter = 0;
/** An event of Stripe's shape with a fresh id, around `object`. */
function eventOf(type: string, object: unknown): FakeEvent {
  return {
    id: `evt_crafted${(eventCounter += 1)}`,
    object: "event",
    type,
    livemode: false,
    created: 0,
    api_version: "2025-01-01",
    data: { object: object as Record<string, any> },
  };
}

/** No stack trace, file path, SQL or database name in an answer. */
function expectNoInternals(reply: { body: unknown }) {
  expect(JSON.stringify(reply.body)).not.toMatch(
    /\bat .+:\d+|\/work\/|node_modules|\.ts\b|prisma|postgres|pglite|sql|stack|TypeError|SyntaxError/i,
  );
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
    get: (target, property, receiver) =>
      property === "$transaction" ? () => Promise.reject(new Error("process killed")) : Reflect.get(target, property, receiver),
  }),
});

async function topUpRecord(idempotencyKey: string) {
  return gateway.db.prisma.topUp.findUniqueOrThrow({
    where: { tenantId_livemode_idempotencyKey: { tenantId: scope.tenantId, livemode: scope.livemode, idempotencyKey } },
  });
}

describe("POST /webhooks/stripe", () => {
  it("rejects a bad, missing or foreign signature with 400 and changes nothing", async () => {
    const wallet = await payingWallet("hook-signature");
    await expect(
      topUp({ ...deps, ledger: crashing() }, { scope, walletId: wallet.id, amount: 900n, idempotencyKey: "sig-1" }),
    ).rejects.toThrow("process killed");
    const [succeeded] = eventsOf("payment_intent.succeeded", (await topUpRecord("sig-1")).id);

    expect((await deliver(succeeded!, "whsec_someone_else")).status).toBe(400);
    const payload = JSON.stringify(succeeded);
    const tampered = payload.replace('"amount":900', '"amount":90000');
    const forged = await http.send("POST", "/webhooks/stripe", {
      body: tampered,
      token: null,
      headers: { "stripe-signature": signWebhook(payload, SECRET) },
    });
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
      const reply = await deliver({
        id: "evt_unconfigured",
        object: "event",
        type: "ping",
        livemode: false,
        created: 0,
        api_version: "2025-01-01",
        data: { object: {} },
      });
      expect(reply).toMatchObject({ status: 503, body: { error: expect.stringContaining("STRIPE_WEBHOOK_SECRET") } });
    } finally {
      gateway.app = configured;
    }
  });

  it("completes a top-up whose answer was lost on payment_intent.succeeded, once however often it is delivered", async () => {
    const impatient = {
      ...deps,
      payments: createStripeAccess(
        loadPaymentsConfig({ STRIPE_SECRET_KEY: "sk_test_fake", STRIPE_API_BASE: stripe.url, STRIPE_TIMEOUT_MS: "200" })!,
      ),
    };
    const wallet = await payingWallet("hook-lost-answer");
    const charges = stripe.charges.length;
    stripe.answerLate(1_000);
    await expect(topUp(impatient, { scope, walletId: wallet.id, amount: 2_500n, idempotencyKey: "lost-1" })).rejects.toBeInstanceOf(
      PaymentPendingError,
    );
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
    expect(await topUpRecord("lost-1")).toMatchObject({
      status: "succeeded",
      stripePaymentIntentId: succeeded!.data.object.id,
      stripeChargeId: expect.stringMatching(/^ch_/),
    });
  });

  it("voids what is left of a refunded top-up and records what was already spent, whatever the order of the refunds", async () => {
    const wallet = await payingWallet("hook-refund");
    await topUp(deps, { scope, walletId: wallet.id, amount: 2_000n, idempotencyKey: "refund-1" });
    await debit(gateway.ledger, { scope, walletId: wallet.id, amount: 1_500n });
    const record = await topUpRecord("refund-1");
    await deps.payments!.stripe.refunds.create({ payment_intent: record.stripePaymentIntentId!, amount: 600 });
    await deps.payments!.stripe.refunds.create({ payment_intent: record.stripePaymentIntentId!, amount: 1_400 });
    const [partly, fully] = stripe.events.filter(
      (event) => event.type === "charge.refunded" && event.data.object.id === record.stripeChargeId,
    );

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
      {
        node: {
          amount: "2000",
          status: "succeeded",
          refunds: [{ amount: "2000", voided: "500", unrecovered: "1500", reversedTotal: "2000" }],
        },
      },
    ]);
  });

  it("credits, then voids, a top-up whose refund arrives before its success", async () => {
    const wallet = await payingWallet("hook-refund-first");
    const charges = stripe.charges.length;
    await expect(
      topUp({ ...deps, ledger: crashing() }, { scope, walletId: wallet.id, amount: 1_000n, idempotencyKey: "early-refund" }),
    ).rejects.toThrow("process killed");
    const record = await topUpRecord("early-refund");
    const [succeeded] = eventsOf("payment_intent.succeeded", record.id);
    await deps.payments!.stripe.refunds.create({ payment_intent: succeeded!.data.object.id });
    const [refunded] = stripe.events.filter(
      (event) => event.type === "charge.refunded" && event.data.object.payment_intent === succeeded!.data.object.id,
    );

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
    await expect(topUp(deps, { scope, walletId: wallet.id, amount: 1_000n, idempotencyKey: "declined-1" })).rejects.toMatchObject({
      code: "PAYMENT_FAILED",
    });
    const record = await topUpRecord("declined-1");
    const [failed] = eventsOf("payment_intent.payment_failed", record.id);
    expect(await deliver(failed!)).toMatchObject({ status: 200, body: { handled: true } });
    expect(await topUpRecord("declined-1")).toMatchObject({ status: "failed", declineCode: "generic_decline" });
    expect(await available(wallet.id)).toBe(0n);
  });

  it("acknowledges events about payments that are not top-ups of this gateway", async () => {
    const reply = await deliver({
      id: "evt_foreign",
      object: "event",
      type: "payment_intent.succeeded",
      livemode: false,
      created: 0,
      api_version: "2025-01-01",
      data: { object: { id: "pi_elsewhere", object: "payment_intent", metadata: {}, latest_charge: "ch_elsewhere" } },
    });
    expect(reply).toMatchObject({ status: 200, body: { received: true, handled: false } });
  });
});

describe("signed events whose payload does not fit", () => {
  it("acknowledges each with 200, records it for a person, and moves no money", async () => {
    const wallet = await payingWallet("hook-odd");
    await topUp(deps, { scope, walletId: wallet.id, amount: 2_000n, idempotencyKey: "odd-1" });
    const record = await topUpRecord("odd-1");
    await deps.payments!.stripe.refunds.create({ payment_intent: record.stripePaymentIntentId!, amount: 500 });
    const refunded = stripe.events.find((event) => event.type === "charge.refunded" && event.data.object.id === record.stripeChargeId)!;
    const succeeded = eventsOf("payment_intent.succeeded", record.id)[0]!;
    const refundsBefore = stripe.refunds.length;
    const attentionBefore = await gateway.db.prisma.stripeEvent.count({ where: { status: "needs_attention" } });
    const refundWith = (fields: Record<string, unknown>) =>
      JSON.stringify(eventOf("charge.refunded", { ...refunded.data.object, ...fields }));
    const successWith = (fields: Record<string, unknown>) =>
      JSON.stringify(eventOf("payment_intent.succeeded", { ...succeeded.data.object, ...fields }));

    const odd: [payload: string, reason: string][] = [
      [refundWith({ amount_refunded: "abc" }), "amount_refunded is not a whole number"],
      [refundWith({ amount_refunded: -5 }), "amount_refunded is not a whole number"],
      [refundWith({ amount_refunded: 1.5 }), "amount_refunded is not a whole number"],
      [refundWith({ amount_refunded: 1e300 }), "amount_refunded is not a whole number"],
      [refundWith({ amount_refunded: undefined }), "amount_refunded is missing"],
      [refundWith({ paid: "yes" }), "paid is not true or false"],
      [refundWith({ payment_intent: 7 }), "payment_intent is missing or not a string"],
      [JSON.stringify(eventOf("payment_intent.succeeded", null)), "data.object is not an object"],
      [JSON.stringify(eventOf("charge.refunded", [])), "data.object is not an object"],
      [JSON.stringify({ ...eventOf("payment_intent.succeeded", {}), data: null }), "the event has no data"],
      [successWith({ id: 42 }), "id is missing"],
      [successWith({ object: "charge" }), "data.object is not a payment_intent"],
      [successWith({ metadata: "top-up" }), "metadata is not an object"],
      [successWith({ latest_charge: 42 }), "latest_charge is missing or not a string"],
      [successWith({ amount: 1 }), `top-up ${record.id} charges 2000 USD: neither credited nor refunded`],
      [successWith({ amount: undefined }), "neither credited nor refunded"],
      [successWith({ status: "processing" }), "is processing, not succeeded"],
      [
        JSON.stringify(eventOf("payment_intent.payment_failed", { ...succeeded.data.object, last_payment_error: "boom" })),
        "last_payment_error is not an object",
      ],
      [JSON.stringify({ ...eventOf("payment_intent.succeeded", {}), id: undefined }), "the event has no id"],
      [JSON.stringify({ ...eventOf("payment_intent.succeeded", {}), type: 12 }), "the event has no type"],
      [
        JSON.stringify({ id: "evt_thin", object: "v2.core.event", type: "v1.billing.meter.error_report_triggered" }),
        "not readable as an event",
      ],
      ["this is not JSON", "not readable as an event"],
      ["null", "not a JSON object"],
      ["[1, 2]", "not a JSON object"],
    ];
    for (const [payload, reason] of odd) {
      const reply = await deliverText(payload);
      expect(reply, payload).toMatchObject({
        status: 200,
        body: { received: true, handled: false, needsAttention: true, reason: expect.stringContaining(reason) },
      });
      expectNoInternals(reply);
      // Recorded once: delivered again, it is a duplicate.
      expect(await deliverText(payload)).toMatchObject({ status: 200, body: { received: true, duplicate: true } });
    }

    const attention = await gateway.db.prisma.stripeEvent.findMany({
      where: { status: "needs_attention" },
      orderBy: { processedAt: "asc" },
    });
    expect(attention).toHaveLength(attentionBefore + odd.length);
    // Those without a readable id are kept under the payload's hash.
    expect(attention.filter((event) => event.id.startsWith("sha256:"))).toHaveLength(5);
    // Nothing moved: the 500 refunded is not reversed on an unreadable notice, and nothing was refunded.
    expect(await available(wallet.id)).toBe(2_000n);
    expect(await gateway.db.prisma.fundingReversal.count({ where: { walletId: wallet.id } })).toBe(0);
    expect(stripe.refunds.length).toBe(refundsBefore);
    expect(await topUpRecord("odd-1")).toMatchObject({ status: "succeeded", stripePaymentIntentId: record.stripePaymentIntentId });
  });

  it("answers 503 without internals while the database is out of reach, and handles the event delivered again", async () => {
    const wallet = await payingWallet("hook-outage");
    await expect(
      topUp({ ...deps, ledger: crashing() }, { scope, walletId: wallet.id, amount: 900n, idempotencyKey: "outage-1" }),
    ).rejects.toThrow("process killed");
    const [succeeded] = eventsOf("payment_intent.succeeded", (await topUpRecord("outage-1")).id);
    const unreachable = () =>
      Promise.reject(
        Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432: database billing_gateway (postgres)"), { code: "ECONNREFUSED" }),
      );
    const down: LedgerContext = {
      now: gateway.ledger.now,
      prisma: new Proxy(gateway.ledger.prisma, {
        get: (target, property, receiver) =>
          property === "stripeEvent" ? { findUnique: unreachable, createMany: unreachable } : Reflect.get(target, property, receiver),
      }),
    };
    const configured = gateway.app;
    gateway.app = createApp({ db: gateway.db, ledger: down, payments: deps.payments });
    try {
      const reply = await deliver(succeeded!);
      expect(reply).toEqual({ status: 503, body: { error: expect.any(String), code: "SERVICE_UNAVAILABLE" } });
      expectNoInternals(reply);
    } finally {
      gateway.app = configured;
    }
    expect(await deliver(succeeded!)).toMatchObject({ status: 200, body: { handled: true } });
    expect(await available(wallet.id)).toBe(900n);
  });
});

describe("payments that no top-up can keep", () => {
  const refundsOf = (paymentIntentId: string) => stripe.refunds.filter((refund) => refund.paymentIntentId === paymentIntentId);
  const returnedOf = (topUpId: string) => gateway.db.prisma.returnedPayment.findMany({ where: { topUpId } });
  const refundNewsOf = (paymentIntentId: string) =>
    stripe.events.filter((event) => event.type === "charge.refunded" && event.data.object.payment_intent === paymentIntentId);
  const impatientPayments = () =>
    createStripeAccess(
      loadPaymentsConfig({
        STRIPE_SECRET_KEY: "sk_test_fake",
        STRIPE_API_BASE: stripe.url,
        STRIPE_WEBHOOK_SECRET: SECRET,
        STRIPE_TIMEOUT_MS: "200",
      })!,
    );

  it("refunds a second PaymentIntent of a credited top-up once, however often and however concurrently it is delivered", async () => {
    const wallet = await payingWallet("hook-second-intent");
    stripe.answerLate(1_000);
    await expect(
      topUp({ ...deps, payments: impatientPayments() }, { scope, walletId: wallet.id, amount: 3_000n, idempotencyKey: "second-1" }),
    ).rejects.toBeInstanceOf(PaymentPendingError);
    const record = await topUpRecord("second-1");
    const first = eventsOf("payment_intent.succeeded", record.id)[0]!.data.object.id as string;
    // A day later Stripe has forgotten the attempt's key: the sweep asking again under it is charged anew.
    stripe.forgetIdempotencyKeys();
    gateway.clock.advance(UNKNOWN_OUTCOME_RETRY_MS);
    await runDueTopUps(deps);
    const credited = await topUpRecord("second-1");
    expect(credited).toMatchObject({ status: "succeeded", stripePaymentIntentId: expect.not.stringMatching(first) });
    expect(await available(wallet.id)).toBe(3_000n);

    const late = eventsOf("payment_intent.succeeded", record.id).find((event) => event.data.object.id === first)!;
    const replies = await Promise.all([deliver(late), deliver(late), deliver({ ...late, id: `${late.id}_again` })]);
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expectNoInternals(reply);
    }
    expect(refundsOf(first)).toEqual([{ id: expect.stringMatching(/^re_/), paymentIntentId: first, amount: 3_000 }]);
    expect(await returnedOf(record.id)).toMatchObject([
      { stripePaymentIntentId: first, reason: "duplicate", status: "refunded", amount: 3_000n, stripeRefundId: refundsOf(first)[0]!.id },
    ]);
    expect(await gateway.db.prisma.stripeEvent.findUnique({ where: { id: late.id } })).toMatchObject({
      status: "handled",
      reason: expect.stringContaining("refunded"),
    });
    expect(await topUpRecord("second-1")).toMatchObject({ status: "succeeded", stripePaymentIntentId: credited.stripePaymentIntentId });

    // Stripe's news of that refund takes back nothing: the credits stand for the other payment,
    // whose own success changes nothing either.
    expect(await deliver(refundNewsOf(first)[0]!)).toMatchObject({ status: 200, body: { handled: false } });
    const kept = eventsOf("payment_intent.succeeded", record.id).find((event) => event.data.object.id === credited.stripePaymentIntentId)!;
    expect(await deliver(kept)).toMatchObject({ status: 200, body: { handled: true } });
    expect(refundsOf(credited.stripePaymentIntentId!)).toEqual([]);
    expect(await available(wallet.id)).toBe(3_000n);
  });

  it("credits one and refunds the other when two payments of one top-up are delivered at once", async () => {
    const wallet = await payingWallet("hook-two-at-once");
    const input = { scope, walletId: wallet.id, amount: 1_500n, idempotencyKey: "two-1" };
    await expect(topUp({ ...deps, ledger: crashing() }, input)).rejects.toThrow("process killed");
    stripe.forgetIdempotencyKeys();
    await expect(topUp({ ...deps, ledger: crashing() }, input)).rejects.toThrow("process killed");
    const record = await topUpRecord("two-1");
    const successes = eventsOf("payment_intent.succeeded", record.id);
    expect(successes).toHaveLength(2);

    const replies = await Promise.all(successes.map((event) => deliver(event)));
    expect(replies.map((reply) => reply.status)).toEqual([200, 200]);
    const completed = await topUpRecord("two-1");
    const kept = completed.stripePaymentIntentId!;
    const refunded = successes.map((event) => event.data.object.id as string).find((id) => id !== kept)!;
    expect(completed).toMatchObject({ status: "succeeded", stripePaymentIntentId: expect.stringMatching(/^pi_/) });
    expect(refundsOf(kept)).toEqual([]);
    expect(refundsOf(refunded)).toMatchObject([{ amount: 1_500 }]);
    expect(await returnedOf(record.id)).toMatchObject([{ stripePaymentIntentId: refunded, reason: "duplicate", status: "refunded" }]);
    expect(await available(wallet.id)).toBe(1_500n);
  });

  async function autoTopUpDeclinedOnce(externalId: string) {
    const wallet = await payingWallet(externalId);
    await deposit(gateway.ledger, { scope, walletId: wallet.id, amount: 1_000n });
    await setAutoTopUpRule(deps, { scope, walletId: wallet.id, rule: { threshold: 500n, amount: 2_000n } });
    stripe.declineNext(1);
    await debit(gateway.ledger, { scope, walletId: wallet.id, amount: 600n });
    const opened = (await checkAutoTopUp(deps, { scope, walletId: wallet.id, type: "debit" }))!;
    expect(await runTopUp(deps, opened)).toBe("pending");
    const declined = stripe.events.find(
      (event) => event.type === "payment_intent.payment_failed" && event.data.object.metadata?.billing_gateway_top_up === opened.id,
    )!;
    return { wallet, opened, declined, firstAttempt: declined.data.object.id as string };
  }

  it("refunds the first attempt of an auto top-up that succeeds late, after a retry succeeded", async () => {
    const { wallet, opened, declined, firstAttempt } = await autoTopUpDeclinedOnce("hook-auto-late");
    gateway.clock.advance(DECLINE_BACKOFF_MS[0]!);
    expect(await runTopUp(deps, await gateway.db.prisma.topUp.findUniqueOrThrow({ where: { id: opened.id } }))).toBe("succeeded");

    // The customer completes the first attempt on session after all.
    stripe.succeedLater(firstAttempt);
    const late = eventsOf("payment_intent.succeeded", opened.id).find((event) => event.data.object.id === firstAttempt)!;
    expect(await deliver(late)).toMatchObject({ status: 200, body: { received: true, handled: true } });
    expect(await deliver(late)).toMatchObject({ status: 200, body: { duplicate: true } });
    // Its failure, arriving last, changes nothing either.
    expect(await deliver(declined)).toMatchObject({ status: 200 });

    expect(refundsOf(firstAttempt)).toMatchObject([{ amount: 2_000 }]);
    expect(await returnedOf(opened.id)).toMatchObject([{ stripePaymentIntentId: firstAttempt, reason: "duplicate", status: "refunded" }]);
    expect(await gateway.db.prisma.topUp.findUniqueOrThrow({ where: { id: opened.id } })).toMatchObject({
      status: "succeeded",
      attempts: 2,
      stripePaymentIntentId: expect.not.stringMatching(firstAttempt),
    });
    expect(await available(wallet.id)).toBe(1_000n - 600n + 2_000n);
  });

  it("completes an open auto top-up with its first attempt when that succeeds before the retry, and charges no retry", async () => {
    const { wallet, opened, firstAttempt } = await autoTopUpDeclinedOnce("hook-auto-early");
    stripe.succeedLater(firstAttempt);
    const late = eventsOf("payment_intent.succeeded", opened.id).find((event) => event.data.object.id === firstAttempt)!;
    expect(await deliver(late)).toMatchObject({ status: 200, body: { handled: true } });

    const charges = stripe.charges.length;
    gateway.clock.advance(DECLINE_BACKOFF_MS[0]!);
    expect(await runTopUp(deps, await gateway.db.prisma.topUp.findUniqueOrThrow({ where: { id: opened.id } }))).toBeNull();
    expect(stripe.charges.length).toBe(charges);
    expect(refundsOf(firstAttempt)).toEqual([]);
    expect(await gateway.db.prisma.topUp.findUniqueOrThrow({ where: { id: opened.id } })).toMatchObject({
      status: "succeeded",
      attempts: 1,
      stripePaymentIntentId: firstAttempt,
    });
    expect(await available(wallet.id)).toBe(1_000n - 600n + 2_000n);
  });

  it("answers 200 and refunds a payment for a wallet terminated before it was credited", async () => {
    const wallet = await payingWallet("hook-terminated");
    await expect(
      topUp({ ...deps, ledger: crashing() }, { scope, walletId: wallet.id, amount: 1_200n, idempotencyKey: "terminated-1" }),
    ).rejects.toThrow("process killed");
    const record = await topUpRecord("terminated-1");
    const succeeded = eventsOf("payment_intent.succeeded", record.id)[0]!;
    const paymentIntentId = succeeded.data.object.id as string;
    await terminateWallet(gateway.ledger, { scope, walletId: wallet.id });

    const reply = await deliver(succeeded);
    expect(reply).toMatchObject({ status: 200, body: { received: true, handled: true } });
    expectNoInternals(reply);
    expect(refundsOf(paymentIntentId)).toMatchObject([{ amount: 1_200 }]);
    expect(await topUpRecord("terminated-1")).toMatchObject({ status: "refunded", failureCode: "wallet_terminated" });
    const told = await gateway.db.prisma.event.findMany({ where: { walletId: wallet.id, type: { startsWith: "top_up." } } });
    expect(told).toMatchObject([
      {
        type: "top_up.refunded",
        payload: { topUp: { id: record.id, failureCode: "wallet_terminated" }, refund: { amount: "1200", reason: "wallet_terminated" } },
      },
    ]);
    expect(await returnedOf(record.id)).toMatchObject([
      { stripePaymentIntentId: paymentIntentId, reason: "wallet_terminated", status: "refunded" },
    ]);

    // Delivered under another event id, the sweep, the refund's own news: nothing more happens.
    expect(await deliver({ ...succeeded, id: `${succeeded.id}_again` })).toMatchObject({ status: 200, body: { handled: true } });
    gateway.clock.advance(LEASE_MS);
    await runDueTopUps(deps);
    expect(await deliver(refundNewsOf(paymentIntentId)[0]!)).toMatchObject({ status: 200, body: { handled: false } });
    expect(refundsOf(paymentIntentId)).toHaveLength(1);

    // Asked for again with its key, it answers as it ended: the wallet is closed, nothing charged.
    const charges = stripe.charges.length;
    await expect(topUp(deps, { scope, walletId: wallet.id, amount: 1_200n, idempotencyKey: "terminated-1" })).rejects.toMatchObject({
      code: "WALLET_TERMINATED",
    });
    // A new top-up of the closed wallet is refused before anything is charged.
    await expect(topUp(deps, { scope, walletId: wallet.id, amount: 1_200n, idempotencyKey: "terminated-2" })).rejects.toMatchObject({
      code: "WALLET_TERMINATED",
    });
    expect(stripe.charges.length).toBe(charges);
  });

  it("asks Stripe again, under the same key, for a refund whose answer did not arrive", async () => {
    const wallet = await payingWallet("hook-refund-late");
    await expect(
      topUp({ ...deps, ledger: crashing() }, { scope, walletId: wallet.id, amount: 700n, idempotencyKey: "refund-late-1" }),
    ).rejects.toThrow("process killed");
    const record = await topUpRecord("refund-late-1");
    const succeeded = eventsOf("payment_intent.succeeded", record.id)[0]!;
    const paymentIntentId = succeeded.data.object.id as string;
    await terminateWallet(gateway.ledger, { scope, walletId: wallet.id });

    const configured = gateway.app;
    gateway.app = createApp({ db: gateway.db, ledger: gateway.ledger, payments: impatientPayments() });
    try {
      stripe.answerLate(1_000);
      const reply = await deliver(succeeded);
      expect(reply).toMatchObject({ status: 200, body: { received: true, handled: true } });
    } finally {
      gateway.app = configured;
    }
    expect(await returnedOf(record.id)).toMatchObject([{ status: "requested", stripeRefundId: null }]);
    expect(await topUpRecord("refund-late-1")).toMatchObject({ status: "failed", failureCode: "wallet_terminated" });
    expect(await gateway.db.prisma.stripeEvent.findUnique({ where: { id: succeeded.id } })).toMatchObject({
      status: "handled",
      reason: expect.stringContaining("refund requested"),
    });

    gateway.clock.advance(REFUND_RETRY_MS);
    await runDueTopUps(deps);
    expect(refundsOf(paymentIntentId)).toHaveLength(1);
    expect(await returnedOf(record.id)).toMatchObject([{ status: "refunded", stripeRefundId: refundsOf(paymentIntentId)[0]!.id }]);
    expect(await topUpRecord("refund-late-1")).toMatchObject({ status: "refunded" });
    const told = await gateway.db.prisma.event.findMany({
      where: { walletId: record.walletId, type: { startsWith: "top_up." } },
      orderBy: { sequence: "asc" },
    });
    expect(told.map((event) => event.type)).toEqual(["top_up.failed", "top_up.refunded"]);
  });
});

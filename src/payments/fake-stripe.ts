// A local stand-in for Stripe's API, enough for the real `stripe` SDK: customers, payment methods,
// off-session PaymentIntents (create, retrieve) and refunds, form-encoded like Stripe, honouring
// Idempotency-Key (the same key answers the same response and never charges twice, until Stripe
// forgets keys after 24 hours). Stripe's test payment methods behave as documented: pm_card_visa
// succeeds, pm_card_chargeDeclined is declined, pm_card_authenticationRequired needs the
// customer. It records the events Stripe would send, for tests to deliver to the webhook,
// signed, in whatever order they choose. `npm run dev` runs the gateway on it (src/dev.ts), so
// top-ups work on a laptop without a Stripe account; nothing else in the gateway uses it.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";

export interface FakeEvent {
  id: string;
  object: "event";
  type: string;
  livemode: boolean;
  created: number;
  api_version: string;
  data: { object: Record<string, any> };
}

export interface FakeStripe {
  url: string;
  /** Successful charges made, by PaymentIntent id. */
  charges: string[];
  /** Events Stripe would have sent, oldest first. */
  events: FakeEvent[];
  /** Refunds made, oldest first. */
  refunds: { id: string; paymentIntentId: string; amount: number }[];
  /** The customer completes, on session, a PaymentIntent whose off-session attempt failed: it succeeds now. */
  succeedLater(paymentIntentId: string): void;
  /** Stripe forgets every idempotency key, as it does 24 hours after a key's first use. */
  forgetIdempotencyKeys(): void;
  /** The next `count` payments are declined, whatever the card, with this decline code. */
  declineNext(count: number, declineCode?: string): void;
  /** The next payment or refund goes through, but its answer comes only after `ms` (a client timeout). */
  answerLate(ms: number): void;
  close(): Promise<void>;
}

const CARDS: Record<string, { brand: string; last4: string }> = {
  pm_card_visa: { brand: "visa", last4: "4242" },
  pm_card_chargeDeclined: { brand: "visa", last4: "0002" },
  pm_card_authenticationRequired: { brand: "visa", last4: "3184" },
};

interface Reply {
  status: number;
  body: unknown;
  delayMs?: number;
}

export async function startFakeStripe(): Promise<FakeStripe> {
  const charges: string[] = [];
  const events: FakeEvent[] = [];
  const refunds: FakeStripe["refunds"] = [];
  const replies = new Map<string, Reply>();
  const intents = new Map<string, Record<string, any>>();
  const chargesById = new Map<string, Record<string, any>>();
  let declines: { count: number; declineCode: string } = { count: 0, declineCode: "insufficient_funds" };
  let lateBy = 0;
  let counter = 0;
  const nextId = (prefix: string) => `${prefix}_fake${(counter += 1).toString().padStart(6, "0")}`;

  function emit(type: string, object: Record<string, any>) {
    events.push({
      id: nextId("evt"),
      object: "event",
      type,
      livemode: false,
      created: Math.floor(Date.now() / 1000),
      api_version: "2025-01-01",
      data: { object: structuredClone(object) },
    });
  }

  function metadataOf(form: URLSearchParams): Record<string, string> {
    const metadata: Record<string, string> = {};
    for (const [key, value] of form) {
      const match = /^metadata\[(.+)\]$/.exec(key);
      if (match) metadata[match[1]!] = value;
    }
    return metadata;
  }

  function cardError(intent: Record<string, any>, code: string, declineCode: string, message: string): Reply {
    intent.status = "requires_payment_method";
    intent.last_payment_error = { type: "card_error", code, decline_code: declineCode, message };
    emit("payment_intent.payment_failed", intent);
    return { status: 402, body: { error: { type: "card_error", code, decline_code: declineCode, message, payment_intent: intent } } };
  }

  function createPaymentIntent(form: URLSearchParams): Reply {
    const paymentMethod = form.get("payment_method");
    const intent: Record<string, any> = {
      id: nextId("pi"),
      object: "payment_intent",
      amount: Number(form.get("amount")),
      currency: form.get("currency"),
      customer: form.get("customer"),
      payment_method: paymentMethod,
      metadata: metadataOf(form),
      latest_charge: null,
      last_payment_error: null,
    };
    intents.set(intent.id, intent);
    if (declines.count > 0) {
      declines.count -= 1;
      return cardError(intent, "card_declined", declines.declineCode, "Your card has insufficient funds.");
    }
    if (paymentMethod === "pm_card_chargeDeclined") return cardError(intent, "card_declined", "generic_decline", "Your card was declined.");
    if (paymentMethod === "pm_card_authenticationRequired") {
      return cardError(intent, "authentication_required", "authentication_required", "This payment requires authentication.");
    }
    succeed(intent);
    const delayMs = lateBy;
    lateBy = 0;
    return { status: 200, body: intent, delayMs };
  }

  function succeed(intent: Record<string, any>) {
    const charge = {
      id: nextId("ch"),
      object: "charge",
      amount: intent.amount,
      amount_refunded: 0,
      currency: intent.currency,
      paid: true,
      refunded: false,
      status: "succeeded",
      payment_intent: intent.id,
      metadata: {},
    };
    chargesById.set(charge.id, charge);
    Object.assign(intent, { status: "succeeded", latest_charge: charge.id, last_payment_error: null });
    charges.push(intent.id);
    emit("payment_intent.succeeded", intent);
  }

  function refund(form: URLSearchParams): Reply {
    const intent = intents.get(form.get("payment_intent") ?? "");
    const charge = chargesById.get(form.get("charge") ?? intent?.latest_charge ?? "");
    if (!charge)
      return { status: 404, body: { error: { type: "invalid_request_error", code: "resource_missing", message: "No such charge" } } };
    const amount = form.has("amount") ? Number(form.get("amount")) : charge.amount - charge.amount_refunded;
    if (amount <= 0 || charge.amount_refunded + amount > charge.amount) {
      return {
        status: 400,
        body: { error: { type: "invalid_request_error", code: "charge_already_refunded", message: "Refund exceeds the charge" } },
      };
    }
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    emit("charge.refunded", charge);
    const made = {
      id: nextId("re"),
      object: "refund",
      amount,
      charge: charge.id,
      payment_intent: charge.payment_intent,
      status: "succeeded",
      metadata: metadataOf(form),
    };
    refunds.push({ id: made.id, paymentIntentId: charge.payment_intent, amount });
    const delayMs = lateBy;
    lateBy = 0;
    return { status: 200, body: made, delayMs };
  }

  function handle(method: string, path: string, form: URLSearchParams): Reply {
    if (method === "POST" && path === "/v1/customers") return { status: 200, body: { id: nextId("cus"), object: "customer" } };
    const update = /^\/v1\/customers\/([^/]+)$/.exec(path);
    if (method === "POST" && update) return { status: 200, body: { id: update[1], object: "customer" } };
    const attach = /^\/v1\/payment_methods\/([^/]+)\/attach$/.exec(path);
    if (method === "POST" && attach) {
      const card = CARDS[attach[1]!];
      if (!card)
        return {
          status: 404,
          body: { error: { type: "invalid_request_error", code: "resource_missing", message: `No such PaymentMethod: '${attach[1]}'` } },
        };
      return {
        status: 200,
        body: {
          id: attach[1],
          object: "payment_method",
          type: "card",
          customer: form.get("customer"),
          card: { ...card, exp_month: 12, exp_year: 2034 },
        },
      };
    }
    if (method === "POST" && path === "/v1/payment_intents") return createPaymentIntent(form);
    const retrieve = /^\/v1\/payment_intents\/([^/]+)$/.exec(path);
    if (method === "GET" && retrieve && intents.has(retrieve[1]!)) return { status: 200, body: intents.get(retrieve[1]!) };
    if (method === "POST" && path === "/v1/refunds") return refund(form);
    return { status: 404, body: { error: { type: "invalid_request_error", message: `fake Stripe has no ${method} ${path}` } } };
  }

  const server: Server = createServer((request, response) => {
    let raw = "";
    request.on("data", (chunk) => (raw += chunk));
    request.on("end", () => {
      const key = request.headers["idempotency-key"];
      const cacheKey = typeof key === "string" ? `${request.method} ${request.url} ${key}` : null;
      const cached = cacheKey ? replies.get(cacheKey) : undefined;
      const reply = cached ? { ...cached, delayMs: 0 } : handle(request.method ?? "GET", request.url ?? "/", new URLSearchParams(raw));
      if (cacheKey) replies.set(cacheKey, reply);
      setTimeout(() => {
        if (response.destroyed) return;
        response.writeHead(reply.status, { "content-type": "application/json", "request-id": nextId("req") });
        response.end(JSON.stringify(reply.body));
      }, reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    charges,
    events,
    refunds,
    succeedLater(paymentIntentId) {
      const intent = intents.get(paymentIntentId);
      if (!intent || intent.status === "succeeded") throw new Error(`fake Stripe: ${paymentIntentId} cannot succeed now`);
      succeed(intent);
    },
    forgetIdempotencyKeys: () => replies.clear(),
    declineNext: (count, declineCode = "insufficient_funds") => (declines = { count, declineCode }),
    answerLate: (ms) => (lateBy = ms),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const signer = new Stripe("sk_test_signer");

/** The `Stripe-Signature` header Stripe would send with `payload`, signed with `secret`. */
export function signWebhook(payload: string, secret: string): string {
  return signer.webhooks.generateTestHeaderString({ payload, secret });
}

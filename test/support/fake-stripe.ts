// A local stand-in for Stripe's API, enough for the real `stripe` SDK: customers, payment methods
// and off-session PaymentIntents, form-encoded like Stripe, honouring Idempotency-Key (the same
// key answers the same response and never charges twice). Stripe's test payment methods behave
// as documented: pm_card_visa succeeds, pm_card_chargeDeclined is declined, and
// pm_card_authenticationRequired needs the customer.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeStripe {
  url: string;
  /** Successful charges made, by PaymentIntent id. */
  charges: string[];
  close(): Promise<void>;
}

const CARDS: Record<string, { brand: string; last4: string }> = {
  pm_card_visa: { brand: "visa", last4: "4242" },
  pm_card_chargeDeclined: { brand: "visa", last4: "0002" },
  pm_card_authenticationRequired: { brand: "visa", last4: "3184" },
};

export async function startFakeStripe(): Promise<FakeStripe> {
  const charges: string[] = [];
  const replies = new Map<string, { status: number; body: unknown }>();
  let counter = 0;
  const nextId = (prefix: string) => `${prefix}_fake${(counter += 1).toString().padStart(6, "0")}`;

  function handle(method: string, path: string, form: URLSearchParams): { status: number; body: unknown } {
    if (method === "POST" && path === "/v1/customers") return { status: 200, body: { id: nextId("cus"), object: "customer" } };
    const update = /^\/v1\/customers\/([^/]+)$/.exec(path);
    if (method === "POST" && update) return { status: 200, body: { id: update[1], object: "customer" } };
    const attach = /^\/v1\/payment_methods\/([^/]+)\/attach$/.exec(path);
    if (method === "POST" && attach) {
      const card = CARDS[attach[1]!];
      if (!card) return { status: 404, body: { error: { type: "invalid_request_error", code: "resource_missing", message: `No such PaymentMethod: '${attach[1]}'` } } };
      return { status: 200, body: { id: attach[1], object: "payment_method", type: "card", customer: form.get("customer"), card: { ...card, exp_month: 12, exp_year: 2034 } } };
    }
    if (method === "POST" && path === "/v1/payment_intents") {
      const id = nextId("pi");
      const paymentMethod = form.get("payment_method");
      if (paymentMethod === "pm_card_chargeDeclined") {
        return { status: 402, body: { error: { type: "card_error", code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." } } };
      }
      if (paymentMethod === "pm_card_authenticationRequired") {
        return {
          status: 402,
          body: { error: { type: "card_error", code: "authentication_required", decline_code: "authentication_required", message: "This payment requires authentication." } },
        };
      }
      charges.push(id);
      return {
        status: 200,
        body: { id, object: "payment_intent", status: "succeeded", amount: Number(form.get("amount")), currency: form.get("currency"), latest_charge: nextId("ch"), metadata: {} },
      };
    }
    return { status: 404, body: { error: { type: "invalid_request_error", message: `fake Stripe has no ${method} ${path}` } } };
  }

  const server: Server = createServer((request, response) => {
    let raw = "";
    request.on("data", (chunk) => (raw += chunk));
    request.on("end", () => {
      const key = request.headers["idempotency-key"];
      const cacheKey = typeof key === "string" ? `${request.method} ${request.url} ${key}` : null;
      const reply = (cacheKey && replies.get(cacheKey)) || handle(request.method ?? "GET", request.url ?? "/", new URLSearchParams(raw));
      if (cacheKey) replies.set(cacheKey, reply);
      response.writeHead(reply.status, { "content-type": "application/json", "request-id": nextId("req") });
      response.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    charges,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

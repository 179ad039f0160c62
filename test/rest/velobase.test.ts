// Contract of the customer deposit API (customer-deposit-api.txt, REFERENCE.md), over real HTTP.
import { describe, expect, it } from "vitest";
import { useGateway } from "../support/app.ts";
import { useHttp } from "../support/http.ts";

const gateway = useGateway();
const http = useHttp(gateway);

const ERROR_SHAPE = { error: { message: expect.any(String), type: expect.any(String), code: expect.any(String) } };

describe("POST /v1/customers/deposit and /v1/billing/deposit", () => {
  it("creates the customer, opens a credit account and answers every documented field", async () => {
    const reply = await http.send("POST", "/v1/customers/deposit", {
      json: {
        customer_id: "user_1",
        amount: 500,
        credit_type: "promo_campaign_2026",
        name: "Ada",
        email: "ada@example.com",
        metadata: { plan: "pro" },
        description: "welcome",
      },
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      customer_id: "user_1",
      account_id: expect.any(String),
      credit_type: "promo_campaign_2026",
      total_amount: 500,
      added_amount: 500,
      starts_at: expect.any(String),
      expires_at: null,
      record_id: expect.any(String),
      is_idempotent_replay: false,
    });
    const billing = await http.send("POST", "/v1/billing/deposit", { json: { customer_id: "user_1", amount: 100 } });
    expect(billing.body).toMatchObject({ credit_type: "default", total_amount: 100 });
    const customer = await http.send("GET", "/v1/customers/user_1");
    expect(customer.body).toMatchObject({
      id: "user_1",
      name: "Ada",
      email: "ada@example.com",
      balance: { total: 600, used: 0, frozen: 0, available: 600 },
    });
    expect(customer.body.accounts.map((account: { credit_type: string }) => account.credit_type).sort()).toEqual([
      "default",
      "promo_campaign_2026",
    ]);
  });

  it("replays a repeated idempotency_key (or Idempotency-Key header) with is_idempotent_replay", async () => {
    const body = { customer_id: "user_2", amount: 50, idempotency_key: "dep-1" };
    const first = await http.send("POST", "/v1/customers/deposit", { json: body });
    const again = await http.send("POST", "/v1/customers/deposit", { json: body });
    expect(again.body).toEqual({ ...first.body, is_idempotent_replay: true });
    const conflict = await http.send("POST", "/v1/customers/deposit", { json: { ...body, amount: 51 } });
    expect(conflict).toMatchObject({ status: 409, body: { error: { type: "conflict", code: "transaction_conflict" } } });
    const header = { customer_id: "user_2", amount: 5 };
    await http.send("POST", "/v1/billing/deposit", { json: header, headers: { "idempotency-key": "dep-2" } });
    const replay = await http.send("POST", "/v1/billing/deposit", { json: header, headers: { "idempotency-key": "dep-2" } });
    expect(replay.body.is_idempotent_replay).toBe(true);
    expect((await http.send("GET", "/v1/customers/user_2")).body.balance.total).toBe(55);
  });

  it("counts credits only inside starts_at..expires_at", async () => {
    const later = new Date(Date.now() + 86_400_000).toISOString();
    await http.send("POST", "/v1/customers/deposit", {
      json: { customer_id: "user_3", amount: 70, starts_at: later, expires_at: new Date(Date.now() + 2 * 86_400_000).toISOString() },
    });
    expect((await http.send("GET", "/v1/customers/user_3")).body.balance).toEqual({ total: 0, used: 0, frozen: 0, available: 0 });
  });

  it.each([
    ["a missing customer_id", { amount: 5 }],
    ["a zero amount", { customer_id: "x", amount: 0 }],
    ["a negative amount", { customer_id: "x", amount: -5 }],
    ["a fractional amount", { customer_id: "x", amount: 1.5 }],
    ["an amount too large to be exact", { customer_id: "x", amount: 1e300 }],
    ["expires_at before starts_at", { customer_id: "x", amount: 5, starts_at: "2030-01-02T00:00:00Z", expires_at: "2030-01-01T00:00:00Z" }],
    ["a malformed date", { customer_id: "x", amount: 5, expires_at: "next tuesday" }],
  ])("answers 400 for %s and writes nothing", async (_, json) => {
    const reply = await http.send("POST", "/v1/customers/deposit", { json });
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject(ERROR_SHAPE);
    expect(reply.body.error.type).toBe("bad_request");
    expect((await http.send("GET", "/v1/customers/x")).status).toBe(404);
  });

  it("answers 400 for malformed JSON and for another content type", async () => {
    expect((await http.send("POST", "/v1/customers/deposit", { body: "{not json" })).status).toBe(400);
    const form = await http.send("POST", "/v1/customers/deposit", {
      body: "customer_id=x&amount=5",
      contentType: "application/x-www-form-urlencoded",
    });
    expect(form).toMatchObject({ status: 400, body: { error: { code: "invalid_request" } } });
  });

  it("answers 401 without a valid token", async () => {
    expect(await http.send("POST", "/v1/customers/deposit", { json: { customer_id: "x", amount: 5 }, token: null })).toMatchObject({
      status: 401,
      body: { error: { type: "authentication_error", code: "missing_api_key" } },
    });
    expect((await http.send("GET", "/v1/customers/user_1", { token: "bg_live_nope" })).status).toBe(401);
  });

  it("answers 404 for an unknown customer", async () => {
    expect(await http.send("GET", "/v1/customers/nobody")).toMatchObject({ status: 404, body: { error: { code: "customer_not_found" } } });
  });
});

describe("staged deduction", () => {
  it("freezes, then consumes part and returns the rest", async () => {
    await http.send("POST", "/v1/customers/deposit", { json: { customer_id: "buyer", amount: 100 } });
    const frozen = await http.send("POST", "/v1/billing/freeze", {
      json: { customer_id: "buyer", transaction_id: "tx-1", amount: 40, business_type: "llm_call" },
    });
    expect(frozen).toMatchObject({ status: 200, body: { transaction_id: "tx-1", frozen_amount: 40, is_idempotent_replay: false } });
    expect(frozen.body.freeze_details).toEqual([{ account_id: expect.any(String), credit_type: "default", amount: 40 }]);
    expect((await http.send("GET", "/v1/customers/buyer")).body.balance).toEqual({ total: 100, used: 0, frozen: 40, available: 60 });

    const consumed = await http.send("POST", "/v1/billing/consume", { json: { transaction_id: "tx-1", actual_amount: 25 } });
    expect(consumed.body).toMatchObject({ transaction_id: "tx-1", consumed_amount: 25, unfrozen_amount: 15, is_idempotent_replay: false });
    const replay = await http.send("POST", "/v1/billing/consume", { json: { transaction_id: "tx-1", actual_amount: 25 } });
    expect(replay.body.is_idempotent_replay).toBe(true);
    expect((await http.send("GET", "/v1/customers/buyer")).body.balance).toEqual({ total: 100, used: 25, frozen: 0, available: 75 });
    const late = await http.send("POST", "/v1/billing/unfreeze", { json: { transaction_id: "tx-1" } });
    expect(late).toMatchObject({ status: 409, body: { error: { type: "conflict" } } });
  });

  it("unfreezes everything, and replays a repeated freeze", async () => {
    await http.send("POST", "/v1/customers/deposit", { json: { customer_id: "renter", amount: 100 } });
    const freeze = { customer_id: "renter", transaction_id: "tx-2", amount: 30 };
    await http.send("POST", "/v1/billing/freeze", { json: freeze });
    expect((await http.send("POST", "/v1/billing/freeze", { json: freeze })).body.is_idempotent_replay).toBe(true);
    const released = await http.send("POST", "/v1/billing/unfreeze", { json: { transaction_id: "tx-2" } });
    expect(released.body).toEqual({ transaction_id: "tx-2", unfrozen_amount: 30, is_idempotent_replay: false });
    expect((await http.send("GET", "/v1/customers/renter")).body.balance.available).toBe(100);
  });

  it("deducts in one step, soonest expiry first, restricted to credit_types when asked", async () => {
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    await http.send("POST", "/v1/customers/deposit", {
      json: { customer_id: "spender", amount: 10, credit_type: "promo", expires_at: soon },
    });
    await http.send("POST", "/v1/customers/deposit", { json: { customer_id: "spender", amount: 100, credit_type: "paid" } });
    const deducted = await http.send("POST", "/v1/billing/deduct", {
      json: { customer_id: "spender", transaction_id: "tx-3", amount: 15 },
    });
    expect(deducted.body).toMatchObject({
      transaction_id: "tx-3",
      deducted_amount: 15,
      deducted_at: expect.any(String),
      is_idempotent_replay: false,
    });
    expect(
      deducted.body.deduct_details.map((detail: { credit_type: string; amount: number }) => [detail.credit_type, detail.amount]),
    ).toEqual([
      ["promo", 10],
      ["paid", 5],
    ]);
    const restricted = await http.send("POST", "/v1/billing/deduct", {
      json: { customer_id: "spender", transaction_id: "tx-4", amount: 96, credit_types: ["paid"] },
    });
    expect(restricted).toMatchObject({
      status: 400,
      body: { error: { code: "insufficient_balance", message: "insufficient balance in selected credit_types" } },
    });
    const short = await http.send("POST", "/v1/billing/freeze", { json: { customer_id: "spender", transaction_id: "tx-5", amount: 96 } });
    expect(short).toMatchObject({
      status: 400,
      body: { error: { type: "bad_request", code: "insufficient_balance", message: "insufficient balance" } },
    });
  });

  it("answers 409 transaction_conflict for a transaction_id of another customer", async () => {
    await http.send("POST", "/v1/customers/deposit", { json: { customer_id: "first", amount: 10 } });
    await http.send("POST", "/v1/customers/deposit", { json: { customer_id: "second", amount: 10 } });
    await http.send("POST", "/v1/billing/deduct", { json: { customer_id: "first", transaction_id: "shared", amount: 1 } });
    const reused = await http.send("POST", "/v1/billing/deduct", { json: { customer_id: "second", transaction_id: "shared", amount: 1 } });
    expect(reused).toMatchObject({ status: 409, body: { error: { type: "conflict", code: "transaction_conflict" } } });
  });

  it("answers 404 for an unknown transaction or customer", async () => {
    expect((await http.send("POST", "/v1/billing/consume", { json: { transaction_id: "never" } })).status).toBe(404);
    expect((await http.send("POST", "/v1/billing/freeze", { json: { customer_id: "ghost", transaction_id: "t", amount: 1 } })).status).toBe(
      404,
    );
  });
});

// Contract of the commerce billing wallets API (commerce-billing-wallets-api.txt, REFERENCE.md), over real HTTP.
import { describe, expect, it } from "vitest";
import { useGateway } from "../support/app.ts";
import { usePayments } from "../support/fake-stripe.ts";
import { useHttp } from "../support/http.ts";

const gateway = useGateway();
// Recurring transaction rules charge a card: the gateway has payments.
usePayments(gateway);
const http = useHttp(gateway);

async function newWallet(extra: Record<string, unknown> = {}) {
  const reply = await http.send("POST", "/v1/commerce/billing/wallets", {
    json: { external_customer_id: "cust-1", currency: "USD", rate_amount: "0.50", name: "Main", ...extra },
  });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body;
}

describe("wallets", () => {
  it("creates a wallet with initial paid and granted credits, priced at rate_amount", async () => {
    const wallet = await newWallet({ paid_credits: "100", granted_credits: "20.5", applies_to: { fee_types: ["USAGE"] } });
    expect(wallet).toMatchObject({
      id: expect.any(String),
      external_customer_id: "cust-1",
      status: "ACTIVE",
      name: "Main",
      rate_amount: "0.50",
      available_credits: "120.5",
      consumed_credits: "0",
      ongoing_usage_credits: "0",
      net_balance_credits: "120.5",
      available_balance: { value: "60.25", currency_code: "USD" },
      net_balance: { value: "60.25", currency_code: "USD" },
      ongoing_usage: { value: "0.00", currency_code: "USD" },
      applies_to: { fee_types: ["USAGE"] },
      recurring_transaction_rules: [],
      created_at: expect.any(String),
    });
    const fetched = await http.send("GET", `/v1/commerce/billing/wallets/${wallet.id}`);
    expect(fetched.body).toEqual(wallet);
  });

  it("lists with filters and page metadata", async () => {
    await newWallet({ external_customer_id: "list-a" });
    await newWallet({ external_customer_id: "list-b" });
    const reply = await http.send("GET", "/v1/commerce/billing/wallets?external_customer_id=list-a&per_page=10");
    expect(reply.body.wallets.map((wallet: { external_customer_id: string }) => wallet.external_customer_id)).toEqual(["list-a"]);
    expect(reply.body.meta).toEqual({ total_count: 1, total_pages: 1, current_page: 1, next_page: null, prev_page: null });
  });

  it("updates expiration, applicable charges and rules, then terminates for good", async () => {
    const wallet = await newWallet({ external_customer_id: "cust-updates" });
    const rules = [{ trigger: "THRESHOLD", method: "FIXED", paid_credits: "50", threshold_credits: "10" }];
    const updated = await http.send("PUT", `/v1/commerce/billing/wallets/${wallet.id}`, {
      json: { expiration_at: "2099-12-31T00:00:00Z", applies_to: { fee_types: ["SUBSCRIPTION"] }, recurring_transaction_rules: rules },
    });
    expect(updated.body).toMatchObject({
      expiration_at: "2099-12-31T00:00:00.000Z",
      applies_to: { fee_types: ["SUBSCRIPTION"] },
      recurring_transaction_rules: rules,
    });
    const terminated = await http.send("DELETE", `/v1/commerce/billing/wallets/${wallet.id}`);
    expect(terminated).toMatchObject({ status: 200, body: { status: "TERMINATED" } });
    const topUp = await http.send("POST", `/v1/commerce/billing/wallets/${wallet.id}/wallet-transactions`, {
      json: { type: "TOPUP", paid_credits: "1" },
    });
    expect(topUp).toMatchObject({ status: 422, body: { name: "UNPROCESSABLE_ENTITY" } });
  });

  it.each([
    ["a missing external_customer_id", { currency: "USD", rate_amount: "1" }],
    ["a lower-case currency", { external_customer_id: "x", currency: "usd", rate_amount: "1" }],
    ["a zero rate_amount", { external_customer_id: "x", currency: "USD", rate_amount: "0" }],
    ["a float rate_amount", { external_customer_id: "x", currency: "USD", rate_amount: 1.5 }],
    ["negative paid_credits", { external_customer_id: "x", currency: "USD", rate_amount: "1", paid_credits: "-5" }],
    ["paid_credits as a number", { external_customer_id: "x", currency: "USD", rate_amount: "1", paid_credits: 5 }],
  ])("answers 400 INVALID_REQUEST for %s, and creates nothing", async (_, json) => {
    const reply = await http.send("POST", "/v1/commerce/billing/wallets", { json });
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({
      name: "INVALID_REQUEST",
      message: expect.any(String),
      debug_id: expect.any(String),
      details: expect.any(Array),
    });
    expect((await http.send("GET", "/v1/commerce/billing/wallets?external_customer_id=x")).body.wallets).toEqual([]);
  });

  it("answers 401 NOT_AUTHORIZED without a token and 404 RESOURCE_NOT_FOUND for an unknown wallet", async () => {
    expect(await http.send("GET", "/v1/commerce/billing/wallets", { token: null })).toMatchObject({
      status: 401,
      body: { name: "NOT_AUTHORIZED" },
    });
    expect(await http.send("GET", "/v1/commerce/billing/wallets/00000000-0000-0000-0000-000000000000")).toMatchObject({
      status: 404,
      body: { name: "RESOURCE_NOT_FOUND" },
    });
  });
});

describe("wallet transactions", () => {
  it("tops up paid and granted credits as two transactions, voids, and lists them", async () => {
    const wallet = await newWallet({ external_customer_id: "tx-1" });
    const topUp = await http.send("POST", `/v1/commerce/billing/wallets/${wallet.id}/wallet-transactions`, {
      json: { type: "TOPUP", paid_credits: "10", granted_credits: "5", metadata: [{ key: "order", value: "A-1" }] },
    });
    expect(topUp.status).toBe(200);
    expect(topUp.body.wallet_transactions).toEqual([
      expect.objectContaining({
        wallet_id: wallet.id,
        transaction_status: "PURCHASED",
        transaction_type: "INBOUND",
        credits: "10",
        amount: { value: "5.00", currency_code: "USD" },
        payment_status: "SETTLED",
        source: "MANUAL",
        metadata: [{ key: "order", value: "A-1" }],
      }),
      expect.objectContaining({ transaction_status: "GRANTED", credits: "5", amount: { value: "2.50", currency_code: "USD" } }),
    ]);
    const voided = await http.send("POST", `/v1/commerce/billing/wallets/${wallet.id}/wallet-transactions`, {
      json: { type: "VOID", credits_to_void: "3.25" },
    });
    expect(voided.body.wallet_transactions).toEqual([
      expect.objectContaining({ transaction_status: "VOIDED", transaction_type: "OUTBOUND", credits: "3.25" }),
    ]);

    const history = await http.send("GET", `/v1/commerce/billing/wallets/${wallet.id}/wallet-transactions?per_page=2`);
    expect(history.body.wallet_transactions.map((tx: { transaction_status: string }) => tx.transaction_status)).toHaveLength(2);
    expect(history.body.meta).toEqual({ total_count: 3, total_pages: 2, current_page: 1, next_page: 2, prev_page: null });
    const one = await http.send(
      "GET",
      `/v1/commerce/billing/wallet-transactions/${voided.body.wallet_transactions[0].wallet_transaction_id}`,
    );
    expect(one.body.wallet_transactions[0]).toEqual(voided.body.wallet_transactions[0]);
    expect((await http.send("GET", `/v1/commerce/billing/wallets/${wallet.id}`)).body.available_credits).toBe("11.75");
  });

  it("refuses to void more than the wallet holds, in credits as asked, and an unknown type", async () => {
    const wallet = await newWallet({ external_customer_id: "tx-2", paid_credits: "1" });
    const tooMuch = await http.send("POST", `/v1/commerce/billing/wallets/${wallet.id}/wallet-transactions`, {
      json: { type: "VOID", credits_to_void: "2.5" },
    });
    expect(tooMuch).toMatchObject({
      status: 422,
      body: { details: [{ issue: "INSUFFICIENT_CREDITS", description: "insufficient credits: 2.5 credits requested, 1 available" }] },
    });
    expect(
      (await http.send("POST", `/v1/commerce/billing/wallets/${wallet.id}/wallet-transactions`, { json: { type: "REFUND" } })).status,
    ).toBe(400);
  });
});

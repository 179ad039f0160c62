// A commerce request repeated with its Idempotency-Key answers what the first answered: the wallet
// with the balances it opened with, though credits were used since.
import { describe, expect, it } from "vitest";
import { debit } from "../../src/ledger/commands/debit.ts";
import { useGateway } from "../support/app.ts";
import { usePayments } from "../support/fake-stripe.ts";
import { useHttp } from "../support/http.ts";
import { teamScope } from "../support/ledger.ts";

const gateway = useGateway();
// Recurring transaction rules charge a card: the gateway has payments.
usePayments(gateway);
const http = useHttp(gateway);

describe("commerce wallet creation", () => {
  it("opens the wallet, its credits and its rule at once, and answers a repeat as it first did", async () => {
    const json = {
      external_customer_id: "replayed",
      currency: "USD",
      rate_amount: "0.5",
      paid_credits: "100",
      granted_credits: "10",
      recurring_transaction_rules: [{ trigger: "THRESHOLD", method: "FIXED", paid_credits: "40", threshold_credits: "5" }],
    };
    const headers = { "Idempotency-Key": "open-replayed" };
    const first = await http.send("POST", "/v1/commerce/billing/wallets", { json, headers });
    expect(first).toMatchObject({ status: 201, body: { available_credits: "110", net_balance: { value: "55.00", currency_code: "USD" } } });

    const tenant = await gateway.db.prisma.tenant.findUniqueOrThrow({ where: { slug: "acme" } });
    await debit(gateway.ledger, { scope: teamScope(tenant.id, true), walletId: first.body.id, amount: 30_000_000n });
    const again = await http.send("POST", "/v1/commerce/billing/wallets", { json, headers });
    expect(again).toMatchObject({ status: 201, body: first.body });
    expect((await http.send("GET", `/v1/commerce/billing/wallets/${first.body.id}`)).body).toMatchObject({ available_credits: "80" });
    expect(await gateway.db.prisma.operation.count({ where: { walletId: first.body.id, type: "deposit" } })).toBe(2);
  });

  it("opens nothing when its credits cannot be added", async () => {
    const json = {
      external_customer_id: "never-opened",
      currency: "USD",
      rate_amount: "1",
      paid_credits: "5",
      expiration_at: "2000-01-01T00:00:00Z",
    };
    const reply = await http.send("POST", "/v1/commerce/billing/wallets", { json });
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.status).toBeLessThan(500);
    expect(await gateway.db.prisma.customer.count({ where: { externalId: "never-opened" } })).toBe(0);
  });
});

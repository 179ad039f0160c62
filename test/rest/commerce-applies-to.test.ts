// A commerce wallet's applies_to scopes its credits (docs/scoped-credits.md): fee types and
// billable metric codes become feature keys on every block the wallet is given, so that only
// usage of what applies_to names can spend them.
import { describe, expect, it } from "vitest";
import { useGateway } from "../support/app.ts";
import { useHttp } from "../support/http.ts";

const gateway = useGateway();
const http = useHttp(gateway);

const DEBIT = `mutation($input: DebitInput!) { debit(input: $input) { __typename
  ... on DebitPayload { entries { amount } } ... on InsufficientCreditsError { available feature } } }`;

async function debitVia(walletId: string, amount: string, feature?: string) {
  return (await gateway.graphql(DEBIT, { input: { walletId, amount, ...(feature ? { feature } : {}) } })).data.debit;
}

async function blockScopes(walletId: string): Promise<string[][]> {
  const blocks = await gateway.db.prisma.creditBlock.findMany({ where: { walletId }, orderBy: { createdAt: "asc" } });
  return blocks.map((block) => block.appliesTo);
}

describe("commerce applies_to", () => {
  it("scopes the wallet's credits to its fee types and billable metrics, and only their usage spends them", async () => {
    const created = await http.send("POST", "/v1/commerce/billing/wallets", {
      json: {
        external_customer_id: "scoped-commerce",
        currency: "USD",
        rate_amount: "1",
        paid_credits: "10",
        applies_to: { fee_types: ["USAGE"], billable_metric_codes: ["gpu_hours"] },
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const walletId = created.body.id as string;
    const topUp = await http.send("POST", `/v1/commerce/billing/wallets/${walletId}/wallet-transactions`, {
      json: { type: "TOPUP", granted_credits: "5" },
    });
    expect(topUp.status, JSON.stringify(topUp.body)).toBeLessThan(300);
    expect(await blockScopes(walletId)).toEqual([
      ["fee_type:USAGE", "metric:gpu_hours"],
      ["fee_type:USAGE", "metric:gpu_hours"],
    ]);

    // Credits are kept in millionths: 1 credit is 1000000.
    expect(await debitVia(walletId, "1000000")).toEqual({ __typename: "InsufficientCreditsError", available: "0", feature: null });
    expect(await debitVia(walletId, "1000000", "metric:chat")).toMatchObject({ __typename: "InsufficientCreditsError", available: "0" });
    expect(await debitVia(walletId, "1000000", "metric:gpu_hours")).toEqual({
      __typename: "DebitPayload",
      entries: [{ amount: "-1000000" }],
    });
    expect(await debitVia(walletId, "14000000", "fee_type:USAGE")).toMatchObject({ __typename: "DebitPayload" });
  });

  it("an update's applies_to scopes the credits given after it; without one the credits pay for any usage", async () => {
    const created = await http.send("POST", "/v1/commerce/billing/wallets", {
      json: { external_customer_id: "scoped-commerce-update", currency: "USD", rate_amount: "1", granted_credits: "1" },
    });
    const walletId = created.body.id as string;
    await http.send("PUT", `/v1/commerce/billing/wallets/${walletId}`, { json: { applies_to: { fee_types: ["SUBSCRIPTION"] } } });
    await http.send("POST", `/v1/commerce/billing/wallets/${walletId}/wallet-transactions`, {
      json: { type: "TOPUP", granted_credits: "2" },
    });
    expect(await blockScopes(walletId)).toEqual([[], ["fee_type:SUBSCRIPTION"]]);
    expect(await debitVia(walletId, "1000000")).toMatchObject({ __typename: "DebitPayload" });
  });

  it("refuses an applies_to whose lists are not lists of names", async () => {
    const reply = await http.send("POST", "/v1/commerce/billing/wallets", {
      json: { external_customer_id: "scoped-commerce-bad", currency: "USD", rate_amount: "1", applies_to: { fee_types: "USAGE" } },
    });
    expect(reply).toMatchObject({ status: 400, body: { name: "INVALID_REQUEST" } });
    expect(await gateway.db.prisma.customer.count({ where: { externalId: "scoped-commerce-bad" } })).toBe(0);
  });
});

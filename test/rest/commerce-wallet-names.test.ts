// Commerce billing wallets: a customer may hold several, set apart by name. A second active
// wallet under the same name (or a second unnamed one) is refused as 422 WALLET_EXISTS, naming
// the first, so that a retried request without an Idempotency-Key opens no duplicate.
import { describe, expect, it } from "vitest";
import { useGateway } from "../support/app.ts";
import { useHttp } from "../support/http.ts";

const gateway = useGateway();
const http = useHttp(gateway);

function create(json: Record<string, unknown>, headers: Record<string, string> = {}) {
  return http.send("POST", "/v1/commerce/billing/wallets", { json: { currency: "USD", rate_amount: "1", ...json }, headers });
}

describe("several commerce wallets for one customer", () => {
  it("opens them under distinct names and refuses a second one under a taken name", async () => {
    const main = await create({ external_customer_id: "multi", name: "Main" });
    expect(main.status).toBe(201);
    expect((await create({ external_customer_id: "multi", name: "Promotions", currency: "EUR" })).status).toBe(201);
    expect((await create({ external_customer_id: "multi" })).status).toBe(201);

    for (const json of [{ name: "Main", currency: "EUR" }, {}]) {
      const again = await create({ external_customer_id: "multi", ...json, paid_credits: "5" });
      expect(again.status).toBe(422);
      expect(again.body).toMatchObject({ name: "UNPROCESSABLE_ENTITY", details: [{ issue: "WALLET_EXISTS" }] });
    }
    expect(JSON.stringify((await create({ external_customer_id: "multi", name: "Main" })).body)).toContain(main.body.id);
    const listed = await http.send("GET", "/v1/commerce/billing/wallets?external_customer_id=multi");
    expect(
      listed.body.wallets.map((wallet: { name: string | null; available_credits: string }) => [wallet.name, wallet.available_credits]),
    ).toEqual([
      ["Main", "0"],
      ["Promotions", "0"],
      [null, "0"],
    ]);
  });

  it("replays a repeated Idempotency-Key, and opens the name again once the wallet is terminated", async () => {
    const headers = { "Idempotency-Key": "open-main-once" };
    const first = await create({ external_customer_id: "keyed", name: "Main" }, headers);
    const replay = await create({ external_customer_id: "keyed", name: "Main" }, headers);
    expect([first.status, replay.status, replay.body.id]).toEqual([201, 201, first.body.id]);
    await http.send("DELETE", `/v1/commerce/billing/wallets/${first.body.id}`);
    const reopened = await create({ external_customer_id: "keyed", name: "Main" });
    expect(reopened.status).toBe(201);
    expect(reopened.body.id).not.toBe(first.body.id);
  });
});

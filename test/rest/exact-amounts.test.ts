// Amounts in request bodies are read digit for digit from the JSON text, never through a float,
// and booked at the scale of the wallet's currency.
import { describe, expect, it } from "vitest";
import { useGateway } from "../support/app.ts";
import { useHttp } from "../support/http.ts";

const gateway = useGateway();
const http = useHttp(gateway);

/** Posts JSON written by hand, so that its numbers are exactly the digits given, and returns the raw answer. */
async function postRaw(path: string, json: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${http.baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${gateway.token}`, ...headers },
    body: json,
  });
  return { status: response.status, text: await response.text() };
}

async function walletOf(externalId: string) {
  return gateway.db.prisma.wallet.findFirstOrThrow({
    where: { customer: { externalId } },
    include: { creditBlocks: { orderBy: { createdAt: "asc" } } },
  });
}

const orbEntry = (customer: string) => `/customers/external_customer_id/${customer}/credits/ledger_entry`;

describe("Orb", () => {
  it("credits 100000000000000.01 exactly, and answers it digit for digit", async () => {
    const reply = await postRaw(orbEntry("orb-exact"), '{"entry_type": "increment", "amount": 100000000000000.01}');
    expect(reply.status, reply.text).toBe(201);
    expect(reply.text).toContain('"amount":100000000000000.01,');
    expect((await walletOf("orb-exact")).creditBlocks.map((block) => block.amount)).toEqual([10_000_000_000_000_001n]);
    const spent = await postRaw(orbEntry("orb-exact"), '{"entry_type": "decrement", "amount": 0.03}');
    expect(spent.text).toContain('"ending_balance":99999999999999.98,');
  });

  it.each([
    ["EUR", "10", 1000n, "10"],
    ["EUR", "10.5", 1050n, "10.5"],
    ["JPY", "10", 10n, "10"],
    ["KWD", "1.234", 1234n, "1.234"],
    ["USD", "1.5e1", 1500n, "15"],
    ["USD", "2500e-2", 2500n, "25"],
  ])("books %s %s at the currency's scale", async (currency, amount, minorUnits, answered) => {
    const customer = `orb-${currency}-${amount}`;
    const reply = await postRaw(orbEntry(customer), `{"entry_type": "increment", "amount": ${amount}, "currency": "${currency}"}`);
    expect(reply.status, reply.text).toBe(201);
    expect(reply.text).toContain(`"amount":${answered},"currency":"${currency}"`);
    const wallet = await walletOf(customer);
    expect({ currency: wallet.currency, amounts: wallet.creditBlocks.map((block) => block.amount) }).toEqual({
      currency,
      amounts: [minorUnits],
    });
  });

  it.each([
    ["more decimals than JPY has", '{"entry_type": "increment", "amount": 10.5, "currency": "JPY"}'],
    ["more decimals than EUR has", '{"entry_type": "increment", "amount": 10.005, "currency": "EUR"}'],
    ["an amount past any balance", '{"entry_type": "increment", "amount": 1e30}'],
    ["an exponent past any amount", '{"entry_type": "increment", "amount": 1e999999}'],
    ["a tiny fraction", '{"entry_type": "increment", "amount": 1e-999999}'],
    ["an amount in exponent notation as a string", '{"entry_type": "increment", "amount": "1e2"}'],
    ["an amount as an object", '{"entry_type": "increment", "amount": {"value": 1}}'],
    ["a currency that is no code", '{"entry_type": "increment", "amount": 1, "currency": "euro"}'],
    ["metadata that is a number", '{"entry_type": "increment", "amount": 1, "metadata": 5}'],
    ["metadata that is a list", '{"entry_type": "increment", "amount": 1, "metadata": [1]}'],
    ["an entry_type that names an object property", '{"entry_type": "constructor", "amount": 1}'],
    ["an entry_type of __proto__", '{"entry_type": "__proto__", "amount": 1}'],
  ])("answers 400 for %s and creates nothing", async (_, json) => {
    const reply = await postRaw(orbEntry("orb-refused"), json);
    expect(reply.status, reply.text).toBe(400);
    expect(JSON.parse(reply.text)).toMatchObject({ status: 400, type: expect.stringContaining("400-request-validation-errors") });
    expect(await gateway.db.prisma.customer.count({ where: { externalId: "orb-refused" } })).toBe(0);
  });

  it("keeps metadata numbers as JSON numbers", async () => {
    const reply = await postRaw(
      orbEntry("orb-metadata"),
      '{"entry_type": "increment", "amount": 1, "metadata": {"batch": 7, "ratio": 0.25, "tags": ["a", 1]}}',
    );
    expect(reply.status, reply.text).toBe(201);
    expect(JSON.parse(reply.text).metadata).toEqual({ batch: 7, ratio: 0.25, tags: ["a", 1] });
  });
});

describe("Customer deposits", () => {
  it("deposits whole credits past 2^53 exactly", async () => {
    const reply = await postRaw("/v1/customers/deposit", '{"customer_id": "big", "amount": 12345678901234567, "metadata": {"tier": 2}}');
    expect(reply.status, reply.text).toBe(200);
    expect(reply.text).toContain('"added_amount":12345678901234567,');
    expect((await walletOf("big")).creditBlocks.map((block) => block.amount)).toEqual([12_345_678_901_234_567n]);
    expect((await gateway.db.prisma.customer.findFirstOrThrow({ where: { externalId: "big" } })).metadata).toEqual({ tier: 2 });
  });

  it("takes an integer written with an exponent or a zero fraction, and refuses a fraction", async () => {
    expect((await postRaw("/v1/customers/deposit", '{"customer_id": "styles", "amount": 1e2}')).text).toContain('"added_amount":100,');
    expect((await postRaw("/v1/customers/deposit", '{"customer_id": "styles", "amount": 5.0}')).text).toContain('"added_amount":5,');
    for (const amount of ["1.5", "1e-1", "1e19", "123456789012345678901"]) {
      expect((await postRaw("/v1/customers/deposit", `{"customer_id": "styles", "amount": ${amount}}`)).status, amount).toBe(400);
    }
    expect((await walletOf("styles")).creditBlocks.map((block) => block.amount)).toEqual([100n, 5n]);
  });
});

describe("Wren", () => {
  it("reads amountInUsdCents exactly (test token: validation runs, nothing is charged)", async () => {
    const testToken = await gateway.issue("acme", { test: true });
    const topUp = (json: string) => postRaw("/api/credits/top-up", json, { authorization: `Bearer ${testToken}` });
    expect(await topUp('{"amountInUsdCents": 1.5e3}')).toMatchObject({
      status: 200,
      text: expect.stringContaining('"amountCharged":1500,'),
    });
    for (const amount of ["100.5", "9007199254740993", "1e16", "-100", '"1e3"']) {
      expect((await topUp(`{"amountInUsdCents": ${amount}}`)).status, amount).toBe(400);
    }
  });
});

describe("Commerce billing wallets", () => {
  it("keeps numbers in applies_to and rules as JSON numbers, and credits still as decimal strings", async () => {
    const reply = await postRaw(
      "/v1/commerce/billing/wallets",
      '{"external_customer_id": "commerce-exact", "currency": "USD", "rate_amount": "1", "paid_credits": "0.000001", "applies_to": {"fee_types": ["USAGE"], "weight": 2.5}, "recurring_transaction_rules": [{"trigger": "INTERVAL", "interval": "MONTHLY", "paid_credits": "1", "priority": 3}]}',
    );
    expect(reply.status, reply.text).toBe(201);
    expect(JSON.parse(reply.text)).toMatchObject({
      available_credits: "0.000001",
      applies_to: { fee_types: ["USAGE"], weight: 2.5 },
      recurring_transaction_rules: [{ trigger: "INTERVAL", priority: 3 }],
    });
    const numeric = await postRaw(
      `/v1/commerce/billing/wallets/${JSON.parse(reply.text).id}/wallet-transactions`,
      '{"type": "TOPUP", "paid_credits": 5}',
    );
    expect(numeric.status).toBe(400);
    expect(JSON.parse(numeric.text)).toMatchObject({ name: "INVALID_REQUEST", details: [{ field: "/paid_credits" }] });
  });
});

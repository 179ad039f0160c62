// Contract of Orb's credit ledger (orb-credit-ledger-entry-api.txt, REFERENCE.md): over real
// HTTP, and through the official `orb-billing` SDK pointed at the gateway.
import Orb from "orb-billing";
import { beforeAll, describe, expect, it } from "vitest";
import { useGateway } from "../support/app.ts";
import { useHttp } from "../support/http.ts";

const gateway = useGateway();
const http = useHttp(gateway);
let orb: Orb;

beforeAll(() => {
  orb = new Orb({ apiKey: gateway.token, baseURL: http.baseUrl, maxRetries: 0 });
});

const ENTRY_FIELDS = [
  "id",
  "ledger_sequence_number",
  "entry_status",
  "customer",
  "starting_balance",
  "ending_balance",
  "amount",
  "currency",
  "created_at",
  "description",
  "credit_block",
  "entry_type",
  "metadata",
];

describe("POST …/credits/ledger_entry", () => {
  it("increments with every documented field and answers 201 with the ledger entry resource", async () => {
    const reply = await http.send("POST", "/customers/external_customer_id/orb-1/credits/ledger_entry", {
      json: {
        entry_type: "increment",
        amount: 25.5,
        currency: "USD",
        description: "trial credits",
        expiry_date: "2099-01-01",
        effective_date: "2020-01-01",
        per_unit_cost_basis: "0.01",
        metadata: { source: "trial" },
      },
    });
    expect(reply.status).toBe(201);
    expect(Object.keys(reply.body)).toEqual(expect.arrayContaining(ENTRY_FIELDS));
    expect(reply.body).toMatchObject({
      ledger_sequence_number: 1,
      entry_status: "committed",
      customer: { external_customer_id: "orb-1" },
      starting_balance: 0,
      ending_balance: 25.5,
      amount: 25.5,
      currency: "USD",
      entry_type: "increment",
      description: "trial credits",
      credit_block: { expiry_date: "2099-01-01T00:00:00.000Z", per_unit_cost_basis: "0.01" },
      metadata: { source: "trial" },
    });
  });

  it("decrements, voids, amends and changes expiry through the official SDK", async () => {
    const increment = await orb.customers.credits.ledger.createEntryByExternalID("orb-2", {
      entry_type: "increment",
      amount: 100,
      expiry_date: "2099-01-01",
    });
    const blockId = increment.credit_block.id;
    const decrement = await orb.customers.credits.ledger.createEntryByExternalID("orb-2", {
      entry_type: "decrement",
      amount: 30,
      description: "usage",
    });
    expect(decrement).toMatchObject({ entry_type: "decrement", amount: -30, starting_balance: 100, ending_balance: 70 });
    const voided = await orb.customers.credits.ledger.createEntryByExternalID("orb-2", {
      entry_type: "void",
      block_id: blockId,
      amount: 10,
      void_reason: "refund",
    });
    expect(voided).toMatchObject({ entry_type: "void", void_reason: "refund", void_amount: 10, ending_balance: 60 });
    const amended = await orb.customers.credits.ledger.createEntryByExternalID("orb-2", {
      entry_type: "amendment",
      block_id: blockId,
      amount: 5,
    });
    expect(amended).toMatchObject({ entry_type: "amendment", amount: 5, ending_balance: 65 });
    const moved = await orb.customers.credits.ledger.createEntryByExternalID("orb-2", {
      entry_type: "expiration_change",
      block_id: blockId,
      target_expiry_date: "2100-06-30",
      expiry_date: null,
      amount: null,
    } as never);
    expect(moved).toMatchObject({ entry_type: "expiration_change", starting_balance: 65, ending_balance: 65 });

    const blocks = await orb.customers.credits.listByExternalID("orb-2");
    expect(blocks.data.map((block) => [block.balance, block.expiry_date]).sort((a, b) => String(a[1]).localeCompare(String(b[1])))).toEqual(
      [
        [0, "2099-01-01T00:00:00.000Z"],
        [65, "2100-06-30T00:00:00.000Z"],
      ],
    );
    const ledger = await orb.customers.credits.ledger.listByExternalID("orb-2", { limit: 3 });
    expect(ledger.data.map((entry) => entry.ledger_sequence_number)).toEqual([6, 5, 4]);
    expect(ledger.hasNextPage()).toBe(true);
  });

  it("replays an Idempotency-Key", async () => {
    const request = { json: { entry_type: "increment", amount: 5 }, headers: { "idempotency-key": "orb-idem-1" } };
    const first = await http.send("POST", "/customers/external_customer_id/orb-3/credits/ledger_entry", request);
    const again = await http.send("POST", "/customers/external_customer_id/orb-3/credits/ledger_entry", request);
    expect(again.body.id).toBe(first.body.id);
    const ledger = await http.send("GET", "/customers/external_customer_id/orb-3/credits/ledger");
    expect(ledger.body.data).toHaveLength(1);
  });

  it.each([
    ["an unknown entry_type", { entry_type: "gift", amount: 1 }],
    ["a missing amount", { entry_type: "increment" }],
    ["a negative amount", { entry_type: "increment", amount: -1 }],
    ["more decimals than the currency has", { entry_type: "increment", amount: 1.234 }],
    [
      "an expiry before the effective date",
      { entry_type: "increment", amount: 1, effective_date: "2099-02-01", expiry_date: "2099-01-01" },
    ],
    ["a malformed date", { entry_type: "increment", amount: 1, expiry_date: "soon" }],
  ])("answers 400 for %s and writes nothing", async (_, json) => {
    const reply = await http.send("POST", "/customers/external_customer_id/orb-bad/credits/ledger_entry", { json });
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({
      status: 400,
      type: expect.stringContaining("error-responses"),
      title: expect.any(String),
      detail: expect.any(String),
    });
    expect((await http.send("GET", "/customers/external_customer_id/orb-bad/credits")).status).toBe(404);
  });

  it("answers 400 for a decrement beyond the balance, 404 for an unknown customer, 401 without a key", async () => {
    await http.send("POST", "/customers/external_customer_id/orb-4/credits/ledger_entry", { json: { entry_type: "increment", amount: 1 } });
    expect(
      (
        await http.send("POST", "/customers/external_customer_id/orb-4/credits/ledger_entry", {
          json: { entry_type: "decrement", amount: 2 },
        })
      ).status,
    ).toBe(400);
    expect((await http.send("GET", "/customers/external_customer_id/nobody/credits/ledger")).status).toBe(404);
    expect((await http.send("GET", "/customers/external_customer_id/orb-4/credits", { token: null })).status).toBe(401);
  });
});

// Orb's ledger entries that name a credit block write only into the block's own customer: a
// block_id of another customer is not found, and nothing is written anywhere.
import { beforeAll, describe, expect, it } from "vitest";
import { useGateway } from "../support/app.ts";
import { useHttp } from "../support/http.ts";

const gateway = useGateway();
const http = useHttp(gateway);
let victimBlock: string;
let attackerOrbId: string;

const entryPath = (customer: string) => `/customers/external_customer_id/${customer}/credits/ledger_entry`;

async function increment(customer: string, amount: number) {
  const reply = await http.send("POST", entryPath(customer), { json: { entry_type: "increment", amount, expiry_date: "2099-01-01" } });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body;
}

async function entryCount() {
  return gateway.db.prisma.ledgerEntry.count();
}

async function blocksOf(customer: string) {
  return (await http.send("GET", `/customers/external_customer_id/${customer}/credits`)).body.data.map(
    (block: { id: string; balance: number; expiry_date: string }) => ({
      id: block.id,
      balance: block.balance,
      expiry_date: block.expiry_date,
    }),
  );
}

beforeAll(async () => {
  victimBlock = (await increment("victim", 100)).credit_block.id;
  attackerOrbId = (await increment("attacker", 5)).customer.id;
});

describe("an entry naming another customer's block", () => {
  it.each([
    ["an amendment", { entry_type: "amendment", amount: 50 }],
    ["an expiration change", { entry_type: "expiration_change", target_expiry_date: "2100-01-01", amount: 10 }],
    ["a void", { entry_type: "void", amount: 10, void_reason: "refund" }],
  ])("answers 404 for %s and writes nothing in either customer", async (_, json) => {
    const before = { entries: await entryCount(), victim: await blocksOf("victim"), attacker: await blocksOf("attacker") };
    for (const path of [entryPath("attacker"), `/customers/${attackerOrbId}/credits/ledger_entry`]) {
      const reply = await http.send("POST", path, { json: { ...json, block_id: victimBlock } });
      expect(reply.status, JSON.stringify(reply.body)).toBe(404);
      expect(reply.body).toMatchObject({ status: 404, type: expect.stringContaining("404-resource-not-found") });
    }
    expect({ entries: await entryCount(), victim: await blocksOf("victim"), attacker: await blocksOf("attacker") }).toEqual(before);
  });

  it("still amends and moves the customer's own blocks", async () => {
    const amended = await http.send("POST", entryPath("victim"), { json: { entry_type: "amendment", block_id: victimBlock, amount: 1 } });
    expect(amended).toMatchObject({
      status: 201,
      body: { entry_type: "amendment", amount: 1, customer: { external_customer_id: "victim" }, credit_block: { id: victimBlock } },
    });
    const moved = await http.send("POST", entryPath("victim"), {
      json: { entry_type: "expiration_change", block_id: victimBlock, target_expiry_date: "2100-01-01", amount: 1 },
    });
    expect(moved).toMatchObject({ status: 201, body: { entry_type: "expiration_change", starting_balance: 101, ending_balance: 101 } });
  });
});

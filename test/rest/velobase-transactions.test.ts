// The customer deposit API's transaction_id: one id names one freeze or deduction per tenant, and
// consume/unfreeze reach only the freeze this API made for it, for its own customer.
import { beforeAll, describe, expect, it } from "vitest";
import { holdCredits } from "../../src/ledger/commands/hold.ts";
import { findCustomerWallet } from "../../src/ledger/queries.ts";
import { CREDIT_UNIT } from "../../src/rest/velobase/routes.ts";
import { useGateway } from "../support/app.ts";
import { useHttp } from "../support/http.ts";
import { teamScope } from "../support/ledger.ts";

const gateway = useGateway();
const http = useHttp(gateway);
const CONFLICT = { status: 409, body: { error: { type: "conflict", code: "transaction_conflict", message: expect.any(String) } } };

async function customerWithCredits(customerId: string, amount = 1000) {
  const reply = await http.send("POST", "/v1/customers/deposit", { json: { customer_id: customerId, amount } });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
}

async function balance(customerId: string) {
  return (await http.send("GET", `/v1/customers/${customerId}`)).body.balance;
}

describe("one transaction_id, one transaction", () => {
  it("refuses to deduct a transaction_id already frozen: the customer pays once", async () => {
    await customerWithCredits("payer");
    const freeze = await http.send("POST", "/v1/billing/freeze", { json: { customer_id: "payer", transaction_id: "t-1", amount: 100 } });
    expect(freeze.status).toBe(200);
    const deduct = await http.send("POST", "/v1/billing/deduct", { json: { customer_id: "payer", transaction_id: "t-1", amount: 100 } });
    expect(deduct).toMatchObject(CONFLICT);
    const consume = await http.send("POST", "/v1/billing/consume", { json: { transaction_id: "t-1" } });
    expect(consume).toMatchObject({ status: 200, body: { consumed_amount: 100 } });
    expect(await balance("payer")).toEqual({ total: 1000, used: 100, frozen: 0, available: 900 });
  });

  it("refuses to freeze a transaction_id already deducted, and consume does not settle a deduction", async () => {
    await customerWithCredits("deducted");
    expect(
      (await http.send("POST", "/v1/billing/deduct", { json: { customer_id: "deducted", transaction_id: "t-2", amount: 40 } })).status,
    ).toBe(200);
    expect(
      await http.send("POST", "/v1/billing/freeze", { json: { customer_id: "deducted", transaction_id: "t-2", amount: 40 } }),
    ).toMatchObject(CONFLICT);
    expect(await http.send("POST", "/v1/billing/consume", { json: { transaction_id: "t-2" } })).toMatchObject(CONFLICT);
    expect(await http.send("POST", "/v1/billing/unfreeze", { json: { transaction_id: "t-2" } })).toMatchObject(CONFLICT);
    expect(await balance("deducted")).toEqual({ total: 1000, used: 40, frozen: 0, available: 960 });
  });

  it("refuses the same transaction_id for another customer, whatever the verb", async () => {
    await customerWithCredits("owner");
    await customerWithCredits("other");
    expect(
      (await http.send("POST", "/v1/billing/freeze", { json: { customer_id: "owner", transaction_id: "t-3", amount: 10 } })).status,
    ).toBe(200);
    expect(
      await http.send("POST", "/v1/billing/freeze", { json: { customer_id: "other", transaction_id: "t-3", amount: 10 } }),
    ).toMatchObject(CONFLICT);
    expect(
      await http.send("POST", "/v1/billing/deduct", { json: { customer_id: "other", transaction_id: "t-3", amount: 10 } }),
    ).toMatchObject(CONFLICT);
    expect(await balance("other")).toEqual({ total: 1000, used: 0, frozen: 0, available: 1000 });
  });

  it("replays an identical freeze or deduct, and refuses one with another amount", async () => {
    await customerWithCredits("repeater");
    const freeze = { customer_id: "repeater", transaction_id: "t-4", amount: 10, credit_types: ["default"], business_type: "llm_call" };
    const first = await http.send("POST", "/v1/billing/freeze", { json: freeze });
    const again = await http.send("POST", "/v1/billing/freeze", { json: freeze });
    expect(again).toEqual({ status: 200, body: { ...first.body, is_idempotent_replay: true } });
    expect(await http.send("POST", "/v1/billing/freeze", { json: { ...freeze, amount: 11 } })).toMatchObject(CONFLICT);

    const deduct = { customer_id: "repeater", transaction_id: "t-5", amount: 7 };
    const deducted = await http.send("POST", "/v1/billing/deduct", { json: deduct });
    const replayed = await http.send("POST", "/v1/billing/deduct", { json: deduct });
    expect(replayed).toEqual({ status: 200, body: { ...deducted.body, is_idempotent_replay: true } });
    expect(await http.send("POST", "/v1/billing/deduct", { json: { ...deduct, amount: 8 } })).toMatchObject(CONFLICT);
    expect(await balance("repeater")).toEqual({ total: 1000, used: 7, frozen: 10, available: 983 });
  });

  it("lets one of two racing first uses through, for any verbs and customers", async () => {
    await customerWithCredits("racer-a");
    await customerWithCredits("racer-b");
    const attempts = [
      { path: "/v1/billing/freeze", json: { customer_id: "racer-a", transaction_id: "t-race", amount: 5 } },
      { path: "/v1/billing/deduct", json: { customer_id: "racer-b", transaction_id: "t-race", amount: 4 } },
      { path: "/v1/billing/deduct", json: { customer_id: "racer-a", transaction_id: "t-race", amount: 3 } },
    ];
    const replies = await Promise.all(attempts.map(({ path, json }) => http.send("POST", path, { json })));
    expect(replies.map((reply) => reply.status).sort()).toEqual([200, 409, 409]);
    const winner = attempts[replies.findIndex((reply) => reply.status === 200)]!;
    const spent = async (customerId: string) => {
      const figures = await balance(customerId);
      return figures.used + figures.frozen;
    };
    expect({ a: await spent("racer-a"), b: await spent("racer-b") }).toEqual({
      a: winner.json.customer_id === "racer-a" ? winner.json.amount : 0,
      b: winner.json.customer_id === "racer-b" ? winner.json.amount : 0,
    });
  });
});

describe("consume and unfreeze", () => {
  it("never settle a hold made outside this API that carries the transaction_id as its reference", async () => {
    await customerWithCredits("mixed");
    const tenant = await gateway.db.prisma.tenant.findUniqueOrThrow({ where: { slug: "acme" } });
    const scope = teamScope(tenant.id, true);
    const wallet = (await findCustomerWallet(gateway.ledger, scope, "mixed", CREDIT_UNIT))!;
    // What GraphQL's hold mutation does with `reference: "t-6"`.
    await holdCredits(gateway.ledger, { scope, walletId: wallet.id, amount: 300n, reference: "t-6" });
    expect(await http.send("POST", "/v1/billing/consume", { json: { transaction_id: "t-6" } })).toMatchObject({
      status: 404,
      body: { error: { code: "transaction_not_found" } },
    });
    expect((await http.send("POST", "/v1/billing/unfreeze", { json: { transaction_id: "t-6" } })).status).toBe(404);

    // With a freeze of its own for t-6, consume settles that freeze and leaves the other hold open.
    expect(
      (await http.send("POST", "/v1/billing/freeze", { json: { customer_id: "mixed", transaction_id: "t-6", amount: 20 } })).status,
    ).toBe(200);
    await holdCredits(gateway.ledger, { scope, walletId: wallet.id, amount: 50n, reference: "t-6" });
    const consumed = await http.send("POST", "/v1/billing/consume", { json: { transaction_id: "t-6" } });
    expect(consumed).toMatchObject({ status: 200, body: { consumed_amount: 20, unfrozen_amount: 0 } });
    expect(await balance("mixed")).toEqual({ total: 1000, used: 20, frozen: 350, available: 630 });
  });

  it("settle only the customer the body names, when it names one", async () => {
    await customerWithCredits("named");
    await customerWithCredits("unnamed");
    await http.send("POST", "/v1/billing/freeze", { json: { customer_id: "named", transaction_id: "t-7", amount: 30 } });
    expect(await http.send("POST", "/v1/billing/consume", { json: { customer_id: "unnamed", transaction_id: "t-7" } })).toMatchObject(
      CONFLICT,
    );
    expect(await http.send("POST", "/v1/billing/unfreeze", { json: { customer_id: "unnamed", transaction_id: "t-7" } })).toMatchObject(
      CONFLICT,
    );
    expect((await balance("named")).frozen).toBe(30);
    const released = await http.send("POST", "/v1/billing/unfreeze", { json: { customer_id: "named", transaction_id: "t-7" } });
    expect(released).toMatchObject({ status: 200, body: { unfrozen_amount: 30, is_idempotent_replay: false } });
  });

  it("reach only a personal token's own customer's freezes", async () => {
    await customerWithCredits("alice");
    await customerWithCredits("bob");
    const alice = await gateway.issue("acme", { customer: "alice" });
    const bob = await gateway.issue("acme", { customer: "bob" });
    expect(
      (await http.send("POST", "/v1/billing/freeze", { json: { customer_id: "alice", transaction_id: "t-8", amount: 25 }, token: alice }))
        .status,
    ).toBe(200);
    expect((await http.send("POST", "/v1/billing/consume", { json: { transaction_id: "t-8" }, token: bob })).status).toBe(404);
    expect((await http.send("POST", "/v1/billing/unfreeze", { json: { transaction_id: "t-8" }, token: bob })).status).toBe(404);
    expect(
      await http.send("POST", "/v1/billing/freeze", { json: { customer_id: "bob", transaction_id: "t-8", amount: 25 }, token: bob }),
    ).toMatchObject(CONFLICT);
    const consumed = await http.send("POST", "/v1/billing/consume", { json: { transaction_id: "t-8", actual_amount: 5 }, token: alice });
    expect(consumed).toMatchObject({ status: 200, body: { consumed_amount: 5, unfrozen_amount: 20 } });
    expect(await balance("bob")).toEqual({ total: 1000, used: 0, frozen: 0, available: 1000 });
  });
});

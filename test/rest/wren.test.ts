// Contract of the Wren credits API (wren-credits-api.txt, wren-quickstart.txt), over real HTTP.
import { beforeAll, describe, expect, it } from "vitest";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { ensureCustomerWallet } from "../../src/ledger/commands/ensure-customer-wallet.ts";
import { TEAM_CUSTOMER } from "../../src/rest/wren/routes.ts";
import { useGateway } from "../support/app.ts";
import { useHttp } from "../support/http.ts";
import { teamScope } from "../support/ledger.ts";

const gateway = useGateway();
const http = useHttp(gateway);
let testToken: string;

beforeAll(async () => {
  testToken = await gateway.issue("acme", { test: true });
  const tenant = await gateway.db.prisma.tenant.findUniqueOrThrow({ where: { slug: "acme" } });
  const scope = teamScope(tenant.id, true);
  const wallet = await ensureCustomerWallet(gateway.ledger, { scope, customer: { externalId: TEAM_CUSTOMER }, currency: "USD" });
  await deposit(gateway.ledger, {
    scope,
    walletId: wallet.id,
    amount: 10_000n,
    category: "paid",
    source: "top_up",
    metadata: { stripe_charge_id: "ch_123" },
  });
  gateway.clock.advance(1000);
  await debit(gateway.ledger, { scope, walletId: wallet.id, amount: 1_250n, reference: "oo_1" });
});

describe("GET /api/credits/balance", () => {
  it("answers the team wallet's balance in USD cents", async () => {
    expect(await http.send("GET", "/api/credits/balance")).toEqual({ status: 200, body: { creditBalanceUsdCents: 8_750 } });
  });

  it("answers the canned $1,000.00 to a test token", async () => {
    expect((await http.send("GET", "/api/credits/balance", { token: testToken })).body).toEqual({ creditBalanceUsdCents: 100_000 });
  });

  it("answers 403 without valid authentication", async () => {
    expect((await http.send("GET", "/api/credits/balance", { token: null })).status).toBe(403);
    expect((await http.send("GET", "/api/credits/balance", { token: "wren_test_00000000-0000-0000-0000-000000000000" })).status).toBe(403);
  });
});

describe("GET /api/credits/ledger", () => {
  it("lists entries newest first with the documented fields", async () => {
    const reply = await http.send("GET", "/api/credits/ledger");
    expect(reply.body).toMatchObject({ total: 2, limit: 50, offset: 0 });
    expect(reply.body.entries).toEqual([
      {
        id: expect.any(String),
        amount_usd_cents: -1_250,
        type: "deduction",
        order_group_id: "oo_1",
        stripe_charge_id: null,
        created_at: expect.any(String),
      },
      {
        id: expect.any(String),
        amount_usd_cents: 10_000,
        type: "top_up",
        order_group_id: null,
        stripe_charge_id: "ch_123",
        created_at: expect.any(String),
      },
    ]);
  });

  it("pages with limit and offset, and refuses a limit over 200", async () => {
    const second = await http.send("GET", "/api/credits/ledger?limit=1&offset=1");
    expect(second.body).toMatchObject({ total: 2, limit: 1, offset: 1, entries: [{ type: "top_up" }] });
    expect((await http.send("GET", "/api/credits/ledger?limit=201")).status).toBe(400);
    expect((await http.send("GET", "/api/credits/ledger?offset=-1")).status).toBe(400);
  });

  it("answers a small canned ledger to a test token", async () => {
    const reply = await http.send("GET", "/api/credits/ledger", { token: testToken });
    expect(reply.body.entries.length).toBeGreaterThan(0);
    expect(reply.body.total).toBe(reply.body.entries.length);
  });
});

describe("Wren's test mode", () => {
  const notice = async (method: string, path: string, token: string, body?: unknown) => {
    const response = await fetch(`${http.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    await response.text();
    return response.headers.get("billing-gateway-notice");
  };

  it("marks every canned answer as Wren's sandbox, so nobody takes it for the ledger's figures", async () => {
    for (const [method, path, body] of [
      ["GET", "/api/credits/balance"],
      ["GET", "/api/credits/ledger"],
      ["POST", "/api/credits/top-up", { amountInUsdCents: 2_000 }],
    ] as const) {
      expect(await notice(method, path, testToken, body), path).toMatch(
        /^Wren test mode: canned figures, as Wren's sandbox answers test tokens .*GraphQL and the other REST families show this token's real test-mode ledger/,
      );
    }
  });

  it("leaves a live token's answers unmarked", async () => {
    expect(await notice("GET", "/api/credits/balance", gateway.token)).toBeNull();
    expect(await notice("GET", "/api/credits/ledger", gateway.token)).toBeNull();
  });
});

describe("POST /api/credits/top-up", () => {
  it("validates for real in test mode, then answers the canned top-up without charging", async () => {
    for (const [body, contentType] of [
      [JSON.stringify({}), "application/json"],
      [JSON.stringify({ amountInUsdCents: 99 }), "application/json"],
      [JSON.stringify({ amountInUsdCents: 150.5 }), "application/json"],
      ["{broken", "application/json"],
    ] as const) {
      expect((await http.send("POST", "/api/credits/top-up", { body, contentType, token: testToken })).status, body).toBe(400);
    }
    const json = await http.send("POST", "/api/credits/top-up", { json: { amountInUsdCents: 2_000 }, token: testToken });
    expect(json).toEqual({ status: 200, body: { amountCharged: 2_000, id: expect.stringMatching(/^ch_test_/), creditBalance: 100_000 } });
    const form = await http.send("POST", "/api/credits/top-up", {
      body: "amountInUsdCents=2000",
      contentType: "application/x-www-form-urlencoded",
      token: testToken,
    });
    expect(form.body.amountCharged).toBe(2_000);
  });

  it("answers 400 with a payment failure while payments are not configured, and adds nothing", async () => {
    const reply = await http.send("POST", "/api/credits/top-up", { json: { amountInUsdCents: 2_000 } });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatch(/Payment failed/);
    expect((await http.send("GET", "/api/credits/balance")).body.creditBalanceUsdCents).toBe(8_750);
  });
});

// Malformed query parameters and path ids of every vendor family answer 400 (or 404 for an id
// that names nothing) in that family's error shape, never 500, and change nothing.
import { beforeAll, describe, expect, it } from "vitest";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { ensureCustomerWallet } from "../../src/ledger/commands/ensure-customer-wallet.ts";
import { TEAM_CUSTOMER } from "../../src/rest/wren/routes.ts";
import { useGateway } from "../support/app.ts";
import { useHttp } from "../support/http.ts";
import { teamScope } from "../support/ledger.ts";

const gateway = useGateway();
const http = useHttp(gateway);
let commerceWalletId: string;

beforeAll(async () => {
  const tenant = await gateway.db.prisma.tenant.findUniqueOrThrow({ where: { slug: "acme" } });
  const scope = teamScope(tenant.id, true);
  const wren = await ensureCustomerWallet(gateway.ledger, { scope, customer: { externalId: TEAM_CUSTOMER }, currency: "USD" });
  await deposit(gateway.ledger, { scope, walletId: wren.id, amount: 500n, category: "paid" });
  const orb = await http.send("POST", "/customers/external_customer_id/orb-q/credits/ledger_entry", {
    json: { entry_type: "increment", amount: 10 },
  });
  expect(orb.status).toBe(201);
  const commerce = await http.send("POST", "/v1/commerce/billing/wallets", {
    json: { external_customer_id: "commerce-q", currency: "USD", rate_amount: "1", paid_credits: "5" },
  });
  expect(commerce.status).toBe(201);
  commerceWalletId = commerce.body.id;
});

const MALFORMED_NUMBERS = ["", "-1", "0", "1e3", "1.5", "0x10", "+5", " 5", "Infinity", "NaN", "99999999999999999999999999", "1%00"];

const ORB_SHAPE = {
  status: 400,
  type: expect.stringContaining("400-request-validation-errors"),
  title: expect.any(String),
  detail: expect.any(String),
};
const COMMERCE_SHAPE = { name: "INVALID_REQUEST", message: expect.any(String), debug_id: expect.any(String), details: expect.any(Array) };

describe("Orb", () => {
  const ledger = "/customers/external_customer_id/orb-q/credits/ledger";
  const blocks = "/customers/external_customer_id/orb-q/credits";
  const cases = [
    ...MALFORMED_NUMBERS.filter((raw) => raw !== "0").flatMap((raw) => [`${ledger}?limit=${raw}`, `${blocks}?limit=${raw}`]),
    `${ledger}?limit=0`,
    `${ledger}?limit=101`,
    ...["constructor", "__proto__", "toString", "hasOwnProperty", "", "INCREMENT", "hold"].map((type) => `${ledger}?entry_type=${type}`),
    ...["constructor", "__proto__", "", "void"].map((status) => `${ledger}?entry_status=${status}`),
    ...["not-a-cursor", "-1", "1e3", "99999999999999999999", "1.5"].map((cursor) => `${ledger}?cursor=${cursor}`),
    ...["not-a-cursor", "1", "00000000-0000-0000-0000-00000000000g"].map((cursor) => `${blocks}?cursor=${cursor}`),
    ...["gte", "gt", "lt", "lte"].flatMap((bound) =>
      ["soon", "2024-13-01", "2024-01-01T25:00:00Z", "1e3", "-1", "", "+275760-09-13", "0000-01-01", "9999-12-31T23:00:00-05:00"].map(
        (date) => `${ledger}?created_at[${bound}]=${date}`,
      ),
    ),
  ];

  it.each(cases)("GET %s answers 400 in Orb's shape", async (path) => {
    const reply = await http.send("GET", path);
    expect(reply.status, JSON.stringify(reply.body)).toBe(400);
    expect(reply.body).toMatchObject(ORB_SHAPE);
  });

  it("answers 404 for a customer id that names nothing, however it is written", async () => {
    for (const id of ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "%00", "a".repeat(5000)]) {
      expect((await http.send("GET", `/customers/${id}/credits`)).status).toBe(404);
      expect((await http.send("GET", `/customers/external_customer_id/${id}/credits/ledger`)).status).toBe(404);
    }
  });

  it("filters by a valid entry_type, entry_status, currency and created_at bounds", async () => {
    const all = await http.send("GET", `${ledger}?entry_type=increment&entry_status=committed`);
    expect(all.body.data).toHaveLength(1);
    const createdAt = all.body.data[0].created_at as string;
    expect((await http.send("GET", `${ledger}?created_at[gte]=${createdAt}`)).body.data).toHaveLength(1);
    expect((await http.send("GET", `${ledger}?created_at[gt]=${createdAt}`)).body.data).toHaveLength(0);
    expect((await http.send("GET", `${ledger}?created_at[lte]=${createdAt}`)).body.data).toHaveLength(1);
    expect((await http.send("GET", `${ledger}?created_at[lt]=${createdAt}`)).body.data).toHaveLength(0);
    expect((await http.send("GET", `${ledger}?entry_status=pending`)).body.data).toHaveLength(0);
    expect((await http.send("GET", `${ledger}?currency=EUR`)).body.data).toHaveLength(0);
    expect((await http.send("GET", `${ledger}?currency=USD`)).body.data).toHaveLength(1);
    expect((await http.send("GET", `${ledger}?entry_type=decrement`)).body.data).toHaveLength(0);
    expect(
      (await http.send("GET", `${ledger}?created_at[gte]=1970-01-01&created_at[lte]=9999-12-31T23:59:59.999Z`)).body.data,
    ).toHaveLength(1);
  });

  it("answers an empty page for a well-formed cursor past the end", async () => {
    expect((await http.send("GET", `${ledger}?cursor=1`)).body).toEqual({
      data: [],
      pagination_metadata: { has_more: false, next_cursor: null },
    });
    const unknownBlock = await http.send("GET", `${blocks}?cursor=00000000-0000-0000-0000-000000000000`);
    expect(unknownBlock.status).toBe(200);
  });
});

describe("Wren", () => {
  const cases = [
    ...MALFORMED_NUMBERS.filter((raw) => raw !== "0").map((raw) => `/api/credits/ledger?limit=${raw}`),
    "/api/credits/ledger?limit=0",
    "/api/credits/ledger?limit=201",
    ...MALFORMED_NUMBERS.filter((raw) => raw !== "0" && raw !== "99999999999999999999999999").map(
      (raw) => `/api/credits/ledger?offset=${raw}`,
    ),
    "/api/credits/ledger?offset=99999999999999999999999999",
    "/api/credits/ledger?offset=9007199254740993",
    "/api/credits/ledger?offset=4294967296",
    "/api/credits/ledger?offset=2147483648",
  ];

  it.each(cases)("GET %s answers 400 in Wren's shape", async (path) => {
    const reply = await http.send("GET", path);
    expect(reply.status, JSON.stringify(reply.body)).toBe(400);
    expect(reply.body).toEqual({ error: expect.any(String) });
  });

  it("answers an empty page for an offset past the end, up to the largest offset it takes", async () => {
    const reply = await http.send("GET", "/api/credits/ledger?offset=2147483647");
    expect(reply).toMatchObject({ status: 200, body: { entries: [], total: 1, offset: 2147483647 } });
  });
});

describe("Commerce billing wallets", () => {
  const list = "/v1/commerce/billing/wallets";
  const transactions = () => `/v1/commerce/billing/wallets/${commerceWalletId}/wallet-transactions`;
  const cases = () => [
    ...MALFORMED_NUMBERS.flatMap((raw) => [
      `${list}?page=${raw}`,
      `${list}?per_page=${raw}`,
      `${transactions()}?page=${raw}`,
      `${transactions()}?per_page=${raw}`,
    ]),
    `${list}?per_page=101`,
    ...["constructor", "__proto__", "", "active"].map((status) => `${list}?status=${status}`),
  ];

  it("answers 400 in the commerce shape for every malformed page, per_page and status", async () => {
    for (const path of cases()) {
      const reply = await http.send("GET", path);
      expect(reply.status, `${path}: ${JSON.stringify(reply.body)}`).toBe(400);
      expect(reply.body).toMatchObject(COMMERCE_SHAPE);
    }
  });

  it("answers an empty page far past the end, and 404 for ids that name nothing", async () => {
    const far = await http.send("GET", `${list}?page=1000000&per_page=100`);
    expect(far).toMatchObject({ status: 200, body: { wallets: [], meta: { current_page: 1000000 } } });
    for (const id of ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "%00"]) {
      expect((await http.send("GET", `${list}/${id}`)).status).toBe(404);
      expect((await http.send("GET", `/v1/commerce/billing/wallet-transactions/${id}`)).status).toBe(404);
    }
    const byCustomer = await http.send("GET", `${list}?external_customer_id=%00`);
    expect(byCustomer).toMatchObject({ status: 200, body: { wallets: [] } });
  });
});

describe("Customer deposits", () => {
  it("answers 404 for customer ids that name nothing, however they are written", async () => {
    for (const id of ["%00", "a".repeat(5000), "constructor", "__proto__", "%F0%9F%92%B8"]) {
      const reply = await http.send("GET", `/v1/customers/${id}`);
      expect(reply.status, `${id}: ${JSON.stringify(reply.body)}`).toBe(404);
      expect(reply.body).toMatchObject({ error: { type: "not_found", code: "customer_not_found" } });
    }
  });
});

// Every REST path of the shim (each operation /openapi.json documents, and so each route of the
// vendor tables), sent over real HTTP by every kind of token of two tenants in live and test
// mode: aimed at objects the token must not reach (another tenant's, the other mode's, another
// customer's: by wallet, customer id, external id, block, transaction id), and with roles that may
// not do it. Each attempt is refused in the vendor's own shape, as not found (404, or an empty
// list) or forbidden (403), and changes nothing. The permission table is written out here, from
// the product's rules, not read from the code.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { walletBalance } from "../../src/ledger/balances.ts";
import { commerceApi } from "../../src/rest/commerce/routes.ts";
import { orbApi } from "../../src/rest/orb/routes.ts";
import type { VendorApi } from "../../src/rest/router.ts";
import { velobaseApi } from "../../src/rest/velobase/routes.ts";
import { wrenApi } from "../../src/rest/wren/routes.ts";
import { CANNED_BALANCE_CENTS } from "../../src/rest/wren/test-mode.ts";
import { useGateway } from "../support/app.ts";
import { DAY } from "../support/ledger.ts";
import {
  answerProblems,
  AttemptTally,
  changesBetween,
  databaseNameOf,
  describeActor,
  foreignTargets,
  ownCustomer,
  scopeOf,
  seedSpaces,
  snapshotState,
  usePayments,
  useWire,
  type Actor,
  type ActorKind,
  type Outcome,
  type SeededCustomer,
  type SeededSpace,
  type Verdict,
} from "../support/security.ts";

type Permission = "read" | "spend" | "pay" | "manage";

/** What each kind of token may do: team admin and write tokens everything, read tokens read, a customer's token reads, spends and pays. */
const MAY: Record<ActorKind, readonly Permission[]> = {
  admin: ["read", "spend", "pay", "manage"],
  write: ["read", "spend", "pay", "manage"],
  read: ["read"],
  customer: ["read", "spend", "pay"],
  "personal read": ["read"],
};

type Vendor = "wren" | "velobase" | "orb" | "commerce";
const VENDORS: Record<Vendor, VendorApi> = { wren: wrenApi, velobase: velobaseApi, orb: orbApi, commerce: commerceApi };

/** Each vendor's documented error body for 403, 404 and 409. */
const ERROR_SHAPES: Record<Vendor, (status: number, body: any) => boolean> = {
  wren: (_status, body) => typeof body?.error === "string",
  velobase: (status, body) =>
    typeof body?.error?.message === "string" &&
    typeof body.error.code === "string" &&
    body.error.type === ({ 403: "permission_error", 404: "not_found", 409: "conflict" } as Record<number, string>)[status],
  orb: (status, body) =>
    body?.status === status && typeof body.type === "string" && typeof body.title === "string" && typeof body.detail === "string",
  commerce: (status, body) =>
    body?.name === ({ 403: "NOT_AUTHORIZED", 404: "RESOURCE_NOT_FOUND", 409: "DUPLICATE_REQUEST_ID" } as Record<number, string>)[status] &&
    typeof body.message === "string" &&
    typeof body.debug_id === "string" &&
    Array.isArray(body.details),
};

interface RestRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  json?: Record<string, unknown>;
  permission: Permission;
  /** For a list: true when the answer found nothing. */
  empty?: (body: any) => boolean;
  /** Names its customer by external id and creates it when new (see GraphQL's createWallet). */
  createsCustomer?: boolean;
  /** Names nothing: the token acts on its own wallet, so only its role is in question. */
  ownOnly?: boolean;
}

interface RouteCase {
  /** Requests aimed at `target`'s objects, by what they aim at; `own` is the caller's own customer. */
  aimed?(target: SeededCustomer, own: SeededCustomer): Record<string, RestRequest>;
  /** For a read that names nothing: whether the answer holds the caller's own data only. */
  scoped?(actor: Actor): Promise<Verdict>;
}

const LATER = new Date(Date.now() + 90 * DAY).toISOString();
let transactions = 0;
const freshTransactionId = () => `security-transaction-${(transactions += 1)}`;
const path = (segment: string) => encodeURIComponent(segment);

function orbEntries(base: (customer: SeededCustomer) => string, createsCustomer: boolean) {
  return (target: SeededCustomer, own: SeededCustomer): Record<string, RestRequest> => {
    const entry = (customer: SeededCustomer, json: Record<string, unknown>, permission: Permission, creates = false): RestRequest => ({
      method: "POST",
      path: `${base(customer)}/credits/ledger_entry`,
      json,
      permission,
      createsCustomer: creates,
    });
    const [paid, granted] = target.usd.blockIds;
    return {
      increment: entry(target, { entry_type: "increment", amount: 1000 }, "manage", createsCustomer),
      decrement: entry(target, { entry_type: "decrement", amount: 1 }, "spend"),
      void: entry(target, { entry_type: "void", block_id: granted, amount: 1 }, "manage"),
      amendment: entry(target, { entry_type: "amendment", block_id: paid, amount: 1000 }, "manage"),
      "expiration change": entry(target, { entry_type: "expiration_change", block_id: granted, target_expiry_date: LATER }, "manage"),
      // The target's blocks under the caller's own path: once, for the path by customer id.
      ...(target !== own && !createsCustomer
        ? {
            "block voided under the caller's own customer": entry(own, { entry_type: "void", block_id: granted, amount: 1 }, "manage"),
            "block amended under the caller's own customer": entry(
              own,
              { entry_type: "amendment", block_id: paid, amount: 1000 },
              "manage",
            ),
            "block moved under the caller's own customer": entry(
              own,
              { entry_type: "expiration_change", block_id: granted, target_expiry_date: LATER },
              "manage",
            ),
          }
        : {}),
    };
  };
}

const byExternalId = (customer: SeededCustomer) => `/customers/external_customer_id/${path(customer.externalId)}`;
const byCustomerId = (customer: SeededCustomer) => `/customers/${customer.customerId}`;
const commerceWallet = (customer: SeededCustomer) => `/v1/commerce/billing/wallets/${customer.commerce.walletId}`;

/** Keyed by the operations /openapi.json documents. */
const ROUTES: Record<string, RouteCase> = {
  "GET /api/credits/balance": { scoped: wrenBalanceIsOwn },
  "GET /api/credits/ledger": { scoped: wrenLedgerIsOwn },
  "POST /api/credits/top-up": {
    aimed: () => ({
      wallet: { method: "POST", path: "/api/credits/top-up", json: { amountInUsdCents: 500 }, permission: "pay", ownOnly: true },
    }),
  },
  "POST /v1/customers/deposit": {
    aimed: (t) => ({
      "customer id": {
        method: "POST",
        path: "/v1/customers/deposit",
        json: { customer_id: t.externalId, amount: 1000 },
        permission: "manage",
        createsCustomer: true,
      },
    }),
  },
  "POST /v1/billing/deposit": {
    aimed: (t) => ({
      "customer id": {
        method: "POST",
        path: "/v1/billing/deposit",
        json: { customer_id: t.externalId, amount: 1000 },
        permission: "manage",
        createsCustomer: true,
      },
    }),
  },
  "GET /v1/customers/{customer_id}": {
    aimed: (t) => ({ "customer id": { method: "GET", path: `/v1/customers/${path(t.externalId)}`, permission: "read" } }),
  },
  "POST /v1/billing/freeze": {
    aimed: (t) => ({
      "customer id": {
        method: "POST",
        path: "/v1/billing/freeze",
        json: { customer_id: t.externalId, amount: 1, transaction_id: freshTransactionId() },
        permission: "spend",
      },
    }),
  },
  "POST /v1/billing/deduct": {
    aimed: (t) => ({
      "customer id": {
        method: "POST",
        path: "/v1/billing/deduct",
        json: { customer_id: t.externalId, amount: 1, transaction_id: freshTransactionId() },
        permission: "spend",
      },
    }),
  },
  "POST /v1/billing/consume": {
    aimed: (t) => ({
      "frozen transaction id": {
        method: "POST",
        path: "/v1/billing/consume",
        json: { transaction_id: t.credits.frozenTransactionId },
        permission: "spend",
      },
      "frozen transaction id, part of it": {
        method: "POST",
        path: "/v1/billing/consume",
        json: { transaction_id: t.credits.frozenTransactionId, actual_amount: 1 },
        permission: "spend",
      },
    }),
  },
  "POST /v1/billing/unfreeze": {
    aimed: (t) => ({
      "frozen transaction id": {
        method: "POST",
        path: "/v1/billing/unfreeze",
        json: { transaction_id: t.credits.frozenTransactionId },
        permission: "spend",
      },
    }),
  },
  "POST /customers/external_customer_id/{external_customer_id}/credits/ledger_entry": { aimed: orbEntries(byExternalId, true) },
  "POST /customers/{customer_id}/credits/ledger_entry": { aimed: orbEntries(byCustomerId, false) },
  "GET /customers/external_customer_id/{external_customer_id}/credits": {
    aimed: (t) => ({ "external customer id": { method: "GET", path: `${byExternalId(t)}/credits`, permission: "read" } }),
  },
  "GET /customers/{customer_id}/credits": {
    aimed: (t) => ({ "customer id": { method: "GET", path: `${byCustomerId(t)}/credits`, permission: "read" } }),
  },
  "GET /customers/external_customer_id/{external_customer_id}/credits/ledger": {
    aimed: (t) => ({ "external customer id": { method: "GET", path: `${byExternalId(t)}/credits/ledger`, permission: "read" } }),
  },
  "GET /customers/{customer_id}/credits/ledger": {
    aimed: (t) => ({ "customer id": { method: "GET", path: `${byCustomerId(t)}/credits/ledger`, permission: "read" } }),
  },
  "POST /v1/commerce/billing/wallets": {
    aimed: (t) => ({
      "external customer id": {
        method: "POST",
        path: "/v1/commerce/billing/wallets",
        json: { external_customer_id: t.externalId, currency: "USD", rate_amount: "1", granted_credits: "1000" },
        permission: "manage",
        createsCustomer: true,
      },
    }),
  },
  "GET /v1/commerce/billing/wallets": {
    aimed: (t) => ({
      "external customer id": {
        method: "GET",
        path: `/v1/commerce/billing/wallets?external_customer_id=${path(t.externalId)}`,
        permission: "read",
        empty: (body) => Array.isArray(body?.wallets) && body.wallets.length === 0 && body.meta?.total_count === 0,
      },
    }),
    scoped: commerceListIsOwn,
  },
  "GET /v1/commerce/billing/wallets/{wallet_id}": {
    aimed: (t) => ({ wallet: { method: "GET", path: commerceWallet(t), permission: "read" } }),
  },
  "PUT /v1/commerce/billing/wallets/{wallet_id}": {
    aimed: (t) => ({ wallet: { method: "PUT", path: commerceWallet(t), json: { name: "taken over" }, permission: "manage" } }),
  },
  "DELETE /v1/commerce/billing/wallets/{wallet_id}": {
    aimed: (t) => ({ wallet: { method: "DELETE", path: commerceWallet(t), permission: "manage" } }),
  },
  "POST /v1/commerce/billing/wallets/{wallet_id}/wallet-transactions": {
    aimed: (t) => ({
      "wallet, a top-up": {
        method: "POST",
        path: `${commerceWallet(t)}/wallet-transactions`,
        json: { type: "TOPUP", granted_credits: "1000" },
        permission: "manage",
      },
      "wallet, a void": {
        method: "POST",
        path: `${commerceWallet(t)}/wallet-transactions`,
        json: { type: "VOID", credits_to_void: "1" },
        permission: "manage",
      },
    }),
  },
  "GET /v1/commerce/billing/wallets/{wallet_id}/wallet-transactions": {
    aimed: (t) => ({ wallet: { method: "GET", path: `${commerceWallet(t)}/wallet-transactions`, permission: "read" } }),
  },
  "GET /v1/commerce/billing/wallet-transactions/{id}": {
    aimed: (t) => ({
      "transaction id": {
        method: "GET",
        path: `/v1/commerce/billing/wallet-transactions/${t.commerce.depositOperationId}`,
        permission: "read",
      },
    }),
  },
};

const gateway = useGateway();
usePayments(gateway);
const wire = useWire(gateway);
let spaces: SeededSpace[];
let actors: Actor[];
let tally: AttemptTally;
let databaseName: string;

beforeAll(async () => {
  spaces = await seedSpaces(gateway.db.prisma, gateway.ledger);
  actors = spaces.flatMap((seeded) => seeded.actors);
  tally = new AttemptTally(gateway.db.prisma);
  databaseName = await databaseNameOf(gateway.db.prisma);
});

beforeEach(() => tally?.forgetState());

afterAll(() => {
  if (tally) console.log(tally.summary("security matrix (REST)"));
});

function vendorOf(method: string, requestPath: string): Vendor | null {
  const pathname = requestPath.split("?")[0]!;
  for (const [vendor, api] of Object.entries(VENDORS) as [Vendor, VendorApi][]) {
    if (api.routes.some((route) => route.method === method && route.path.test(pathname))) return vendor;
  }
  return null;
}

function send(actor: Actor, request: RestRequest) {
  return wire.send(request.method, request.path, { token: actor.token, json: request.json });
}

async function restVerdict(actor: Actor, request: RestRequest): Promise<Verdict> {
  const answer = await send(actor, request);
  const detail = `${answer.status} ${answer.text.slice(0, 300)}`;
  const problems = answerProblems(answer, databaseName);
  if (problems.length > 0) return { outcome: "other", detail: `${problems.join("; ")}: ${detail}` };
  if (answer.status >= 200 && answer.status < 300) return { outcome: request.empty?.(answer.json) ? "not found" : "leak", detail };
  const outcome = ({ 403: "forbidden", 404: "not found", 409: "conflict" } as Record<number, Outcome>)[answer.status];
  const vendor = vendorOf(request.method, request.path);
  if (outcome && vendor && ERROR_SHAPES[vendor](answer.status, answer.json)) return { outcome, detail };
  return { outcome: "other", detail: `${detail} (not in the vendor's error shape)` };
}

function allowed(actor: Actor, permission: Permission): boolean {
  return MAY[actor.kind].includes(permission);
}

/** The wallet Wren shows a token: its customer's USD wallet, or the tenant's team wallet. */
function wrenWalletOf(actor: Actor): string {
  return actor.customer?.usd.walletId ?? spaces.find((seeded) => seeded.space === actor.space)!.teamWalletId;
}

async function wrenBalanceIsOwn(actor: Actor): Promise<Verdict> {
  const answer = await wire.send("GET", "/api/credits/balance", { token: actor.token });
  const detail = `${answer.status} ${answer.text.slice(0, 300)}`;
  if (answer.status !== 200) return { outcome: "other", detail };
  const expected = actor.space.livemode
    ? (await walletBalance(gateway.ledger, scopeOf(actor.space), wrenWalletOf(actor))).available
    : CANNED_BALANCE_CENTS;
  return { outcome: String(answer.json.creditBalanceUsdCents) === String(expected) ? "scoped" : "leak", detail };
}

async function wrenLedgerIsOwn(actor: Actor): Promise<Verdict> {
  const answer = await wire.send("GET", "/api/credits/ledger?limit=200", { token: actor.token });
  const detail = `${answer.status} ${answer.text.slice(0, 300)}`;
  if (answer.status !== 200) return { outcome: "other", detail };
  const ids: string[] = answer.json.entries.map((entry: { id: string }) => entry.id);
  if (!actor.space.livemode) return { outcome: ids.every((id) => id.startsWith("test_")) ? "scoped" : "leak", detail };
  const own = new Set(
    (await gateway.db.prisma.ledgerEntry.findMany({ where: { walletId: wrenWalletOf(actor) }, select: { id: true } })).map(
      (entry) => entry.id,
    ),
  );
  return { outcome: ids.length > 0 && ids.every((id) => own.has(id)) ? "scoped" : "leak", detail };
}

async function commerceListIsOwn(actor: Actor): Promise<Verdict> {
  const answer = await wire.send("GET", "/v1/commerce/billing/wallets?per_page=100", { token: actor.token });
  const detail = `${answer.status} ${answer.text.slice(0, 300)}`;
  if (answer.status !== 200) return { outcome: "other", detail };
  const visible = await gateway.db.prisma.wallet.findMany({
    where: {
      tenantId: actor.space.tenantId,
      livemode: actor.space.livemode,
      currency: "BILLING_CREDITS",
      ...(actor.customer ? { customerId: actor.customer.customerId } : {}),
    },
    select: { id: true },
  });
  const ids = new Set(visible.map((wallet) => wallet.id));
  const listed: string[] = answer.json.wallets.map((wallet: { id: string }) => wallet.id);
  return {
    outcome:
      listed.length === ids.size && answer.json.meta.total_count === ids.size && listed.every((id) => ids.has(id)) ? "scoped" : "leak",
    detail,
  };
}

describe("the matrix covers the shim", () => {
  it("has a case for every documented operation, and every route of the vendor tables is reached", async () => {
    const document = (await wire.send("GET", "/openapi.json", { token: null })).json as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(document.paths).flatMap(([template, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${template}`),
    );
    expect(Object.keys(ROUTES).sort()).toEqual(documented.sort());

    const own = spaces[0]!.customers[0];
    const sent = Object.entries(ROUTES).flatMap(([key, route]) =>
      Object.values(route.aimed?.(own, own) ?? {}).map((request) => ({ key, request })),
    );
    for (const { key, request } of sent) {
      const template = key.slice(key.indexOf(" ") + 1);
      const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
      expect({ method: request.method, matches: pattern.test(request.path.split("?")[0]!) }, `${key}: ${request.path}`).toEqual({
        method: key.split(" ")[0],
        matches: true,
      });
    }
    const reached = (method: string, route: RegExp) =>
      [...sent.map(({ request }) => request), ...POSITIVE.map(([, request]) => request(own))].some(
        (request) => request.method === method && route.test(request.path.split("?")[0]!),
      );
    const unreached = Object.values(VENDORS).flatMap((api) =>
      api.routes.filter((route) => !reached(route.method, route.path)).map((route) => `${route.method} ${route.path}`),
    );
    expect(unreached).toEqual([]);
  });
});

describe("paths", () => {
  it.each(Object.keys(ROUTES))("%s: a role that may not is forbidden, a foreign object is not found, nothing changes", async (key) => {
    const route = ROUTES[key]!;
    const problems: (string | null)[] = [];
    for (const actor of actors) {
      if (route.scoped) problems.push(await tally.attempt(`${describeActor(actor)}, unfiltered`, ["scoped"], () => route.scoped!(actor)));
      if (!route.aimed) continue;
      const own = ownCustomer(actor, spaces);
      for (const [aim, request] of Object.entries(route.aimed(own, own))) {
        // Refused on its own objects, so on anyone's: a role is checked before anything is read.
        if (!allowed(actor, request.permission))
          problems.push(await tally.attempt(`${describeActor(actor)}, own ${aim}`, ["forbidden"], () => restVerdict(actor, request)));
      }
      for (const { why, customer } of foreignTargets(actor, spaces)) {
        for (const [aim, request] of Object.entries(route.aimed(customer, own))) {
          if (!allowed(actor, request.permission) || request.ownOnly) continue;
          // A team token allowed to create customers names one of its own with this external id.
          if (request.createsCustomer && !actor.customer) continue;
          problems.push(await tally.attempt(`${describeActor(actor)}, ${why}'s ${aim}`, ["not found"], () => restVerdict(actor, request)));
        }
      }
    }
    expect(problems.filter(Boolean)).toEqual([]);
  });

  it("refuses a transaction id another customer of the tenant already used, for a freeze or a deduction", async () => {
    const problems: (string | null)[] = [];
    for (const actor of actors.filter((candidate) => allowed(candidate, "spend"))) {
      const own = ownCustomer(actor, spaces);
      const other = spaces.find((seeded) => seeded.space === actor.space)!.customers[1];
      for (const step of ["freeze", "deduct"]) {
        for (const transactionId of [other.credits.frozenTransactionId, other.credits.deductedTransactionId]) {
          const request: RestRequest = {
            method: "POST",
            path: `/v1/billing/${step}`,
            json: { customer_id: own.externalId, amount: 1, transaction_id: transactionId },
            permission: "spend",
          };
          // The API documents 409 transaction_conflict; a customer's token may instead be told it does not exist.
          const expected: Outcome[] = actor.customer ? ["conflict", "not found"] : ["conflict"];
          problems.push(
            await tally.attempt(`${describeActor(actor)}, ${step} under ${transactionId}`, expected, () => restVerdict(actor, request)),
          );
        }
      }
    }
    expect(problems.filter(Boolean)).toEqual([]);
  });

  it("refuses, under one customer's Orb path, a block of another customer of the tenant", async () => {
    const problems: (string | null)[] = [];
    for (const actor of actors.filter((candidate) => allowed(candidate, "manage") && !candidate.customer)) {
      const [own, other] = spaces.find((seeded) => seeded.space === actor.space)!.customers;
      for (const [aim, request] of Object.entries(orbEntries(byCustomerId, false)(other, own)).filter(([aim]) =>
        aim.includes("caller's own customer"),
      )) {
        problems.push(
          await tally.attempt(`${describeActor(actor)}, other customer's ${aim}`, ["not found"], () => restVerdict(actor, request)),
        );
      }
    }
    expect(problems.filter(Boolean)).toEqual([]);
  });
});

/**
 * The allowed side of the table: each path answers 2xx for the least token that may use it, on
 * its own objects (so the refusals above are about access, not broken requests). In order: a
 * freeze before its consumption, termination last.
 */
const POSITIVE: [kind: ActorKind, request: (own: SeededCustomer) => RestRequest][] = [
  ["personal read", () => ({ method: "GET", path: "/api/credits/balance", permission: "read" })],
  ["read", () => ({ method: "GET", path: "/api/credits/ledger", permission: "read" })],
  ["customer", () => ({ method: "POST", path: "/api/credits/top-up", json: { amountInUsdCents: 500 }, permission: "pay" })],
  [
    "write",
    (own) => ({ method: "POST", path: "/v1/customers/deposit", json: { customer_id: own.externalId, amount: 5 }, permission: "manage" }),
  ],
  [
    "write",
    (own) => ({ method: "POST", path: "/v1/billing/deposit", json: { customer_id: own.externalId, amount: 5 }, permission: "manage" }),
  ],
  ["personal read", (own) => ({ method: "GET", path: `/v1/customers/${path(own.externalId)}`, permission: "read" })],
  [
    "customer",
    (own) => ({
      method: "POST",
      path: "/v1/billing/freeze",
      json: { customer_id: own.externalId, amount: 5, transaction_id: `${own.externalId}-allowed-1` },
      permission: "spend",
    }),
  ],
  [
    "customer",
    (own) => ({
      method: "POST",
      path: "/v1/billing/consume",
      json: { transaction_id: `${own.externalId}-allowed-1` },
      permission: "spend",
    }),
  ],
  [
    "customer",
    (own) => ({
      method: "POST",
      path: "/v1/billing/freeze",
      json: { customer_id: own.externalId, amount: 5, transaction_id: `${own.externalId}-allowed-2` },
      permission: "spend",
    }),
  ],
  [
    "customer",
    (own) => ({
      method: "POST",
      path: "/v1/billing/unfreeze",
      json: { transaction_id: `${own.externalId}-allowed-2` },
      permission: "spend",
    }),
  ],
  [
    "customer",
    (own) => ({
      method: "POST",
      path: "/v1/billing/deduct",
      json: { customer_id: own.externalId, amount: 5, transaction_id: `${own.externalId}-allowed-3` },
      permission: "spend",
    }),
  ],
  [
    "write",
    (own) => ({
      method: "POST",
      path: `${byExternalId(own)}/credits/ledger_entry`,
      json: { entry_type: "increment", amount: 10 },
      permission: "manage",
    }),
  ],
  [
    "customer",
    (own) => ({
      method: "POST",
      path: `${byCustomerId(own)}/credits/ledger_entry`,
      json: { entry_type: "decrement", amount: 1 },
      permission: "spend",
    }),
  ],
  [
    "write",
    (own) => ({
      method: "POST",
      path: `${byCustomerId(own)}/credits/ledger_entry`,
      json: { entry_type: "void", block_id: own.usd.blockIds[1], amount: 1 },
      permission: "manage",
    }),
  ],
  [
    "write",
    (own) => ({
      method: "POST",
      path: `${byExternalId(own)}/credits/ledger_entry`,
      json: { entry_type: "amendment", block_id: own.usd.blockIds[0], amount: 1 },
      permission: "manage",
    }),
  ],
  [
    "write",
    (own) => ({
      method: "POST",
      path: `${byExternalId(own)}/credits/ledger_entry`,
      json: { entry_type: "expiration_change", block_id: own.usd.blockIds[1], target_expiry_date: LATER, amount: 1 },
      permission: "manage",
    }),
  ],
  ["personal read", (own) => ({ method: "GET", path: `${byExternalId(own)}/credits`, permission: "read" })],
  ["personal read", (own) => ({ method: "GET", path: `${byCustomerId(own)}/credits`, permission: "read" })],
  ["read", (own) => ({ method: "GET", path: `${byExternalId(own)}/credits/ledger`, permission: "read" })],
  ["read", (own) => ({ method: "GET", path: `${byCustomerId(own)}/credits/ledger`, permission: "read" })],
  [
    "write",
    (own) => ({
      method: "POST",
      path: "/v1/commerce/billing/wallets",
      json: { external_customer_id: `${own.externalId}-commerce`, currency: "USD", rate_amount: "1" },
      permission: "manage",
    }),
  ],
  ["read", () => ({ method: "GET", path: "/v1/commerce/billing/wallets", permission: "read" })],
  ["personal read", (own) => ({ method: "GET", path: commerceWallet(own), permission: "read" })],
  ["write", (own) => ({ method: "PUT", path: commerceWallet(own), json: { name: "renamed" }, permission: "manage" })],
  [
    "write",
    (own) => ({
      method: "POST",
      path: `${commerceWallet(own)}/wallet-transactions`,
      json: { type: "TOPUP", granted_credits: "1" },
      permission: "manage",
    }),
  ],
  [
    "write",
    (own) => ({
      method: "POST",
      path: `${commerceWallet(own)}/wallet-transactions`,
      json: { type: "VOID", credits_to_void: "1" },
      permission: "manage",
    }),
  ],
  ["personal read", (own) => ({ method: "GET", path: `${commerceWallet(own)}/wallet-transactions`, permission: "read" })],
  [
    "personal read",
    (own) => ({ method: "GET", path: `/v1/commerce/billing/wallet-transactions/${own.commerce.depositOperationId}`, permission: "read" }),
  ],
  ["write", (own) => ({ method: "DELETE", path: commerceWallet(own), permission: "manage" })],
];

describe("the allowed side", () => {
  it("every path answers 2xx for a token allowed to use it, on its own objects", async () => {
    const seeded = spaces.find((candidate) => candidate.space.livemode)!;
    const own = seeded.customers[0];
    const customer = seeded.actors.find((actor) => actor.kind === "customer")!;
    // A card for the customer's own top-ups.
    const card = await wire.graphql(
      customer.token,
      `mutation { setPaymentMethod(input: { paymentMethodId: "pm_card_visa" }) { __typename } }`,
    );
    expect(card.json.data.setPaymentMethod.__typename).toBe("SetPaymentMethodPayload");
    const failures: string[] = [];
    for (const [kind, request] of POSITIVE) {
      const actor = seeded.actors.find((candidate) => candidate.kind === kind)!;
      expect(allowed(actor, request(own).permission), `${kind} ${request(own).path}`).toBe(true);
      const answer = await send(actor, request(own));
      if (answer.status < 200 || answer.status >= 300)
        failures.push(`${describeActor(actor)} ${request(own).method} ${request(own).path}: ${answer.status} ${answer.text.slice(0, 300)}`);
    }
    expect(failures).toEqual([]);
  });
});

describe("external ids name the caller's own customers", () => {
  it("a deposit, an Orb increment or a commerce wallet for another tenant's external id opens a customer of the caller's own, and leaves the other untouched", async () => {
    for (const actor of actors.filter((candidate) => candidate.kind === "write")) {
      for (const { customer: foreign } of foreignTargets(actor, spaces)) {
        for (const [key, route] of Object.entries(ROUTES)) {
          for (const request of Object.values(route.aimed?.(foreign, ownCustomer(actor, spaces)) ?? {}).filter(
            (candidate) => candidate.createsCustomer,
          )) {
            const before = await snapshotState(gateway.db.prisma);
            const answer = await send(actor, request);
            expect(answer.status, `${describeActor(actor)} ${key}: ${answer.text}`).toBeLessThan(300);
            const created = await gateway.db.prisma.customer.findFirstOrThrow({
              where: { externalId: foreign.externalId, tenantId: actor.space.tenantId, livemode: actor.space.livemode },
            });
            expect(created.id).not.toBe(foreign.customerId);
            const victimRows = [foreign.customerId, foreign.usd.walletId, foreign.credits.walletId, foreign.commerce.walletId];
            const changed = changesBetween(before, await snapshotState(gateway.db.prisma));
            expect(
              changed.filter((row) => victimRows.some((id) => row.endsWith(id))),
              `${describeActor(actor)} ${key}`,
            ).toEqual([]);
          }
        }
      }
    }
  });
});

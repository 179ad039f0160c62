// Hostile input to the REST shim over real HTTP: every documented operation's body fields, query
// parameters and path parameters fuzzed with fast-check, every body sent with wrong content
// types and malformed JSON, and every amount written as a JSON literal that a float cannot hold.
// Every answer is a 4xx in the vendor's error shape or a 2xx, never a 5xx, always JSON, never
// carrying a trace of the code or the database; what must be refused is refused (malformed
// amounts, impossible dates, invalid enum values, 1 MB strings, ids that name nothing), an amount
// accepted is recorded exactly as written, a refusal changes nothing, and the ledger's
// invariants hold after every test.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { holdCredits } from "../../src/ledger/commands/hold.ts";
import { commerceApi } from "../../src/rest/commerce/routes.ts";
import { orbApi } from "../../src/rest/orb/routes.ts";
import type { VendorApi } from "../../src/rest/router.ts";
import { velobaseApi } from "../../src/rest/velobase/routes.ts";
import { wrenApi } from "../../src/rest/wren/routes.ts";
import { useGateway } from "../support/app.ts";
import {
  asQueryValue,
  describeHostile,
  examplesFor,
  FUZZ_SEED,
  hostileArbitrary,
  percentEncode,
  type FieldKind,
  type HostileValue,
} from "../support/hostile-values.ts";
import { DAY } from "../support/ledger.ts";
import {
  answerProblems,
  databaseNameOf,
  fingerprintState,
  scopeOf,
  seedSpaces,
  usePayments,
  useWire,
  type Actor,
  type RawBody,
  type SeededCustomer,
  type WireAnswer,
} from "../support/security.ts";

const RANDOM_RUNS = 2;
const LATER = new Date(Date.now() + 90 * DAY).toISOString();

type Vendor = "wren" | "velobase" | "orb" | "commerce";
const VENDORS: Record<Vendor, VendorApi> = { wren: wrenApi, velobase: velobaseApi, orb: orbApi, commerce: commerceApi };

/** Each vendor's documented error body, whatever the status. */
const ERROR_SHAPES: Record<Vendor, (status: number, body: any) => boolean> = {
  wren: (_status, body) => typeof body?.error === "string",
  velobase: (_status, body) =>
    typeof body?.error?.message === "string" && typeof body.error.type === "string" && typeof body.error.code === "string",
  orb: (status, body) =>
    body?.status === status && typeof body.type === "string" && typeof body.title === "string" && typeof body.detail === "string",
  commerce: (_status, body) =>
    typeof body?.name === "string" && typeof body.message === "string" && typeof body.debug_id === "string" && Array.isArray(body.details),
};

interface BaseRequest {
  /** Path parameters by name, as the template names them. */
  params?: Record<string, string>;
  body?: Record<string, unknown>;
  query?: Record<string, string>;
}

interface HostileRoute {
  /** Valid requests on the caller's own objects, each with the fields fuzzed in it. */
  bodies?: { base(own: SeededCustomer): Promise<BaseRequest>; fields: Record<string, FieldKind> }[];
  /** A valid request, for the query and path parameters (and raw bodies). */
  base(own: SeededCustomer): Promise<BaseRequest>;
  query?: Record<string, FieldKind>;
  /** Its path names a customer by external id and creates it when new: any well-formed name is a fine one. */
  createsFromPath?: boolean;
}

let transactions = 0;
const freshTransactionId = () => `hostile-transaction-${(transactions += 1)}`;

/** The fingerprint after the last probe, which is the state before the next, unless something was prepared since. */
let knownState: string | null = null;

/** A frozen transaction of the customer's CREDITS wallet, to consume or unfreeze. */
async function frozenTransaction(own: SeededCustomer): Promise<string> {
  const transactionId = freshTransactionId();
  knownState = null;
  await holdCredits(gateway.ledger, {
    scope: scopeOf(own.space),
    walletId: own.credits.walletId,
    amount: 1n,
    reference: transactionId,
    idempotencyKey: `freeze:${transactionId}`,
  });
  return transactionId;
}

const DEPOSIT_FIELDS: Record<string, FieldKind> = {
  customer_id: "text",
  amount: "integer",
  credit_type: "text",
  starts_at: "date",
  expires_at: "date",
  description: "text",
  idempotency_key: "text",
  name: "text",
  email: "text",
  metadata: "object",
};
const SPEND_FIELDS: Record<string, FieldKind> = {
  customer_id: "text",
  amount: "integer",
  transaction_id: "text",
  credit_types: "list",
  description: "text",
  business_type: "text",
};

function velobaseDeposit(): HostileRoute {
  const base = async (own: SeededCustomer) => ({ body: { customer_id: own.externalId, amount: 5 } });
  return { base, bodies: [{ base, fields: DEPOSIT_FIELDS }] };
}

function velobaseSpend(): HostileRoute {
  const base = async (own: SeededCustomer) => ({ body: { customer_id: own.externalId, amount: 1, transaction_id: freshTransactionId() } });
  return { base, bodies: [{ base, fields: SPEND_FIELDS }] };
}

function orbEntry(param: "external_customer_id" | "customer_id"): HostileRoute {
  const params = (own: SeededCustomer) => ({ [param]: param === "customer_id" ? own.customerId : own.externalId });
  const entry = (body: (own: SeededCustomer) => Record<string, unknown>) => async (own: SeededCustomer) => ({
    params: params(own),
    body: body(own),
  });
  return {
    base: entry(() => ({ entry_type: "increment", amount: 1 })),
    bodies: [
      {
        base: entry(() => ({ entry_type: "increment", amount: 1 })),
        fields: {
          entry_type: "enum",
          amount: "decimal",
          currency: "text",
          per_unit_cost_basis: "text",
          effective_date: "date",
          expiry_date: "date",
          description: "text",
          metadata: "object",
        },
      },
      { base: entry(() => ({ entry_type: "decrement", amount: 0.01 })), fields: { amount: "decimal", description: "text" } },
      {
        base: entry((own) => ({ entry_type: "void", block_id: own.usd.blockIds[1], amount: 0.01 })),
        fields: { block_id: "id", amount: "decimal", void_reason: "text" },
      },
      {
        base: entry((own) => ({ entry_type: "amendment", block_id: own.usd.blockIds[0], amount: 0.01 })),
        fields: { block_id: "id", amount: "decimal" },
      },
      {
        base: entry((own) => ({ entry_type: "expiration_change", block_id: own.usd.blockIds[1], target_expiry_date: LATER, amount: 0.01 })),
        fields: { block_id: "id", target_expiry_date: "date", amount: "decimal" },
      },
      // The block named by its expiry date instead of its id.
      {
        base: entry(() => ({ entry_type: "expiration_change", expiry_date: LATER.slice(0, 10), target_expiry_date: LATER, amount: 0.01 })),
        fields: { expiry_date: "date" },
      },
    ],
    createsFromPath: param === "external_customer_id",
  };
}

function orbList(param: "external_customer_id" | "customer_id", query: Record<string, FieldKind>): HostileRoute {
  return { base: async (own) => ({ params: { [param]: param === "customer_id" ? own.customerId : own.externalId } }), query };
}

const ORB_LEDGER_QUERY: Record<string, FieldKind> = {
  limit: "integer",
  cursor: "text",
  entry_type: "enum",
  entry_status: "enum",
  currency: "text",
  minimum_amount: "decimal string",
  "created_at[gte]": "date",
  "created_at[gt]": "date",
  "created_at[lt]": "date",
  "created_at[lte]": "date",
};
const COMMERCE_WALLET_FIELDS: Record<string, FieldKind> = {
  external_customer_id: "text",
  currency: "text",
  rate_amount: "decimal string",
  name: "text",
  paid_credits: "decimal string",
  granted_credits: "decimal string",
  metadata: "object",
  expiration_at: "date",
  applies_to: "object",
  recurring_transaction_rules: "object",
};
const commerceWallet = async (own: SeededCustomer) => ({ params: { wallet_id: own.commerce.walletId } });

/** Keyed by the operations /openapi.json documents. */
const ROUTES: Record<string, HostileRoute> = {
  "GET /api/credits/balance": { base: async () => ({}) },
  "GET /api/credits/ledger": { base: async () => ({}), query: { limit: "integer", offset: "integer" } },
  "POST /api/credits/top-up": (() => {
    const base = async () => ({ body: { amountInUsdCents: 500 } });
    return { base, bodies: [{ base, fields: { amountInUsdCents: "integer" } }] };
  })(),
  "POST /v1/customers/deposit": velobaseDeposit(),
  "POST /v1/billing/deposit": velobaseDeposit(),
  "GET /v1/customers/{customer_id}": { base: async (own) => ({ params: { customer_id: own.externalId } }) },
  "POST /v1/billing/freeze": velobaseSpend(),
  "POST /v1/billing/deduct": velobaseSpend(),
  "POST /v1/billing/consume": (() => {
    const base = async (own: SeededCustomer) => ({ body: { transaction_id: await frozenTransaction(own) } });
    return { base, bodies: [{ base, fields: { transaction_id: "text", actual_amount: "integer" } }] };
  })(),
  "POST /v1/billing/unfreeze": (() => {
    const base = async (own: SeededCustomer) => ({ body: { transaction_id: await frozenTransaction(own) } });
    return { base, bodies: [{ base, fields: { transaction_id: "text" } }] };
  })(),
  "POST /customers/external_customer_id/{external_customer_id}/credits/ledger_entry": orbEntry("external_customer_id"),
  "POST /customers/{customer_id}/credits/ledger_entry": orbEntry("customer_id"),
  "GET /customers/external_customer_id/{external_customer_id}/credits": orbList("external_customer_id", {
    limit: "integer",
    cursor: "text",
  }),
  "GET /customers/{customer_id}/credits": orbList("customer_id", { limit: "integer", cursor: "text" }),
  "GET /customers/external_customer_id/{external_customer_id}/credits/ledger": orbList("external_customer_id", ORB_LEDGER_QUERY),
  "GET /customers/{customer_id}/credits/ledger": orbList("customer_id", ORB_LEDGER_QUERY),
  "POST /v1/commerce/billing/wallets": (() => {
    const base = async (own: SeededCustomer) => ({ body: { external_customer_id: own.externalId, currency: "USD", rate_amount: "1" } });
    return { base, bodies: [{ base, fields: COMMERCE_WALLET_FIELDS }] };
  })(),
  "GET /v1/commerce/billing/wallets": {
    base: async () => ({}),
    query: { page: "integer", per_page: "integer", status: "enum", external_customer_id: "text" },
  },
  "GET /v1/commerce/billing/wallets/{wallet_id}": { base: commerceWallet },
  "PUT /v1/commerce/billing/wallets/{wallet_id}": (() => {
    const base = async (own: SeededCustomer) => ({ ...(await commerceWallet(own)), body: { name: "renamed" } });
    return {
      base,
      bodies: [{ base, fields: { name: "text", expiration_at: "date", applies_to: "object", recurring_transaction_rules: "object" } }],
    };
  })(),
  "DELETE /v1/commerce/billing/wallets/{wallet_id}": { base: commerceWallet },
  "POST /v1/commerce/billing/wallets/{wallet_id}/wallet-transactions": ((): HostileRoute => {
    const topUp = async (own: SeededCustomer) => ({ ...(await commerceWallet(own)), body: { type: "TOPUP", granted_credits: "1" } });
    const voiding = async (own: SeededCustomer) => ({
      ...(await commerceWallet(own)),
      body: { type: "VOID", credits_to_void: "0.000001" },
    });
    return {
      base: topUp,
      bodies: [
        { base: topUp, fields: { type: "enum", paid_credits: "decimal string", granted_credits: "decimal string", metadata: "object" } },
        { base: voiding, fields: { credits_to_void: "decimal string", metadata: "object" } },
      ],
    };
  })(),
  "GET /v1/commerce/billing/wallets/{wallet_id}/wallet-transactions": {
    base: commerceWallet,
    query: { page: "integer", per_page: "integer" },
  },
  "GET /v1/commerce/billing/wallet-transactions/{id}": { base: async (own) => ({ params: { id: own.commerce.depositOperationId } }) },
};

const gateway = useGateway();
usePayments(gateway);
const wire = useWire(gateway);
let admin: Actor;
let own: SeededCustomer;
let databaseName: string;
const counts = { sent: 0, refused: 0, accepted: 0 };

beforeAll(async () => {
  const [space] = await seedSpaces(gateway.db.prisma, gateway.ledger, ["hostile"], [true]);
  admin = space!.actors.find((actor) => actor.kind === "admin")!;
  own = space!.customers[0];
  databaseName = await databaseNameOf(gateway.db.prisma);
  // A card for the team, so that Wren top-ups get as far as they can.
  const card = await wire.graphql(admin.token, `mutation { setPaymentMethod(input: { paymentMethodId: "pm_card_visa" }) { __typename } }`);
  expect(card.json.data.setPaymentMethod.__typename).toBe("SetPaymentMethodPayload");
});

afterAll(() => {
  console.log(`hostile inputs (REST): ${counts.sent} sent, ${counts.refused} refused, ${counts.accepted} accepted (seed ${FUZZ_SEED})`);
});

function split(key: string): { method: string; template: string } {
  const [method, template] = key.split(" ");
  return { method: method!, template: template! };
}

/** The path with its parameters in place, as given (already encoded, or deliberately not). */
function pathOf(template: string, params: Record<string, string>, query: string): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => params[name] ?? "") + (query ? `?${query}` : "");
}

function encodeParams(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([name, value]) => [name, percentEncode(value)]));
}

function queryString(query: Record<string, string>): string {
  return Object.entries(query)
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
    .join("&");
}

function vendorOf(method: string, path: string): Vendor | null {
  const pathname = path.split("?")[0]!;
  for (const [vendor, api] of Object.entries(VENDORS) as [Vendor, VendorApi][]) {
    if (api.routes.some((route) => route.method === method && route.path.test(pathname))) return vendor;
  }
  return null;
}

/** Sends, and returns what is wrong with the answer (empty when nothing). */
async function probe(
  label: string,
  method: string,
  path: string,
  request: { body?: RawBody; headers?: Record<string, string> },
  mustRefuse: boolean,
): Promise<string[]> {
  const before = knownState ?? (await fingerprintState(gateway.db.prisma));
  const answer: WireAnswer = await wire.send(method, path, { token: admin.token, ...request });
  knownState = await fingerprintState(gateway.db.prisma);
  const changed = knownState !== before;
  const refused = answer.status >= 400;
  counts.sent += 1;
  counts[refused ? "refused" : "accepted"] += 1;
  const vendor = vendorOf(method, path);
  const problems = [
    ...answerProblems(answer, databaseName),
    // An empty 4xx comes from the HTTP server itself (e.g. 431 for an oversized URL), before any vendor.
    ...(answer.status >= 400 && answer.status < 500 && answer.text && vendor && !ERROR_SHAPES[vendor](answer.status, answer.json)
      ? [`not in ${vendor}'s error shape`]
      : []),
    ...(mustRefuse && !refused ? ["accepted"] : []),
    ...(refused && changed ? ["refused, yet changed the database"] : []),
  ];
  return problems.length > 0 ? [`${label}: ${problems.join("; ")} — ${answer.status} ${answer.text.slice(0, 200)}`] : [];
}

const jsonBody = (body: unknown) => ({ body: JSON.stringify(body), headers: { "content-type": "application/json" } });

/** Runs fast-check over one field's hostile values, collecting every failure. */
async function fuzzField(seed: number, kind: FieldKind, send: (hostile: HostileValue) => Promise<string[]>): Promise<string[]> {
  const failures: string[] = [];
  const examples = examplesFor(kind, seed, 2);
  await fc.assert(
    fc.asyncProperty(hostileArbitrary(kind), async (hostile: HostileValue) => {
      failures.push(...(await send(hostile)));
    }),
    { seed: FUZZ_SEED + seed, numRuns: examples.length + RANDOM_RUNS, examples: examples.map((hostile) => [hostile]) },
  );
  return failures;
}

/** An enum's hostile values are all invalid: none of them names a member. */
const refusedEnum = (kind: FieldKind, hostile: HostileValue): HostileValue =>
  kind === "enum" && hostile.name !== "random string" && hostile.name !== "random JSON value" ? { ...hostile, mustRefuse: true } : hostile;

describe("the table covers the shim", () => {
  it("has a case for every documented operation, and every POST and PUT has its body fuzzed", async () => {
    const document = (await wire.send("GET", "/openapi.json", { token: null })).json as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(document.paths).flatMap(([template, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${template}`),
    );
    expect(Object.keys(ROUTES).sort()).toEqual(documented.sort());
    const withoutBodies = Object.entries(ROUTES).filter(([key, route]) => /^(POST|PUT) /.test(key) && !route.bodies?.length);
    expect(withoutBodies.map(([key]) => key)).toEqual([]);
  });
});

describe("every operation", () => {
  it.each(Object.keys(ROUTES))("%s: hostile body fields, query and path parameters are answered 4xx or 2xx, never 5xx", async (key) => {
    const { method, template } = split(key);
    const route = ROUTES[key]!;
    const routeIndex = Object.keys(ROUTES).indexOf(key) * 100;
    const failures: string[] = [];
    let fieldIndex = 0;

    for (const { base, fields } of route.bodies ?? []) {
      for (const [field, kind] of Object.entries(fields)) {
        failures.push(
          ...(await fuzzField(routeIndex + (fieldIndex += 1), kind, async (hostile) => {
            const request = await base(own);
            const path = pathOf(template, encodeParams(request.params ?? {}), "");
            const body = { ...request.body, [field]: hostile.value };
            const value = refusedEnum(kind, hostile);
            return probe(
              `${key} body ${String(request.body?.entry_type ?? request.body?.type ?? "")} ${field} = ${describeHostile(hostile)}`,
              method,
              path,
              jsonBody(body),
              value.mustRefuse,
            );
          })),
        );
      }
    }

    for (const [name, kind] of Object.entries(route.query ?? {})) {
      failures.push(
        ...(await fuzzField(routeIndex + (fieldIndex += 1), kind, async (hostile) => {
          const request = await route.base(own);
          const value = refusedEnum(kind, asQueryValue(kind, hostile));
          const path = pathOf(
            template,
            encodeParams(request.params ?? {}),
            queryString({ ...request.query, [name]: value.value as string }),
          );
          return probe(
            `${key} query ${name} = ${describeHostile(value)}`,
            method,
            path,
            request.body ? jsonBody(request.body) : {},
            value.mustRefuse,
          );
        })),
      );
    }

    // Every path parameter: values that name nothing, sent raw (malformed percent-encoding too).
    for (const name of template.match(/\{([^}]+)\}/g)?.map((param) => param.slice(1, -1)) ?? []) {
      // Where the path creates its customer, a well-formed name is a new customer, not an attack.
      for (const { raw } of PATH_VALUES.filter(({ invalid }) => invalid || !route.createsFromPath)) {
        const request = await route.base(own);
        const path = pathOf(template, { ...encodeParams(request.params ?? {}), [name]: raw }, "");
        failures.push(
          ...(await probe(
            `${key} path ${name} = ${JSON.stringify(raw.slice(0, 60))}`,
            method,
            path,
            request.body ? jsonBody(request.body) : {},
            true,
          )),
        );
      }
    }

    // Query parameters no operation has, named after what JavaScript objects carry.
    const request = await route.base(own);
    const path = pathOf(
      template,
      encodeParams(request.params ?? {}),
      "__proto__[polluted]=1&constructor[prototype][polluted]=1&toString=x&hasOwnProperty=1",
    );
    failures.push(
      ...(await probe(`${key} with prototype names in the query`, method, path, request.body ? jsonBody(request.body) : {}, false)),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    expect(failures).toEqual([]);
  });
});

/** Path segments that name no object, sent as they are; the invalid ones (malformed, too long) could not name one anywhere. */
const PATH_VALUES: { raw: string; invalid: boolean }[] = [
  { raw: "%ZZ", invalid: true },
  { raw: "%", invalid: true },
  { raw: "%E0%A4%A", invalid: true },
  { raw: "%00", invalid: true },
  { raw: "%C0%AE%C0%AE", invalid: true },
  { raw: "%ED%A0%80", invalid: true },
  { raw: "%ud800", invalid: true },
  { raw: "a".repeat(10_000), invalid: true },
  { raw: "__proto__", invalid: false },
  { raw: "constructor", invalid: false },
  { raw: "%F0%9F%92%B8", invalid: false },
  { raw: "00000000-0000-0000-0000-000000000000", invalid: false },
];

/** Bodies every POST and PUT must refuse, but for valid JSON objects with only unknown fields, which may be taken as empty. */
const RAW_BODIES: [name: string, request: { body?: RawBody; headers: Record<string, string> }, mayAccept?: boolean][] = [
  ["text/plain", { body: "{}", headers: { "content-type": "text/plain" } }],
  ["application/xml", { body: "<request/>", headers: { "content-type": "application/xml" } }],
  ["multipart", { body: "--x--", headers: { "content-type": "multipart/form-data; boundary=x" } }],
  ["no content type", { body: "{}", headers: {} }],
  ["truncated JSON", { body: `{"amount": 1`, headers: { "content-type": "application/json" } }],
  ["JSON null", { body: "null", headers: { "content-type": "application/json" } }],
  ["a JSON array", { body: "[]", headers: { "content-type": "application/json" } }],
  ["a JSON string", { body: `"x"`, headers: { "content-type": "application/json" } }],
  ["trailing garbage", { body: `{} trailing`, headers: { "content-type": "application/json" } }],
  [
    "bytes that are not UTF-8",
    { body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), headers: { "content-type": "application/json" } },
  ],
  [
    "100,000 nested arrays in an unknown field",
    { body: `{"a": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`, headers: { "content-type": "application/json" } },
    true,
  ],
  ["a 2 MB body", { body: JSON.stringify({ padding: "x".repeat(2 << 20) }), headers: { "content-type": "application/json" } }],
  ["a __proto__ body", { body: `{"__proto__": {"amount": 5, "customer_id": "x"}}`, headers: { "content-type": "application/json" } }, true],
];

describe("every POST and PUT body", () => {
  it.each(Object.keys(ROUTES).filter((key) => /^(POST|PUT) /.test(key)))(
    "%s: wrong content types and malformed JSON are refused with a 4xx",
    async (key) => {
      const { method, template } = split(key);
      const request = await ROUTES[key]!.base(own);
      const path = pathOf(template, encodeParams(request.params ?? {}), "");
      const failures: string[] = [];
      for (const [name, raw, mayAccept = false] of RAW_BODIES) {
        failures.push(...(await probe(`${key} ${name}`, method, path, raw, !mayAccept)));
      }
      expect(failures).toEqual([]);
    },
  );
});

/** The exact value of a JSON number literal, as digits and a power of ten: "1.50" and "15e-1" are both "15e-1". */
function exactValue(literal: string): string | null {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([-+]?\d+))?$/.exec(literal.trim());
  if (!match) return null;
  const [, sign, whole, fraction = "", exponent = "0"] = match;
  let digits = `${whole}${fraction}`.replace(/^0+/, "");
  let power = Number(exponent) - fraction.length;
  if (digits === "") return "0";
  while (digits.endsWith("0")) {
    digits = digits.slice(0, -1);
    power += 1;
  }
  return `${sign}${digits}e${power}`;
}

interface AmountField {
  key: string;
  /** The request with the amount's literal in place of `AMOUNT`. */
  request(own: SeededCustomer, literal: string): { path: string; body: string };
  /** What the 2xx answer says was recorded, in the request's units, as it wrote it. */
  recorded: RegExp;
}

/** JSON literals a double cannot hold, or that only look like integers. */
const TRICKY_LITERALS = [
  "1.0000000000000001",
  "12345678901234567.89",
  "9007199254740993",
  "0.1",
  "1e2",
  "1E-2",
  "100.000000000000000001",
  "123456789012345678901234567890",
  "5.0",
  "2.50",
];

const AMOUNT_FIELDS: AmountField[] = [
  {
    key: "POST /v1/customers/deposit amount",
    request: (customer, literal) => ({
      path: "/v1/customers/deposit",
      body: `{"customer_id": ${JSON.stringify(customer.externalId)}, "amount": ${literal}}`,
    }),
    recorded: /"added_amount":(-?[\d.eE+-]+)/,
  },
  {
    key: "POST …/credits/ledger_entry increment amount",
    request: (customer, literal) => ({
      path: `/customers/${customer.customerId}/credits/ledger_entry`,
      body: `{"entry_type": "increment", "amount": ${literal}}`,
    }),
    recorded: /"amount":(-?[\d.eE+-]+)/,
  },
  {
    key: "POST /api/credits/top-up amountInUsdCents",
    request: (_customer, literal) => ({ path: "/api/credits/top-up", body: `{"amountInUsdCents": ${literal}}` }),
    recorded: /"amountCharged":(-?[\d.eE+-]+)/,
  },
  {
    key: "POST …/wallet-transactions granted_credits",
    request: (customer, literal) => ({
      path: `/v1/commerce/billing/wallets/${customer.commerce.walletId}/wallet-transactions`,
      body: `{"type": "TOPUP", "granted_credits": "${literal}"}`,
    }),
    recorded: /"credits":"(-?[\d.]+)"/,
  },
];

describe("amounts", () => {
  it.each(AMOUNT_FIELDS.map((field) => [field.key, field] as const))("%s: recorded exactly as written, or refused", async (_key, field) => {
    const failures: string[] = [];
    const literals = fc.oneof(fc.constantFrom(...TRICKY_LITERALS), fc.stringMatching(/^\d{1,22}(\.\d{1,20})?([eE][-+]?\d{1,2})?$/));
    await fc.assert(
      fc.asyncProperty(literals, async (literal) => {
        const { path, body } = field.request(own, literal);
        const before = knownState ?? (await fingerprintState(gateway.db.prisma));
        const answer = await wire.send("POST", path, { token: admin.token, body, headers: { "content-type": "application/json" } });
        knownState = await fingerprintState(gateway.db.prisma);
        counts.sent += 1;
        counts[answer.status >= 400 ? "refused" : "accepted"] += 1;
        const problems = answerProblems(answer, databaseName);
        if (answer.status < 300) {
          const recorded = field.recorded.exec(answer.text)?.[1];
          if (!recorded || exactValue(recorded) !== exactValue(literal)) problems.push(`recorded ${recorded}`);
        } else if (knownState !== before) {
          problems.push("refused, yet changed the database");
        }
        if (problems.length > 0)
          failures.push(`${field.key} = ${literal}: ${problems.join("; ")} — ${answer.status} ${answer.text.slice(0, 160)}`);
      }),
      { seed: FUZZ_SEED, numRuns: TRICKY_LITERALS.length + 10, examples: TRICKY_LITERALS.map((literal) => [literal]) },
    );
    expect(failures).toEqual([]);
  });
});

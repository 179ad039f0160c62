// Hostile input to GraphQL over real HTTP: every input field of every mutation (enumerated from
// the schema) fuzzed with fast-check, and the endpoint itself fed deep, aliased and oversized
// queries, wrong content types and malformed JSON. Every answer is a 4xx or a typed GraphQL error
// (a result union member, or an error with a code other than INTERNAL_SERVER_ERROR), always JSON,
// never carrying a trace of the code or the database; what must be refused is refused (malformed
// amounts, impossible dates, 1 MB strings, abusive queries), a refusal changes nothing, and the
// ledger's invariants hold after every test.
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { hashToken, issueToken } from "../../src/auth/tokens.ts";
import { schema } from "../../src/graphql/schema.ts";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { holdCredits } from "../../src/ledger/commands/hold.ts";
import { useGateway } from "../support/app.ts";
import { describeHostile, examplesFor, FUZZ_SEED, hostileArbitrary, type FieldKind, type HostileValue } from "../support/hostile-values.ts";
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
  // A card on file, so that a top-up gets as far as it can.
  const card = await wire.graphql(
    admin.token,
    `mutation($input: SetPaymentMethodInput!) { setPaymentMethod(input: $input) { __typename } }`,
    {
      input: { paymentMethodId: "pm_card_visa", customerExternalId: own.externalId },
    },
  );
  expect(card.json.data.setPaymentMethod.__typename).toBe("SetPaymentMethodPayload");
});

afterAll(() => {
  console.log(`hostile inputs (GraphQL): ${counts.sent} sent, ${counts.refused} refused, ${counts.accepted} accepted (seed ${FUZZ_SEED})`);
});

/** The fingerprint after the last probe, which is the state before the next, unless something was prepared since. */
let knownState: string | null = null;

let created = 0;
const fresh = {
  // Named apart: the customer already has an unnamed USD wallet, and one active wallet per currency and name.
  wallet: async () =>
    encodeGlobalID(
      "Wallet",
      (
        await createWallet(gateway.ledger, {
          scope: scopeOf(admin.space),
          customer: { externalId: own.externalId },
          currency: "USD",
          name: `hostile ${randomUUID()}`,
        })
      ).wallet.id,
    ),
  hold: async () =>
    encodeGlobalID(
      "Hold",
      (await holdCredits(gateway.ledger, { scope: scopeOf(admin.space), walletId: own.usd.walletId, amount: 1n })).hold!.id,
    ),
  debit: async () =>
    encodeGlobalID(
      "LedgerOperation",
      (await debit(gateway.ledger, { scope: scopeOf(admin.space), walletId: own.usd.walletId, amount: 1n })).operation.id,
    ),
  balanceAlert: async () => {
    const alert = await gateway.db.prisma.balanceAlert.create({
      data: {
        tenantId: admin.space.tenantId,
        livemode: admin.space.livemode,
        walletId: own.usd.walletId,
        threshold: 5n,
        requestHash: `hostile ${randomUUID()}`,
      },
    });
    return encodeGlobalID("BalanceAlert", alert.id);
  },
  webhookEndpoint: async () => {
    const endpoint = await gateway.db.prisma.webhookEndpoint.create({
      data: {
        tenantId: admin.space.tenantId,
        livemode: admin.space.livemode,
        url: PUBLIC_URL,
        eventTypes: ["*"],
        secret: `whsec_${randomUUID()}`,
      },
    });
    return encodeGlobalID("WebhookEndpoint", endpoint.id);
  },
  /** An event of the admin's own wallet (its raw id, as webhooks carry it). */
  event: async () => (await gateway.db.prisma.event.findFirstOrThrow({ where: { walletId: own.usd.walletId }, select: { id: true } })).id,
  apiToken: async () => {
    const token = await issueToken(gateway.db.prisma, {
      tenantSlug: admin.space.tenantSlug,
      test: !admin.space.livemode,
      role: "read",
      name: "hostile spare",
    });
    return encodeGlobalID(
      "ApiToken",
      (await gateway.db.prisma.apiToken.findUniqueOrThrow({ where: { tokenHash: hashToken(token) }, select: { id: true } })).id,
    );
  },
};

/** Marks the database as changed by preparing an input, outside any probe. */
const prepared = <T>(value: T): T => {
  knownState = null;
  return value;
};

/**
 * A valid input per mutation, on the admin's own objects; fresh ones where a success would use
 * them up. Given the path of the field being fuzzed, for inputs whose fields exclude each other.
 */
const BASE_INPUTS: Record<string, (field: string[]) => Promise<Record<string, unknown>>> = {
  // A custom unit goes without a currency: fuzzing its fields next to one would only test that they exclude each other.
  createWallet: async (field) =>
    field[0] === "customUnit"
      ? { customerExternalId: `hostile-created-${(created += 1)}`, customUnit: { code: "HOSTILE_UNIT", scale: 2 } }
      : { customerExternalId: `hostile-created-${(created += 1)}`, currency: "USD" },
  updateWallet: async () => ({ walletId: own.usd.gid.wallet, name: "renamed" }),
  updateCustomer: async () => ({ externalId: own.externalId, name: "renamed" }),
  setConsumptionOrder: async () => ({ walletId: own.usd.gid.wallet, consumptionOrder: "standard" }),
  terminateWallet: async () => ({ walletId: prepared(await fresh.wallet()) }),
  deposit: async () => ({ walletId: own.usd.gid.wallet, amount: "100" }),
  topUp: async () => ({ walletId: own.usd.gid.wallet, amount: "500" }),
  debit: async () => ({ walletId: own.usd.gid.wallet, amount: "1" }),
  void: async () => ({ walletId: own.usd.gid.wallet, amount: "1" }),
  refund: async () => ({ operationId: prepared(await fresh.debit()) }),
  amendBlock: async () => ({ blockId: own.usd.gid.blocks[0], amount: "1" }),
  changeBlockExpiry: async () => ({ blockId: own.usd.gid.blocks[1], amount: "1", expiresAt: LATER }),
  hold: async () => ({ walletId: own.usd.gid.wallet, amount: "1" }),
  captureHold: async () => ({ holdId: prepared(await fresh.hold()) }),
  releaseHold: async () => ({ holdId: prepared(await fresh.hold()) }),
  setPaymentMethod: async () => ({ paymentMethodId: "pm_card_visa", customerExternalId: own.externalId }),
  createApiToken: async () => ({ role: "read", name: "hostile", test: !admin.space.livemode }),
  // A token of its own, not the admin's: revoking that would end the test.
  revokeApiToken: async () => ({ id: prepared(await fresh.apiToken()) }),
  createBalanceAlert: async () => ({ walletId: own.usd.gid.wallet, threshold: "100" }),
  deleteBalanceAlert: async () => ({ id: prepared(await fresh.balanceAlert()) }),
  createWebhookEndpoint: async () => ({ url: PUBLIC_URL, eventTypes: ["operation.completed"], description: "hostile" }),
  updateWebhookEndpoint: async () => ({ id: prepared(await fresh.webhookEndpoint()), description: "renamed" }),
  deleteWebhookEndpoint: async () => ({ id: prepared(await fresh.webhookEndpoint()) }),
  resendWebhookEvent: async () => ({ eventId: await fresh.event(), endpointId: prepared(await fresh.webhookEndpoint()) }),
};

/** A URL on a public address (no name to resolve), as the default URL policy wants. */
const PUBLIC_URL = "https://93.184.215.14/billing-events";

/** Valid values of nested inputs, for fuzzing one field inside them. */
const NESTED_BASES: Record<string, Record<string, unknown>> = {
  AutoTopUpInput: { threshold: "100", amount: "500" },
  CustomUnitInput: { code: "HOSTILE_UNIT", scale: 2 },
};

const KINDS: Record<string, FieldKind> = {
  Money: "money",
  ID: "id",
  String: "text",
  DateTime: "date",
  Int: "int",
  Boolean: "boolean",
  JSONObject: "object",
  "[String!]": "list",
  ApiTokenRole: "enum",
  ConsumptionOrder: "enum",
};

interface InputField {
  path: string[];
  /** The GraphQL type, e.g. "Money!" */
  type: string;
  kind: FieldKind | undefined;
}

/** Every field of an input type, nested input types included (as a whole and field by field). */
function inputFields(typeName: string, prefix: string[] = []): InputField[] {
  const type = schema.getType(typeName) as unknown as { getFields(): Record<string, { name: string; type: unknown }> };
  return Object.values(type.getFields()).flatMap((field) => {
    const typeText = String(field.type);
    const named = typeText.replace(/[[\]!]/g, "");
    const path = [...prefix, field.name];
    if (NESTED_BASES[named]) return [{ path, type: typeText, kind: "object" as const }, ...inputFields(named, path)];
    return [{ path, type: typeText, kind: KINDS[named] ?? KINDS[typeText.replace(/!$/, "")] }];
  });
}

function inputTypeOf(mutation: string): string {
  const input = schema
    .getMutationType()!
    .getFields()
    [mutation]!.args.find((arg) => arg.name === "input")!;
  return String(input.type).replace(/[[\]!]/g, "");
}

function withValue(input: Record<string, unknown>, path: string[], value: unknown, typeName: string): Record<string, unknown> {
  const [head, ...rest] = path;
  if (rest.length === 0) return { ...input, [head!]: value };
  const nestedType = String(
    (schema.getType(typeName) as unknown as { getFields(): Record<string, { type: unknown }> }).getFields()[head!]!.type,
  ).replace(/[[\]!]/g, "");
  const nested = (input[head!] as Record<string, unknown> | undefined) ?? NESTED_BASES[nestedType]!;
  return { ...input, [head!]: withValue(nested, rest, value, nestedType) };
}

/** True when the answer refused the request: a 4xx, errors, or (for a mutation) an error member of its result union. */
function refused(answer: WireAnswer, mutation: string | null): boolean {
  if (answer.status >= 400) return true;
  if (answer.json?.errors?.length) return true;
  if (mutation === null) return false;
  const result = answer.json?.data?.[mutation];
  return result === null || result === undefined || (typeof result.__typename === "string" && !result.__typename.endsWith("Payload"));
}

/** Errors in a 200 answer must be typed: a code, and not the masked INTERNAL_SERVER_ERROR. */
function untypedErrors(answer: WireAnswer): string[] {
  if (answer.status !== 200) return [];
  return ((answer.json?.errors ?? []) as { message: string; extensions?: { code?: string } }[]).flatMap((error) => {
    const code = error.extensions?.code;
    if (!code) return [`an error without a code: ${error.message}`];
    if (code === "INTERNAL_SERVER_ERROR") return [`INTERNAL_SERVER_ERROR: ${error.message}`];
    return [];
  });
}

/** Sends, and returns what is wrong with the answer (empty when nothing). */
async function probe(label: string, send: () => Promise<WireAnswer>, mutation: string | null, mustRefuse: boolean): Promise<string[]> {
  const before = knownState ?? (await fingerprintState(gateway.db.prisma));
  const answer = await send();
  knownState = await fingerprintState(gateway.db.prisma);
  const changed = knownState !== before;
  const wasRefused = refused(answer, mutation);
  counts.sent += 1;
  counts[wasRefused ? "refused" : "accepted"] += 1;
  const problems = [
    ...answerProblems(answer, databaseName),
    ...untypedErrors(answer),
    ...(mustRefuse && !wasRefused ? ["accepted"] : []),
    ...(wasRefused && changed ? ["refused, yet changed the database"] : []),
  ];
  return problems.length > 0 ? [`${label}: ${problems.join("; ")} — ${answer.status} ${answer.text.slice(0, 200)}`] : [];
}

const MUTATIONS = Object.keys(schema.getMutationType()!.getFields());

describe("every mutation's input, field by field", () => {
  it("has a base input for every mutation and a kind for every input field", () => {
    expect(Object.keys(BASE_INPUTS).sort()).toEqual([...MUTATIONS].sort());
    const unknown = MUTATIONS.flatMap((mutation) =>
      inputFields(inputTypeOf(mutation))
        .filter((field) => !field.kind)
        .map((field) => `${mutation}.${field.path.join(".")}: ${field.type}`),
    );
    expect(unknown).toEqual([]);
  });

  it.each(MUTATIONS)(
    "%s: hostile values in each field are answered 4xx or a typed error, and a refusal changes nothing",
    async (mutation) => {
      const inputType = inputTypeOf(mutation);
      const query = `mutation($input: ${inputType}!) { ${mutation}(input: $input) { __typename ... on Error { code message } } }`;
      const failures: string[] = [];
      const fields = inputFields(inputType);
      for (const [index, field] of fields.entries()) {
        const examples = examplesFor(field.kind!, MUTATIONS.indexOf(mutation) * 7 + index);
        await fc.assert(
          fc.asyncProperty(hostileArbitrary(field.kind!), async (hostile: HostileValue) => {
            const input = withValue(await BASE_INPUTS[mutation]!(field.path), field.path, hostile.value, inputType);
            const label = `${mutation}.${field.path.join(".")} = ${describeHostile(hostile)}`;
            failures.push(...(await probe(label, () => wire.graphql(admin.token, query, { input }), mutation, hostile.mustRefuse)));
          }),
          {
            seed: FUZZ_SEED + MUTATIONS.indexOf(mutation) * 100 + index,
            numRuns: examples.length + RANDOM_RUNS,
            examples: examples.map((hostile) => [hostile]),
          },
        );
      }
      expect(failures).toEqual([]);
    },
  );
});

function deepQuery(depth: number): string {
  return `{ wallet(id: "${own.usd.gid.wallet}") { id ${"customer { wallets(first: 1) { edges { node { id ".repeat(depth)}${"} } } } ".repeat(depth)}} }`;
}

const json = (body: string, contentType = "application/json") => ({ body, headers: { "content-type": contentType } });

/** Requests to the endpoint itself, each of which must be refused (except valid JSON that is merely deep). */
const ENDPOINT_CASES: [
  name: string,
  request: () => { method?: string; path?: string; body?: RawBody; headers?: Record<string, string>; mayAccept?: boolean },
][] = [
  ["a query 100 levels deep", () => json(JSON.stringify({ query: deepQuery(100) }))],
  [
    "1,000 aliases",
    () => json(JSON.stringify({ query: `{ ${Array.from({ length: 1000 }, (_, index) => `a${index}: viewer { livemode }`).join(" ")} }` })),
  ],
  [
    "nodes(ids:) with 5,000 ids",
    () =>
      json(
        JSON.stringify({
          query: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
          variables: { ids: Array.from({ length: 5000 }, (_, index) => encodeGlobalID("Wallet", `w${index}`)) },
        }),
      ),
  ],
  ["a 1 MB query", () => json(JSON.stringify({ query: `{ viewer { livemode } }${" ".repeat(1 << 20)}` }))],
  [
    "a 1 MB variable",
    () => json(JSON.stringify({ query: `query($e: String!) { customer(externalId: $e) { id } }`, variables: { e: "x".repeat(1 << 20) } })),
  ],
  ["text/plain", () => json(JSON.stringify({ query: "{ viewer { livemode } }" }), "text/plain")],
  ["application/xml", () => json("<query>{ viewer { livemode } }</query>", "application/xml")],
  ["a form", () => json("query=%7B%20viewer%20%7B%20livemode%20%7D%20%7D", "application/x-www-form-urlencoded")],
  ["multipart without parts", () => json("--x--", "multipart/form-data; boundary=x")],
  ["no content type", () => ({ body: JSON.stringify({ query: "{ viewer { livemode } }" }), headers: {} })],
  ["truncated JSON", () => json(`{"query": "{ viewer { livemode } }"`)],
  ["JSON null", () => json("null")],
  ["a JSON string", () => json(`"{ viewer { livemode } }"`)],
  ["a JSON array", () => json("[]")],
  ["a query that is a number", () => json(`{"query": 1}`)],
  ["variables that are a string", () => json(`{"query": "query($e: String!) { customer(externalId: $e) { id } }", "variables": "x"}`)],
  ["trailing garbage", () => json(`{"query": "{ viewer { livemode } }"} trailing`)],
  ["a byte order mark", () => json(`\ufeff{"query": "{ viewer { livemode } }"}`)],
  [
    "bytes that are not UTF-8",
    () => ({
      body: new Uint8Array([0x7b, 0x22, 0x71, 0xff, 0xfe, 0x22, 0x3a, 0x22, 0x80, 0x22, 0x7d]),
      headers: { "content-type": "application/json" },
    }),
  ],
  [
    "100,000 nested arrays in an unused variable",
    () => ({
      ...json(`{"query": "{ viewer { livemode } }", "variables": {"a": ${"[".repeat(100_000)}${"]".repeat(100_000)}}}`),
      mayAccept: true,
    }),
  ],
  ["a NUL in the query", () => json(JSON.stringify({ query: "{ viewer { livemode } }\u0000" }))],
  [
    "a mutation over GET",
    () => ({
      method: "GET",
      path: `/graphql?query=${encodeURIComponent(`mutation { debit(input: {walletId: "${own.usd.gid.wallet}", amount: "1"}) { __typename } }`)}`,
    }),
  ],
  [
    "Money as a float literal",
    () => json(JSON.stringify({ query: `mutation { debit(input: {walletId: "${own.usd.gid.wallet}", amount: 1.5}) { __typename } }` })),
  ],
  [
    "Money as an exponent literal",
    () => json(JSON.stringify({ query: `mutation { debit(input: {walletId: "${own.usd.gid.wallet}", amount: "1e3"}) { __typename } }` })),
  ],
  [
    "Money with spaces, as a literal",
    () => json(JSON.stringify({ query: `mutation { debit(input: {walletId: "${own.usd.gid.wallet}", amount: " 12 "}) { __typename } }` })),
  ],
  [
    "an impossible date literal",
    () =>
      json(
        JSON.stringify({
          query: `mutation { hold(input: {walletId: "${own.usd.gid.wallet}", amount: "1", expiresAt: "2099-02-30T00:00:00Z"}) { __typename } }`,
        }),
      ),
  ],
  ["an unknown operation name", () => json(JSON.stringify({ query: "{ viewer { livemode } }", operationName: "__proto__" }))],
];

describe("the endpoint", () => {
  it.each(ENDPOINT_CASES)("answers %s with a 4xx or a typed error", async (name, request) => {
    const { method = "POST", path = "/graphql", body, headers = {}, mayAccept = false } = request();
    const failures = await probe(name, () => wire.send(method, path, { token: admin.token, body, headers }), null, !mayAccept);
    expect(failures).toEqual([]);
  });
});

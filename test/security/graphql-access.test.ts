// Every GraphQL query and mutation, sent over real HTTP by every kind of token of two tenants in
// live and test mode: aimed at objects the token must not reach (another tenant's, the other
// mode's, another customer's), and with roles that may not do it. Each attempt is refused as not
// found (a null, or NotFoundError) or as forbidden (ForbiddenError), and changes nothing. The
// permission table is written out here, from the product's rules, not read from the code.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { hashToken, issueToken } from "../../src/auth/tokens.ts";
import { schema } from "../../src/graphql/schema.ts";
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
  seedSpaces,
  snapshotState,
  useWire,
  usePayments,
  type Actor,
  type ActorKind,
  type ForeignTarget,
  type SeededCustomer,
  type SeededSpace,
  type Verdict,
} from "../support/security.ts";

type Permission = "read" | "spend" | "pay" | "manage" | "tokens" | "webhooks";

/**
 * What each kind of token may do: team admin tokens everything, token management included, write
 * tokens everything else, read tokens read, a customer's token reads, spends and pays.
 */
const MAY: Record<ActorKind, readonly Permission[]> = {
  admin: ["read", "spend", "pay", "manage", "tokens", "webhooks"],
  write: ["read", "spend", "pay", "manage"],
  read: ["read"],
  customer: ["read", "spend", "pay"],
  "personal read": ["read"],
};

const LATER = new Date(Date.now() + 90 * DAY).toISOString();

interface MutationCase {
  permission: Permission;
  /** Inputs aimed at `target`'s objects, by what they aim at; `own` is the caller's own customer, for inputs that mix the two. */
  inputs(target: SeededCustomer, own: SeededCustomer): Record<string, Record<string, unknown>>;
  /**
   * Names its customer by external id and creates it when new. An external id names a customer
   * of the caller's own tenant and mode, so a token allowed to create one is attacking no one
   * with another tenant's name: that is checked on its own below.
   */
  createsCustomer?: boolean;
  /** Targets the actor may reach by the product's rules, so that aiming at them attacks no one. */
  mayReach?(actor: Actor, target: ForeignTarget): boolean;
}

/** A distinct wallet name: a customer has one active wallet per currency and name. */
const unique = (label: string) => `${label} ${randomUUID().slice(0, 8)}`;

const MUTATIONS: Record<string, MutationCase> = {
  createWallet: {
    permission: "manage",
    createsCustomer: true,
    inputs: (t) => ({ "customer external id": { customerExternalId: t.externalId, currency: "EUR", name: unique("security") } }),
  },
  updateWallet: {
    permission: "manage",
    inputs: (t) => ({ wallet: { walletId: t.usd.gid.wallet, name: "taken over", overdraftLimit: "1000000" } }),
  },
  terminateWallet: { permission: "manage", inputs: (t) => ({ wallet: { walletId: t.usd.gid.wallet } }) },
  updateCustomer: { permission: "manage", inputs: (t) => ({ "customer external id": { externalId: t.externalId, name: "taken over" } }) },
  setConsumptionOrder: {
    permission: "manage",
    inputs: (t) => ({ wallet: { walletId: t.usd.gid.wallet, consumptionOrder: "cheapest_first" } }),
  },
  deposit: { permission: "manage", inputs: (t) => ({ wallet: { walletId: t.usd.gid.wallet, amount: "100000" } }) },
  topUp: { permission: "pay", inputs: (t) => ({ wallet: { walletId: t.usd.gid.wallet, amount: "500" } }) },
  debit: { permission: "spend", inputs: (t) => ({ wallet: { walletId: t.usd.gid.wallet, amount: "1" } }) },
  void: {
    permission: "manage",
    inputs: (t, own) => ({
      wallet: { walletId: t.usd.gid.wallet, amount: "1" },
      block: { walletId: t.usd.gid.wallet, blockId: t.usd.gid.blocks[1] },
      "block, under the caller's own wallet": { walletId: own.usd.gid.wallet, blockId: t.usd.gid.blocks[1] },
    }),
  },
  refund: { permission: "manage", inputs: (t) => ({ "debit operation": { operationId: t.usd.gid.debitOperation } }) },
  amendBlock: { permission: "manage", inputs: (t) => ({ block: { blockId: t.usd.gid.blocks[0], amount: "100000" } }) },
  changeBlockExpiry: { permission: "manage", inputs: (t) => ({ block: { blockId: t.usd.gid.blocks[1], expiresAt: LATER } }) },
  hold: { permission: "spend", inputs: (t) => ({ wallet: { walletId: t.usd.gid.wallet, amount: "1" } }) },
  captureHold: { permission: "spend", inputs: (t) => ({ hold: { holdId: t.usd.gid.hold } }) },
  releaseHold: { permission: "spend", inputs: (t) => ({ hold: { holdId: t.usd.gid.hold } }) },
  setPaymentMethod: {
    permission: "pay",
    inputs: (t) => ({ "customer external id": { paymentMethodId: "pm_card_visa", customerExternalId: t.externalId } }),
  },
  // Creates a token in the caller's own tenant: an admin aims at no one (its test-mode limit is checked below).
  createApiToken: {
    permission: "tokens",
    createsCustomer: true,
    inputs: (t) => ({
      "admin token": { role: "admin", name: "taken over" },
      "live admin token": { role: "admin", test: false, name: "taken over" },
      "personal token for the customer external id": { role: "customer", customerExternalId: t.externalId, name: "taken over" },
    }),
  },
  revokeApiToken: {
    permission: "tokens",
    inputs: (t) => ({ "api token": { id: tokenGidOf(t) } }),
    // A live admin token manages its tenant's test tokens as well.
    mayReach: (actor, target) => actor.space.livemode && target.why === "other mode",
  },
  createBalanceAlert: { permission: "manage", inputs: (t) => ({ wallet: { walletId: t.usd.gid.wallet, threshold: "100" } }) },
  deleteBalanceAlert: { permission: "manage", inputs: (t) => ({ "balance alert": { id: alertOf(t) } }) },
  // Creates an endpoint in the caller's own tenant and mode: it aims at no one.
  createWebhookEndpoint: {
    permission: "webhooks",
    createsCustomer: true,
    inputs: () => ({ endpoint: { url: PUBLIC_URL, eventTypes: ["*"] } }),
  },
  updateWebhookEndpoint: {
    permission: "webhooks",
    inputs: (t) => ({ "webhook endpoint": { id: endpointOf(t).gid, url: PUBLIC_URL, description: "taken over" } }),
  },
  deleteWebhookEndpoint: { permission: "webhooks", inputs: (t) => ({ "webhook endpoint": { id: endpointOf(t).gid } }) },
  resendWebhookEvent: {
    permission: "webhooks",
    inputs: (t, own) => ({
      "webhook endpoint": { eventId: endpointOf(own).eventId, endpointId: endpointOf(t).gid },
      event: { eventId: endpointOf(t).eventId, endpointId: endpointOf(own).gid },
    }),
  },
};

/** A URL on a public address (no name to resolve), as the default URL policy wants. */
const PUBLIC_URL = "https://93.184.215.14/billing-events";

/** Each space's seeded webhook endpoint, and an event of the space to resend to it. */
const endpoints = new Map<string, { gid: string; id: string; eventId: string }>();

function endpointOf(customer: SeededCustomer) {
  return endpoints.get(customer.space.name)!;
}

async function seedEndpoint(space: SeededSpace["space"]): Promise<{ gid: string; id: string }> {
  const endpoint = await gateway.db.prisma.webhookEndpoint.create({
    data: { tenantId: space.tenantId, livemode: space.livemode, url: PUBLIC_URL, eventTypes: ["*"], secret: `whsec_${randomUUID()}` },
  });
  return { gid: endpoint.id, id: endpoint.id };
}

/** Each seeded customer's USD wallet's balance alert, by wallet id: global ids. */
const alerts = new Map<string, string>();

function alertOf(customer: SeededCustomer): string {
  return alerts.get(customer.usd.walletId)!;
}

async function seedAlerts(customers: readonly SeededCustomer[]): Promise<void> {
  for (const customer of customers) {
    const { space, usd } = customer;
    const alert = await gateway.db.prisma.balanceAlert.create({
      data: {
        tenantId: space.tenantId,
        livemode: space.livemode,
        walletId: usd.walletId,
        threshold: 50n,
        requestHash: `seeded ${randomUUID()}`,
      },
    });
    alerts.set(usd.walletId, alert.id);
  }
}

/** The global id of the personal token of `customer` (each space's first customer has one). */
function tokenGidOf(customer: SeededCustomer): string {
  const seeded = spaces.find((candidate) => candidate.space === customer.space)!;
  const personal = seeded.actors.find((actor) => actor.kind === "customer" && actor.customer === customer);
  // The space's second customer has no token of its own: aim at the space's personal read token.
  return (personal ?? seeded.actors.find((actor) => actor.kind === "personal read")!).tokenGid;
}

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
  for (const seeded of spaces) {
    const event = await gateway.db.prisma.event.findFirstOrThrow({ where: { walletId: seeded.customers[0].usd.walletId } });
    endpoints.set(seeded.space.name, { ...(await seedEndpoint(seeded.space)), eventId: event.id });
    await seedAlerts(seeded.customers);
  }
  tally = new AttemptTally(gateway.db.prisma);
  databaseName = await databaseNameOf(gateway.db.prisma);
});

beforeEach(() => tally?.forgetState());

afterAll(() => {
  if (tally) console.log(tally.summary("security matrix (GraphQL)"));
});

function inputTypeOf(mutation: string): string {
  const input = schema
    .getMutationType()!
    .getFields()
    [mutation]!.args.find((arg) => arg.name === "input")!;
  // The type's name, unwrapped by hand: `graphql` may be loaded twice (ESM and CommonJS), and its
  // type predicates refuse types of the other copy.
  return String(input.type).replace(/[[\]!]/g, "");
}

function sendMutation(actor: Actor, mutation: string, input: Record<string, unknown>) {
  return wire.graphql(
    actor.token,
    `mutation($input: ${inputTypeOf(mutation)}!) { ${mutation}(input: $input) { __typename ... on Error { code message } } }`,
    { input },
  );
}

async function mutationVerdict(actor: Actor, mutation: string, input: Record<string, unknown>): Promise<Verdict> {
  const answer = await sendMutation(actor, mutation, input);
  const result = answer.json?.data?.[mutation];
  const detail = `${answer.status} ${answer.text.slice(0, 300)}`;
  const problems = answerProblems(answer, databaseName);
  if (problems.length > 0) return { outcome: "other", detail: `${problems.join("; ")}: ${detail}` };
  if (answer.status === 200 && result?.__typename === "NotFoundError" && result.code === "NOT_FOUND")
    return { outcome: "not found", detail };
  if (answer.status === 200 && result?.__typename === "ForbiddenError" && result.code === "FORBIDDEN")
    return { outcome: "forbidden", detail };
  if (result && result.code === undefined) return { outcome: "leak", detail };
  return { outcome: "other", detail };
}

function allowed(actor: Actor, permission: Permission): boolean {
  return MAY[actor.kind].includes(permission);
}

describe("the matrix covers the schema", () => {
  it("has a case for every mutation and every query field", () => {
    expect(Object.keys(MUTATIONS).sort()).toEqual(Object.keys(schema.getMutationType()!.getFields()).sort());
    expect(Object.keys(QUERIES).sort()).toEqual(Object.keys(schema.getQueryType()!.getFields()).sort());
    expect(POSITIVE.map(([mutation]) => mutation).sort()).toEqual(Object.keys(MUTATIONS).sort());
  });

  it("aims at ids that are real: each owner's tokens resolve every seeded id", async () => {
    for (const seeded of spaces) {
      const admin = seeded.actors.find((actor) => actor.kind === "admin")!;
      const personal = seeded.actors.find((actor) => actor.kind === "personal read")!;
      for (const [actor, customers] of [
        [admin, seeded.customers],
        [personal, [seeded.customers[0]]],
      ] as const) {
        const ids = customers.flatMap(everyGlobalId);
        const answer = await wire.graphql(actor.token, ...aliased("node", ids, "{ id }"));
        expect(Object.values(answer.json.data), describeActor(actor)).toEqual(ids.map((id) => ({ id })));
      }
    }
  });
});

function usdGlobalIds(customer: SeededCustomer): string[] {
  return [customer.gid.customer, customer.usd.gid.wallet, customer.usd.gid.blocks[0], customer.usd.gid.hold];
}

function everyGlobalId(customer: SeededCustomer): string[] {
  const { usd } = customer;
  return [
    customer.gid.customer,
    usd.gid.wallet,
    ...usd.gid.blocks,
    usd.gid.hold,
    usd.gid.debitOperation,
    usd.gid.entry,
    customer.credits.gid.wallet,
    customer.commerce.gid.wallet,
  ];
}

describe("mutations", () => {
  it.each(Object.keys(MUTATIONS))(
    "%s: a role that may not is forbidden, a foreign object is not found, nothing changes",
    async (mutation) => {
      const { permission, inputs, createsCustomer, mayReach } = MUTATIONS[mutation]!;
      const problems: (string | null)[] = [];
      for (const actor of actors) {
        const own = ownCustomer(actor, spaces);
        if (!allowed(actor, permission)) {
          // Refused on its own objects, so on anyone's: a role is checked before anything is read.
          for (const [aim, input] of Object.entries(inputs(own, own))) {
            problems.push(
              await tally.attempt(`${describeActor(actor)}, own ${aim}`, ["forbidden"], () => mutationVerdict(actor, mutation, input)),
            );
          }
          continue;
        }
        // A team token allowed to create customers names one of its own with this external id.
        if (createsCustomer && !actor.customer) continue;
        for (const target of foreignTargets(actor, spaces)) {
          if (mayReach?.(actor, target)) continue;
          const { why, customer } = target;
          for (const [aim, input] of Object.entries(inputs(customer, own))) {
            problems.push(
              await tally.attempt(`${describeActor(actor)}, ${why}'s ${aim}`, ["not found"], () => mutationVerdict(actor, mutation, input)),
            );
          }
        }
      }
      expect(problems.filter(Boolean)).toEqual([]);
    },
  );
});

type QueryCase =
  /** Asked once per foreign target: must find nothing. */
  | { aimed(actor: Actor, target: SeededCustomer): Record<string, () => Promise<Verdict>> }
  /**
   * Asked once per token: must answer with the token's own data only; a token without
   * `permission` (when given) must be forbidden.
   */
  | { scoped(actor: Actor): Promise<Verdict>; permission?: Permission };

/** The answer's data, or undefined when it has errors or anything else wrong with it. */
async function ask(actor: Actor, query: string, variables: Record<string, unknown>) {
  const answer = await wire.graphql(actor.token, query, variables);
  const problems = answerProblems(answer, databaseName);
  const detail = `${problems.length > 0 ? `${problems.join("; ")}: ` : ""}${answer.status} ${answer.text.slice(0, 300)}`;
  return { answer, data: answer.status === 200 && !answer.json?.errors && problems.length === 0 ? answer.json?.data : undefined, detail };
}

/** Null (or an empty list) is not found; anything else is a leak. */
async function findsNothing(
  actor: Actor,
  query: string,
  variables: Record<string, unknown>,
  empty: (data: any) => boolean,
): Promise<Verdict> {
  const { data, detail } = await ask(actor, query, variables);
  if (data === undefined) return { outcome: "other", detail };
  return { outcome: empty(data) ? "not found" : "leak", detail };
}

/** One lookup per id in one request, as aliases `o0`, `o1`, …: the query and its variables. */
function aliased(field: "node" | "wallet", ids: string[], selection: string): [string, Record<string, unknown>] {
  const query = `query(${ids.map((_, index) => `$id${index}: ID!`).join(", ")}) { ${ids.map((_, index) => `o${index}: ${field}(id: $id${index}) ${selection}`).join(" ")} }`;
  return [query, Object.fromEntries(ids.map((id, index) => [`id${index}`, id]))];
}

function allNull(data: Record<string, unknown>): boolean {
  return Object.values(data).every((value) => value === null);
}

/** What a token may see, from the database itself. */
async function visibleTo(actor: Actor) {
  const where = {
    tenantId: actor.space.tenantId,
    livemode: actor.space.livemode,
    ...(actor.customer ? { customerId: actor.customer.customerId } : {}),
  };
  const wallets = await gateway.db.prisma.wallet.findMany({ where, select: { id: true, customerId: true } });
  const customers = actor.customer
    ? [actor.customer.customerId]
    : (
        await gateway.db.prisma.customer.findMany({
          where: { tenantId: actor.space.tenantId, livemode: actor.space.livemode },
          select: { id: true },
        })
      ).map((row) => row.id);
  return { walletIds: new Set(wallets.map((wallet) => wallet.id)), customerIds: new Set(customers) };
}

async function scopedList(actor: Actor, query: string, field: "wallets" | "customers"): Promise<Verdict> {
  const { data, detail } = await ask(actor, query, {});
  if (data === undefined) return { outcome: "other", detail };
  const ids = data[field].edges.map((edge: { node: { id: string } }) => edge.node.id);
  const visible = await visibleTo(actor);
  const allowedIds = field === "wallets" ? visible.walletIds : visible.customerIds;
  const all = ids.length === allowedIds.size && data[field].totalCount === allowedIds.size;
  return { outcome: all && ids.every((id: string) => allowedIds.has(id)) ? "scoped" : "leak", detail };
}

const QUERIES: Record<string, QueryCase> = {
  node: {
    aimed: (actor, target) => ({ "every object": () => findsNothing(actor, ...aliased("node", everyGlobalId(target), "{ id }"), allNull) }),
  },
  nodes: {
    // The caller's own ids between the foreign ones: each foreign one is null, each own one itself.
    aimed: (actor, target) => ({
      "objects, among the caller's own": async () => {
        // Few ids: nodes(ids:) costs a lookup per id.
        const own = usdGlobalIds(ownCustomer(actor, spaces));
        const foreign = usdGlobalIds(target);
        const ids = own.flatMap((id, index) => [id, foreign[index]!]);
        const { data, detail } = await ask(actor, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids });
        if (data === undefined) return { outcome: "other", detail };
        const nodes: ({ id: string } | null)[] = data.nodes;
        if (nodes.some((node, index) => index % 2 === 1 && node !== null)) return { outcome: "leak", detail };
        const ownAnswered = nodes.every((node, index) => index % 2 === 1 || node?.id === ids[index]);
        return { outcome: ownAnswered ? "not found" : "other", detail };
      },
    }),
  },
  wallet: {
    aimed: (actor, target) => ({
      "every wallet": () =>
        findsNothing(
          actor,
          ...aliased("wallet", [target.usd.gid.wallet, target.credits.gid.wallet, target.commerce.gid.wallet], "{ id }"),
          allNull,
        ),
    }),
  },
  previewDebit: {
    aimed: (actor, target) => ({
      wallet: async () => {
        const query = `query($input: PreviewDebitInput!) { previewDebit(input: $input) { __typename ... on NotFoundError { code } } }`;
        const { data, detail } = await ask(actor, query, { input: { walletId: target.usd.gid.wallet, amount: "1" } });
        if (data === undefined) return { outcome: "other", detail };
        const answered = data.previewDebit.__typename;
        return { outcome: answered === "NotFoundError" ? "not found" : answered === "DebitPreview" ? "leak" : "other", detail };
      },
    }),
  },
  customer: {
    aimed: (actor, target) => ({
      "external id": () =>
        findsNothing(
          actor,
          `query($externalId: String!) { customer(externalId: $externalId) { id wallets(first: 10) { totalCount } } }`,
          { externalId: target.externalId },
          (data) => data.customer === null,
        ),
    }),
  },
  wallets: {
    aimed: (actor, target) => ({
      "customer external id": () =>
        findsNothing(
          actor,
          `query($externalId: String) { wallets(first: 100, customerExternalId: $externalId) { totalCount edges { node { id } } } }`,
          { externalId: target.externalId },
          (data) => data.wallets.totalCount === 0 && data.wallets.edges.length === 0,
        ),
    }),
  },
  customers: { scoped: (actor) => scopedList(actor, `{ customers(first: 100) { totalCount edges { node { id } } } }`, "customers") },
  apiTokens: {
    permission: "tokens",
    scoped: async (actor) => {
      const list = `query($livemode: Boolean) { apiTokens(first: 100, includeRevoked: true, livemode: $livemode) { totalCount edges { node { id livemode } } } }`;
      const answer = await wire.graphql(actor.token, list, {});
      const detail = `${answer.status} ${answer.text.slice(0, 300)}`;
      const problems = answerProblems(answer, databaseName);
      if (problems.length > 0) return { outcome: "other", detail: `${problems.join("; ")}: ${detail}` };
      const errors: { extensions?: { code?: string } }[] = answer.json?.errors ?? [];
      if (errors.length > 0) {
        const forbidden =
          answer.status === 200 && answer.json?.data === null && errors.every((error) => error.extensions?.code === "FORBIDDEN");
        return { outcome: forbidden ? "forbidden" : "other", detail };
      }
      // The tenant's tokens, both modes for a live admin token, test ones for a test one.
      const visible = await gateway.db.prisma.apiToken.findMany({
        where: { tenantId: actor.space.tenantId, ...(actor.space.livemode ? {} : { livemode: false }) },
        select: { id: true },
      });
      const allowedIds = new Set(visible.map((row) => row.id));
      const data = answer.json.data.apiTokens;
      const ids = data.edges.map((edge: { node: { id: string } }) => edge.node.id);
      const all = ids.length === allowedIds.size && data.totalCount === allowedIds.size && ids.every((id: string) => allowedIds.has(id));
      if (!all) return { outcome: "leak", detail };
      // Asking a test-mode token for live tokens finds none.
      if (!actor.space.livemode) {
        const live = await ask(actor, list, { livemode: true });
        if (live.data === undefined) return { outcome: "other", detail: live.detail };
        if (live.data.apiTokens.totalCount !== 0 || live.data.apiTokens.edges.length !== 0) return { outcome: "leak", detail: live.detail };
      }
      return { outcome: "scoped", detail };
    },
  },
  webhookEndpoints: {
    permission: "webhooks",
    scoped: async (actor) => {
      const { data, detail, answer } = await ask(actor, `{ webhookEndpoints(first: 100) { totalCount edges { node { id } } } }`, {});
      if (data === undefined) {
        const errors: { extensions?: { code?: string } }[] = answer.json?.errors ?? [];
        const forbidden = answer.status === 200 && errors.length > 0 && errors.every((error) => error.extensions?.code === "FORBIDDEN");
        return { outcome: forbidden ? "forbidden" : "other", detail };
      }
      // The endpoints of the token's tenant and mode, and no other.
      const visible = await gateway.db.prisma.webhookEndpoint.findMany({
        where: { tenantId: actor.space.tenantId, livemode: actor.space.livemode },
        select: { id: true },
      });
      const allowedIds = new Set(visible.map((row) => row.id));
      const ids = data.webhookEndpoints.edges.map((edge: { node: { id: string } }) => edge.node.id);
      const all =
        ids.length === allowedIds.size &&
        data.webhookEndpoints.totalCount === allowedIds.size &&
        ids.every((id: string) => allowedIds.has(id));
      return { outcome: all ? "scoped" : "leak", detail };
    },
  },
  events: {
    scoped: async (actor) => {
      const { data, detail } = await ask(actor, `{ events(first: 100) { edges { node { id wallet { id } } } } }`, {});
      if (data === undefined) return { outcome: "other", detail };
      // Only events of wallets the token may see: its tenant and mode, and its customer's for a personal token.
      const ids: string[] = data.events.edges.map((edge: { node: { id: string } }) => edge.node.id);
      const outside = await gateway.db.prisma.event.count({
        where: {
          id: { in: ids },
          NOT: {
            wallet: {
              tenantId: actor.space.tenantId,
              livemode: actor.space.livemode,
              ...(actor.customer ? { customerId: actor.customer.customerId } : {}),
            },
          },
        },
      });
      return { outcome: outside === 0 && ids.length > 0 ? "scoped" : "leak", detail };
    },
  },
  viewer: {
    scoped: async (actor) => {
      const { data, detail } = await ask(actor, `{ viewer { livemode tenant { slug } customer { externalId } } }`, {});
      if (data === undefined) return { outcome: "other", detail };
      const expected = {
        livemode: actor.space.livemode,
        tenant: { slug: actor.space.tenantSlug },
        customer: actor.customer ? { externalId: actor.customer.externalId } : null,
      };
      return { outcome: JSON.stringify(data.viewer) === JSON.stringify(expected) ? "scoped" : "leak", detail };
    },
  },
};

describe("queries", () => {
  it.each(Object.keys(QUERIES))("%s: foreign objects are not found, lists hold the token's own only", async (field) => {
    const query = QUERIES[field]!;
    const problems: (string | null)[] = [];
    for (const actor of actors) {
      if ("scoped" in query) {
        const expected = query.permission && !allowed(actor, query.permission) ? "forbidden" : "scoped";
        problems.push(await tally.attempt(describeActor(actor), [expected], () => query.scoped(actor)));
        continue;
      }
      for (const { why, customer } of foreignTargets(actor, spaces)) {
        for (const [aim, run] of Object.entries(query.aimed(actor, customer))) {
          problems.push(await tally.attempt(`${describeActor(actor)}, ${why}'s ${aim}`, ["not found"], run));
        }
      }
    }
    // Unfiltered wallet lists are scoped too.
    if (field === "wallets") {
      for (const actor of actors) {
        problems.push(
          await tally.attempt(`${describeActor(actor)}, every wallet`, ["scoped"], () =>
            scopedList(actor, `{ wallets(first: 100) { totalCount edges { node { id } } } }`, "wallets"),
          ),
        );
      }
    }
    expect(problems.filter(Boolean)).toEqual([]);
  });
});

/**
 * The allowed side of the table: each mutation succeeds for the least token that may do it, on
 * its own objects (so the refusals above are about access, not broken requests). In order: a card
 * before the top-up, termination last.
 */
const POSITIVE: [
  mutation: string,
  kind: ActorKind,
  input: (own: SeededCustomer, space: SeededSpace) => Record<string, unknown> | Promise<Record<string, unknown>>,
][] = [
  ["setPaymentMethod", "customer", () => ({ paymentMethodId: "pm_card_visa" })],
  ["topUp", "customer", (own) => ({ walletId: own.usd.gid.wallet, amount: "500" })],
  ["debit", "customer", (own) => ({ walletId: own.usd.gid.wallet, amount: "1" })],
  ["hold", "customer", (own) => ({ walletId: own.usd.gid.wallet, amount: "1" })],
  ["captureHold", "customer", (own) => ({ holdId: own.usd.gid.hold })],
  ["releaseHold", "customer", (own) => ({ holdId: own.usd.gid.spareHold })],
  ["deposit", "write", (own) => ({ walletId: own.usd.gid.wallet, amount: "100" })],
  ["void", "write", (own) => ({ walletId: own.usd.gid.wallet, amount: "1" })],
  ["refund", "write", (own) => ({ operationId: own.usd.gid.debitOperation, amount: "1" })],
  ["amendBlock", "write", (own) => ({ blockId: own.usd.gid.blocks[0], amount: "1" })],
  ["changeBlockExpiry", "write", (own) => ({ blockId: own.usd.gid.blocks[1], expiresAt: LATER, amount: "1" })],
  ["updateWallet", "write", (own) => ({ walletId: own.usd.gid.wallet, name: "renamed" })],
  ["createWallet", "write", (own) => ({ customerExternalId: own.externalId, currency: "EUR", name: unique("allowed") })],
  ["createApiToken", "admin", (own) => ({ role: "read", customerExternalId: own.externalId, name: unique("allowed") })],
  // A token of its own to revoke, not one the suite uses.
  ["revokeApiToken", "admin", async (_own, seeded) => ({ id: await spareTokenGid(seeded) })],
  ["createWebhookEndpoint", "admin", () => ({ url: PUBLIC_URL, eventTypes: ["operation.completed"] })],
  ["updateWebhookEndpoint", "admin", (own) => ({ id: endpointOf(own).gid, description: "allowed" })],
  ["resendWebhookEvent", "admin", (own) => ({ eventId: endpointOf(own).eventId, endpointId: endpointOf(own).gid })],
  // An endpoint of its own to delete, not the one the matrix aims at.
  ["deleteWebhookEndpoint", "admin", async (_own, seeded) => ({ id: (await seedEndpoint(seeded.space)).gid })],
  ["createBalanceAlert", "write", (own) => ({ walletId: own.usd.gid.wallet, threshold: "10" })],
  // An alert of its own to delete, not the one the matrix aims at.
  ["deleteBalanceAlert", "write", async (own) => ({ id: await spareAlertGid(own) })],
  ["updateCustomer", "write", (own) => ({ externalId: own.externalId, name: "renamed" })],
  ["setConsumptionOrder", "write", (own) => ({ walletId: own.usd.gid.wallet, consumptionOrder: "soonest_expiry" })],
  ["terminateWallet", "write", (own) => ({ walletId: own.usd.gid.wallet })],
];

/** A new balance alert on the customer's USD wallet, to delete. */
async function spareAlertGid(customer: SeededCustomer): Promise<string> {
  const { space, usd } = customer;
  const alert = await gateway.db.prisma.balanceAlert.create({
    data: {
      tenantId: space.tenantId,
      livemode: space.livemode,
      walletId: usd.walletId,
      threshold: 5n,
      requestHash: `spare ${randomUUID()}`,
    },
  });
  return alert.id;
}

/** A new token of the space's tenant and mode, to revoke. */
async function spareTokenGid(seeded: SeededSpace): Promise<string> {
  const token = await issueToken(gateway.db.prisma, {
    tenantSlug: seeded.space.tenantSlug,
    test: !seeded.space.livemode,
    role: "read",
    customerExternalId: null,
    name: unique("spare"),
  });
  const { id } = await gateway.db.prisma.apiToken.findUniqueOrThrow({ where: { tokenHash: hashToken(token) }, select: { id: true } });
  return id;
}

describe("the allowed side", () => {
  it("every mutation succeeds for a token allowed to do it, on its own objects", async () => {
    const failures: string[] = [];
    for (const seeded of spaces.filter((candidate) => candidate.space.livemode)) {
      for (const [mutation, kind, input] of POSITIVE) {
        const actor = seeded.actors.find((candidate) => candidate.kind === kind)!;
        const answer = await sendMutation(actor, mutation, await input(seeded.customers[0], seeded));
        const typename = answer.json?.data?.[mutation]?.__typename;
        if (typename !== `${mutation.charAt(0).toUpperCase()}${mutation.slice(1)}Payload`)
          failures.push(`${describeActor(actor)} ${mutation}: ${answer.status} ${answer.text.slice(0, 300)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe("external ids name the caller's own customers", () => {
  it("createWallet with another tenant's external id opens a customer of the caller's own, and leaves the other untouched", async () => {
    for (const actor of actors.filter((candidate) => allowed(candidate, "manage") && !candidate.customer)) {
      for (const { customer: foreign } of foreignTargets(actor, spaces)) {
        const before = await snapshotState(gateway.db.prisma);
        const answer = await wire.graphql(
          actor.token,
          `mutation($input: CreateWalletInput!) { createWallet(input: $input) { __typename ... on CreateWalletPayload { customer { id externalId } } } }`,
          { input: { customerExternalId: foreign.externalId, currency: "EUR", name: unique("named after a foreign customer") } },
        );
        expect(answer.json.data.createWallet.customer.externalId).toBe(foreign.externalId);
        const created = await gateway.db.prisma.customer.findFirstOrThrow({
          where: { externalId: foreign.externalId, tenantId: actor.space.tenantId, livemode: actor.space.livemode },
        });
        expect(created.id).not.toBe(foreign.customerId);
        const victimRows = [foreign.customerId, foreign.usd.walletId, foreign.credits.walletId, foreign.commerce.walletId];
        const changed = changesBetween(before, await snapshotState(gateway.db.prisma));
        expect(changed.filter((key) => victimRows.some((id) => key.endsWith(id)))).toEqual([]);
      }
    }
  });

  it("createApiToken with another tenant's external id makes a token for a customer of the caller's own, and leaves the other untouched", async () => {
    for (const actor of actors.filter((candidate) => allowed(candidate, "tokens"))) {
      for (const { customer: foreign } of foreignTargets(actor, spaces)) {
        const before = await snapshotState(gateway.db.prisma);
        const answer = await wire.graphql(
          actor.token,
          `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { __typename ... on CreateApiTokenPayload { apiToken { id livemode customer { id externalId } } } } }`,
          { input: { role: "customer", customerExternalId: foreign.externalId, name: unique("named after a foreign customer") } },
        );
        const payload = answer.json?.data?.createApiToken;
        expect(payload?.__typename, answer.text.slice(0, 300)).toBe("CreateApiTokenPayload");
        expect(payload.apiToken.livemode).toBe(actor.space.livemode);
        expect(payload.apiToken.customer.externalId).toBe(foreign.externalId);
        expect(payload.apiToken.customer.id).not.toBe(foreign.customerId);
        const created = await gateway.db.prisma.customer.findFirstOrThrow({
          where: { externalId: foreign.externalId, tenantId: actor.space.tenantId, livemode: actor.space.livemode },
        });
        expect(created.id).not.toBe(foreign.customerId);
        const victimRows = [foreign.customerId, foreign.usd.walletId, foreign.credits.walletId, foreign.commerce.walletId];
        const changed = changesBetween(before, await snapshotState(gateway.db.prisma));
        expect(changed.filter((key) => victimRows.some((id) => key.endsWith(id)))).toEqual([]);
      }
    }
  });
});

describe("token management stays within its mode", () => {
  it("a test-mode admin token asking for a live token is forbidden, and nothing changes", async () => {
    const problems: (string | null)[] = [];
    tally.forgetState();
    for (const actor of actors.filter((candidate) => candidate.kind === "admin" && !candidate.space.livemode)) {
      const own = ownCustomer(actor, spaces);
      const inputs: Record<string, Record<string, unknown>> = {
        "a live admin token": { role: "admin", test: false, name: "escalated" },
        "a live personal token": { role: "customer", test: false, customerExternalId: own.externalId, name: "escalated" },
      };
      for (const [aim, input] of Object.entries(inputs)) {
        problems.push(
          await tally.attempt(`${describeActor(actor)}, ${aim}`, ["forbidden"], () => mutationVerdict(actor, "createApiToken", input)),
        );
      }
    }
    expect(problems.filter(Boolean)).toEqual([]);
  });
});

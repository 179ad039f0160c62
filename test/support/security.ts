// The security suite's world: the gateway behind a real HTTP server on a loopback port (with
// payments on the fake Stripe), two tenants in live and test mode seeded through the ledger with
// two customers each, a token of every role in each, a snapshot of everything a request could
// change, and a tally of what every attempt was answered.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";
import { createApp } from "../../src/app.ts";
import { hashToken, issueToken } from "../../src/auth/tokens.ts";
import type { PrismaClient } from "../../src/db/generated/client.ts";
import { systemScope, type Role } from "../../src/ledger/access.ts";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { ensureCustomerWallet } from "../../src/ledger/commands/ensure-customer-wallet.ts";
import { holdCredits } from "../../src/ledger/commands/hold.ts";
import type { LedgerContext, Scope } from "../../src/ledger/context.ts";
import { TEAM_CUSTOMER } from "../../src/ledger/customers.ts";
import { loadPaymentsConfig } from "../../src/payments/config.ts";
import { createStripeAccess } from "../../src/payments/stripe-client.ts";
import type { GatewayFixture } from "./app.ts";
import { startFakeStripe, type FakeStripe } from "./fake-stripe.ts";
import { DAY } from "./ledger.ts";

// ---------------------------------------------------------------------------------------------
// Real HTTP

export interface WireAnswer {
  status: number;
  contentType: string;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

/** A request body as sent: text, or bytes that need not be valid UTF-8. */
export type RawBody = string | Uint8Array<ArrayBuffer>;

export interface WireRequest {
  /** null: no Authorization header. */
  token: string | null;
  headers?: Record<string, string>;
  /** Sent as is; `json` is serialized with JSON.stringify and typed application/json. */
  body?: RawBody;
  json?: unknown;
}

export interface Wire {
  baseUrl: string;
  send(method: string, path: string, request: WireRequest): Promise<WireAnswer>;
  graphql(token: string | null, query: string, variables?: Record<string, unknown>): Promise<WireAnswer>;
}

async function answerOf(response: Response): Promise<WireAnswer> {
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, contentType: response.headers.get("content-type") ?? "", text, json };
}

/** Listens on 127.0.0.1:0 for this test file, delegating each request to `gateway.app`. */
export function useWire(gateway: GatewayFixture): Wire {
  const wire = {} as Wire;
  let server: Server;
  beforeAll(async () => {
    server = createServer((request, response) => gateway.app(request, response));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    wire.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    wire.send = async (method, path, request) => {
      const body = request.json !== undefined ? JSON.stringify(request.json) : request.body;
      const response = await fetch(`${wire.baseUrl}${path}`, {
        method,
        headers: {
          ...(request.json !== undefined ? { "content-type": "application/json" } : {}),
          ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
          ...request.headers,
        },
        body,
      });
      return answerOf(response);
    };
    wire.graphql = (token, query, variables = {}) => wire.send("POST", "/graphql", { token, json: { query, variables } });
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return wire;
}

/** Turns payments on for the gateway, with the real Stripe SDK pointed at the fake Stripe. */
export function usePayments(gateway: GatewayFixture): { stripe: FakeStripe } {
  const fixture = {} as { stripe: FakeStripe };
  beforeAll(async () => {
    fixture.stripe = await startFakeStripe();
    const payments = createStripeAccess(
      loadPaymentsConfig({ STRIPE_SECRET_KEY: "sk_test_security", STRIPE_API_BASE: fixture.stripe.url })!,
    );
    gateway.app = createApp({ db: gateway.db, ledger: gateway.ledger, payments });
  });
  afterAll(() => fixture.stripe?.close());
  return fixture;
}

/**
 * What no answer may carry: traces of the code (stack frames, source files, dependencies) or of
 * the database behind it. Returns the first trace found, or null.
 */
export function internalsIn(answer: WireAnswer, databaseName: string): string | null {
  const text = answer.text;
  const lower = text.toLowerCase();
  for (const trace of ["at /", ".ts:", "node_modules"]) if (text.includes(trace)) return trace;
  for (const trace of ["postgres", "pglite", databaseName.toLowerCase()]) if (lower.includes(trace)) return trace;
  return null;
}

/**
 * What is wrong with an answer to any request, hostile or not: a 5xx, a body that is not JSON, or
 * a trace of the internals in it.
 */
export function answerProblems(answer: WireAnswer, databaseName: string): string[] {
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`answered ${answer.status}`);
  if (answer.text && (answer.json === undefined || !/json/i.test(answer.contentType)))
    problems.push(`answered ${answer.contentType || "no content type"}, not JSON`);
  const trace = internalsIn(answer, databaseName);
  if (trace) problems.push(`carries "${trace}"`);
  return problems;
}

/** The database's name, which no answer may carry. */
export async function databaseNameOf(prisma: PrismaClient): Promise<string> {
  const [row] = await prisma.$queryRawUnsafe<{ name: string }[]>("SELECT current_database() AS name");
  return row!.name;
}

// ---------------------------------------------------------------------------------------------
// Tenants, customers and tokens

export interface Space {
  /** e.g. "a-live" */
  name: string;
  tenantSlug: string;
  tenantId: string;
  livemode: boolean;
}

export type ActorKind = "admin" | "write" | "read" | "customer" | "personal read";

export interface Actor {
  kind: ActorKind;
  space: Space;
  token: string;
  /** For a personal token: the customer it acts for. */
  customer: SeededCustomer | null;
  /** The token's record (api_token.id) and its GraphQL global id. */
  tokenId: string;
  tokenGid: string;
}

/** One customer's seeded objects; `gid` fields are the ids GraphQL gives and takes (each object's UUID). */
export interface SeededCustomer {
  space: Space;
  customerId: string;
  externalId: string;
  gid: { customer: string };
  /** USD: GraphQL, Orb (the customer's oldest wallet) and Wren. */
  usd: {
    walletId: string;
    /** [paid, expiring in 30 days; granted, never expiring] */
    blockIds: [string, string];
    holdId: string;
    /** A second open hold, so that one hold can be captured and another released. */
    spareHoldId: string;
    debitOperationId: string;
    entryId: string;
    gid: { wallet: string; blocks: [string, string]; hold: string; spareHold: string; debitOperation: string; entry: string };
  };
  /** CREDITS: the customer deposit API; one frozen transaction and one deducted. */
  credits: { walletId: string; frozenTransactionId: string; deductedTransactionId: string; gid: { wallet: string } };
  /** BILLING_CREDITS: commerce billing wallets; its deposit is a wallet transaction. */
  commerce: { walletId: string; depositOperationId: string; gid: { wallet: string } };
}

export interface SeededSpace {
  space: Space;
  /** The tenant's own USD wallet (customer __team__), which Wren shows team tokens. */
  teamWalletId: string;
  customers: [SeededCustomer, SeededCustomer];
  actors: Actor[];
}

export const ACTOR_KINDS: readonly ActorKind[] = ["admin", "write", "read", "customer", "personal read"];

const TOKEN_ROLES: Record<ActorKind, { role: Role; personal: boolean }> = {
  admin: { role: "admin", personal: false },
  write: { role: "write", personal: false },
  read: { role: "read", personal: false },
  customer: { role: "customer", personal: true },
  "personal read": { role: "read", personal: true },
};

export const COMMERCE_SETTINGS = {
  currency_code: "USD",
  rate_amount: "1",
  applies_to: null,
  recurring_transaction_rules: [],
  expiration_at: null,
};

/**
 * Seeds tenants (by default "a" and "b"), each in live and test mode, through the ledger: per space
 * a team wallet and two customers whose external ids are unique across spaces (so that a lookup
 * by external id that ignored the tenant would find the other tenant's customer), each with
 * blocks, open holds and debits in every unit; and a token of every kind.
 */
export async function seedSpaces(
  prisma: PrismaClient,
  ledger: LedgerContext,
  tenants = ["a", "b"],
  modes = [true, false],
): Promise<SeededSpace[]> {
  const spaces: Space[] = [];
  for (const tenantSlug of tenants) {
    const tenant = await prisma.tenant.upsert({ where: { slug: tenantSlug }, create: { slug: tenantSlug, name: tenantSlug }, update: {} });
    for (const livemode of modes)
      spaces.push({ name: `${tenantSlug}-${livemode ? "live" : "test"}`, tenantSlug, tenantId: tenant.id, livemode });
  }
  // Every USD wallet first: Orb takes a customer's oldest wallet, and creation times have
  // millisecond precision.
  const usdWallets = new Map<string, string>();
  for (const space of spaces) {
    for (const label of ["1", "2"]) {
      const externalId = `${space.name}-customer-${label}`;
      const { wallet } = await createWallet(ledger, { scope: scopeOf(space), customer: { externalId }, currency: "USD" });
      usdWallets.set(externalId, wallet.id);
    }
  }
  const seeded: SeededSpace[] = [];
  for (const space of spaces) {
    const scope = scopeOf(space);
    const team = await ensureCustomerWallet(ledger, { scope, customer: { externalId: TEAM_CUSTOMER }, currency: "USD" });
    await deposit(ledger, { scope, walletId: team.id, amount: 2_500n, category: "paid" });
    const customers = [] as unknown as [SeededCustomer, SeededCustomer];
    for (const label of ["1", "2"]) {
      const externalId = `${space.name}-customer-${label}`;
      customers.push(await seedCustomer(ledger, space, externalId, usdWallets.get(externalId)!));
    }
    const actors: Actor[] = [];
    for (const kind of ACTOR_KINDS) {
      const { role, personal } = TOKEN_ROLES[kind];
      const token = await issueToken(prisma, {
        tenantSlug: space.tenantSlug,
        test: !space.livemode,
        role,
        customerExternalId: personal ? customers[0].externalId : null,
        name: `security ${kind}`,
      });
      const { id: tokenId } = await prisma.apiToken.findUniqueOrThrow({ where: { tokenHash: hashToken(token) }, select: { id: true } });
      actors.push({ kind, space, token, customer: personal ? customers[0] : null, tokenId, tokenGid: tokenId });
    }
    seeded.push({ space, teamWalletId: team.id, customers, actors });
  }
  return seeded;
}

export function scopeOf(space: Space): Scope {
  return systemScope(space.tenantId, space.livemode);
}

async function seedCustomer(ledger: LedgerContext, space: Space, externalId: string, usdWalletId: string): Promise<SeededCustomer> {
  const scope = scopeOf(space);
  const paid = await deposit(ledger, {
    scope,
    walletId: usdWalletId,
    amount: 10_000n,
    category: "paid",
    costBasis: "1",
    expiresAt: new Date(ledger.now().getTime() + 30 * DAY),
  });
  const granted = await deposit(ledger, { scope, walletId: usdWalletId, amount: 5_000n, category: "granted" });
  const hold = await holdCredits(ledger, { scope, walletId: usdWalletId, amount: 1_000n, reference: `${externalId}-hold` });
  const spareHold = await holdCredits(ledger, { scope, walletId: usdWalletId, amount: 500n, reference: `${externalId}-spare-hold` });
  const spent = await debit(ledger, { scope, walletId: usdWalletId, amount: 700n, reference: `${externalId}-order` });

  const { wallet: credits } = await createWallet(ledger, { scope, customer: { externalId }, customUnit: { code: "CREDITS", scale: 0 } });
  await deposit(ledger, { scope, walletId: credits.id, amount: 1_000n, category: "default" });
  const frozenTransactionId = `${externalId}-frozen`;
  await holdCredits(ledger, {
    scope,
    walletId: credits.id,
    amount: 100n,
    reference: frozenTransactionId,
    idempotencyKey: `transaction:${frozenTransactionId}`,
  });
  const deductedTransactionId = `${externalId}-deducted`;
  await debit(ledger, {
    scope,
    walletId: credits.id,
    amount: 50n,
    reference: deductedTransactionId,
    idempotencyKey: `transaction:${deductedTransactionId}`,
  });

  const { wallet: commerce, customer } = await createWallet(ledger, {
    scope,
    customer: { externalId },
    customUnit: { code: "BILLING_CREDITS", scale: 6 },
    metadata: { commerce: COMMERCE_SETTINGS },
  });
  const commerceDeposit = await deposit(ledger, { scope, walletId: commerce.id, amount: 5_000_000n, category: "granted", costBasis: "0" });
  await debit(ledger, { scope, walletId: commerce.id, amount: 1_000_000n });

  const blockIds: [string, string] = [paid.blocks[0]!.id, granted.blocks[0]!.id];
  return {
    space,
    customerId: customer.id,
    externalId,
    gid: { customer: customer.id },
    usd: {
      walletId: usdWalletId,
      blockIds,
      holdId: hold.hold!.id,
      spareHoldId: spareHold.hold!.id,
      debitOperationId: spent.operation.id,
      entryId: paid.entries[0]!.id,
      gid: {
        wallet: usdWalletId,
        blocks: [blockIds[0], blockIds[1]],
        hold: hold.hold!.id,
        spareHold: spareHold.hold!.id,
        debitOperation: spent.operation.id,
        entry: paid.entries[0]!.id,
      },
    },
    credits: { walletId: credits.id, frozenTransactionId, deductedTransactionId, gid: { wallet: credits.id } },
    commerce: {
      walletId: commerce.id,
      depositOperationId: commerceDeposit.operation.id,
      gid: { wallet: commerce.id },
    },
  };
}

/** A customer the actor must not reach, and why. */
export interface ForeignTarget {
  why: "other tenant" | "other mode" | "other tenant and mode" | "other customer";
  customer: SeededCustomer;
}

/**
 * The first customer of every other space, named by how it differs from the actor's; for a
 * personal token, also the other customer of its own space.
 */
export function foreignTargets(actor: Actor, spaces: SeededSpace[]): ForeignTarget[] {
  const targets: ForeignTarget[] = [];
  for (const seeded of spaces) {
    const otherTenant = seeded.space.tenantId !== actor.space.tenantId;
    const otherMode = seeded.space.livemode !== actor.space.livemode;
    if (otherTenant || otherMode) {
      targets.push({
        why: otherTenant && otherMode ? "other tenant and mode" : otherTenant ? "other tenant" : "other mode",
        customer: seeded.customers[0],
      });
    } else if (actor.customer) {
      targets.push({ why: "other customer", customer: seeded.customers[1] });
    }
  }
  return targets;
}

/** The customer whose objects the actor may see: its own for a personal token, else the space's first. */
export function ownCustomer(actor: Actor, spaces: SeededSpace[]): SeededCustomer {
  return actor.customer ?? spaces.find((seeded) => seeded.space === actor.space)!.customers[0];
}

// ---------------------------------------------------------------------------------------------
// Nothing changed

/**
 * Everything a request could change, one line per row: wallets (balance, sequence, settings),
 * customers (payment method), blocks, holds, auto top-up rules, each wallet's entry count and
 * sum, the number of operations, top-ups and refunds, and API tokens (all but when each was last
 * used, which any accepted request may write).
 */
export async function snapshotState(prisma: PrismaClient): Promise<Map<string, string>> {
  const rows = await prisma.$queryRawUnsafe<{ key: string; value: string }[]>(`
    SELECT 'wallet ' || id AS key, concat_ws('|', status, name, overdraft_limit, overdraft_used, default_expiry_days, metadata::text, balance, last_sequence, updated_at) AS value FROM wallet
    UNION ALL SELECT 'entries of ' || wallet_id, count(*) || '|' || sum(amount) FROM ledger_entry GROUP BY wallet_id
    UNION ALL SELECT 'customer ' || id, concat_ws('|', external_id, name, email, metadata::text, stripe_customer_id, payment_method_id, updated_at) FROM customer
    UNION ALL SELECT 'block ' || id, concat_ws('|', remaining, status, expires_at) FROM credit_block
    UNION ALL SELECT 'hold ' || id, concat_ws('|', status, captured, resolved_at) FROM hold
    UNION ALL SELECT 'auto top-up ' || wallet_id, concat_ws('|', threshold, amount, target_balance, paused_at, updated_at) FROM auto_top_up_rule
    UNION ALL SELECT 'api token ' || id, concat_ws('|', tenant_id, livemode, token_hash, customer_id, role, name, revoked_at) FROM api_token
    UNION ALL SELECT 'counts', concat_ws('|', (SELECT count(*) FROM operation), (SELECT count(*) FROM top_up), (SELECT count(*) FROM funding_reversal))`);
  return new Map(rows.map((row) => [row.key, row.value]));
}

/** The keys whose lines differ between two snapshots. */
export function changesBetween(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((key) => before.get(key) !== after.get(key)).sort();
}

/** One hash of what snapshotState reads, in one row: cheap enough to take after every request. */
export async function fingerprintState(prisma: PrismaClient): Promise<string> {
  const [row] = await prisma.$queryRawUnsafe<{ fingerprint: string }[]>(`
    SELECT md5(concat_ws('#',
      (SELECT string_agg(concat_ws('|', id, status, name, overdraft_limit, overdraft_used, default_expiry_days, metadata::text, balance, last_sequence, updated_at), ',' ORDER BY id) FROM wallet),
      (SELECT count(*) || '|' || coalesce(sum(amount), 0) FROM ledger_entry),
      (SELECT string_agg(concat_ws('|', id, external_id, name, email, metadata::text, stripe_customer_id, payment_method_id, updated_at), ',' ORDER BY id) FROM customer),
      (SELECT string_agg(concat_ws('|', id, remaining, status, expires_at), ',' ORDER BY id) FROM credit_block),
      (SELECT string_agg(concat_ws('|', id, status, captured, resolved_at), ',' ORDER BY id) FROM hold),
      (SELECT string_agg(concat_ws('|', wallet_id, threshold, amount, target_balance, paused_at, updated_at), ',' ORDER BY wallet_id) FROM auto_top_up_rule),
      (SELECT string_agg(concat_ws('|', id, tenant_id, livemode, token_hash, customer_id, role, name, revoked_at), ',' ORDER BY id) FROM api_token),
      (SELECT count(*) FROM operation), (SELECT count(*) FROM top_up), (SELECT count(*) FROM funding_reversal))) AS fingerprint`);
  return row!.fingerprint;
}

// ---------------------------------------------------------------------------------------------
// Tally

/** How an attempt was answered. */
export type Outcome =
  | "not found"
  | "forbidden"
  /** Refused because the name is taken (a transaction id of another customer). */
  | "conflict"
  /** A read answered with the caller's own data only. */
  | "scoped"
  /** The request went through, or an answer carried data it must not. */
  | "leak"
  /** Some other answer: a refusal of the wrong kind, or a malformed one. */
  | "other";

export interface Verdict {
  outcome: Outcome;
  /** What the answer was, for the failure message. */
  detail: string;
}

/**
 * Counts attempts and their outcomes, and checks each: the outcome must be one of those
 * expected, and nothing may have changed in the database.
 */
export class AttemptTally {
  private readonly counts = new Map<string, number>();
  /** The state after the last attempt, which is the state before the next one, and its fingerprint. */
  private state: { rows: Map<string, string>; fingerprint: string } | null = null;

  constructor(private readonly prisma: PrismaClient) {}

  /** To call after changing the database other than through `attempt` (e.g. before each test). */
  forgetState(): void {
    this.state = null;
  }

  /** Runs one attempt; returns what was wrong with it, or null. */
  async attempt(label: string, expected: readonly Outcome[], run: () => Promise<Verdict>): Promise<string | null> {
    const before = this.state ?? { rows: await snapshotState(this.prisma), fingerprint: await fingerprintState(this.prisma) };
    const verdict = await run();
    const fingerprint = await fingerprintState(this.prisma);
    // The full snapshot only when something changed, to name what.
    this.state = fingerprint === before.fingerprint ? before : { rows: await snapshotState(this.prisma), fingerprint };
    const changed = changesBetween(before.rows, this.state.rows);
    if (fingerprint !== before.fingerprint && changed.length === 0) changed.push("something the snapshot does not show");
    this.bump("attempts");
    this.bump(verdict.outcome);
    if (verdict.outcome === "leak" || changed.length > 0) this.bump("leaks");
    const problems = [
      ...(expected.includes(verdict.outcome) ? [] : [`expected ${expected.join(" or ")}, got ${verdict.outcome}: ${verdict.detail}`]),
      ...(changed.length > 0 ? [`changed ${changed.join(", ")}`] : []),
    ];
    return problems.length > 0 ? `${label}: ${problems.join("; ")}` : null;
  }

  private bump(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  summary(title: string): string {
    const count = (key: string) => this.counts.get(key) ?? 0;
    return (
      `${title}: ${count("attempts")} attempts, ${count("not found")} refused as not found, ${count("forbidden")} forbidden, ` +
      `${count("conflict")} refused as conflicts, ${count("scoped")} answered within scope, ${count("leaks")} leaks, ${count("other")} other answers`
    );
  }
}

export function describeActor(actor: Actor): string {
  return `${actor.space.name} ${actor.kind} token`;
}

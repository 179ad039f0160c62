// Orb's credit ledger (orb-credit-ledger-entry-api.txt, REFERENCE.md): ledger entries of every
// documented type, a customer's credit blocks and ledger. A customer's credits are its oldest
// active wallet, opened in the entry's currency (USD by default) by its first increment.
import { z } from "zod";
import {
  type CreditBlock,
  type Customer,
  type Wallet,
  amendBlock,
  changeBlockExpiry,
  debit,
  deposit,
  validDeposit,
  ensureCustomerWallet,
  voidCredits,
  NotFoundError,
  currencyScale,
  findCustomer,
  findCustomerById,
  getCreditBlocks,
  listCreditBlocks,
  listLedgerEntries,
  type EntryFilter,
  type LedgerResult,
} from "../../ledger/index.ts";
import { invalid, minorUnitsAt } from "../fields.ts";
import { jsonResponse } from "../json.ts";
import { restRoute, type RequestBody, type RestCall, type RestRoute, type VendorApi } from "../router.ts";
import { fieldsObject, readWith, type Read } from "../schema.ts";
import { shortfallInMajorUnits } from "../shortfall.ts";
import { orbError, orbFailure } from "./errors.ts";
import { ORB_ENTRY_TYPES, ORB_VISIBLE_TYPES, orbBlock, orbEntry } from "./resources.ts";
import { blockPageAnswers, blockQuery, entryAnswers, entryFields, entryPageAnswers, entryQuery, entryTypeField } from "./schemas.ts";

/** How a path names the customer: by the caller's id for it, or by ours. */
type CustomerKey = "external_customer_id" | "customer_id";
type CustomerWithWallets = Customer & { wallets: Wallet[] };

async function findCustomerBy(call: RestCall, key: CustomerKey): Promise<CustomerWithWallets | null> {
  const id = call.params[0]!;
  return key === "external_customer_id" ? findCustomer(call.ledger, call.viewer, id) : findCustomerById(call.ledger, call.viewer, id);
}

async function customerOf(call: RestCall, key: CustomerKey): Promise<CustomerWithWallets> {
  const customer = await findCustomerBy(call, key);
  if (!customer) throw new NotFoundError("Customer", call.params[0]!);
  return customer;
}

function creditWallet(customer: { wallets: Wallet[] }): Wallet | null {
  return customer.wallets.find((wallet) => wallet.status === "active") ?? null;
}

/** What every entry type gets: the call, how its path names the customer, and the request's idempotency key. */
interface EntryRequest<T> {
  call: RestCall;
  customerKey: CustomerKey;
  body: T;
  idempotencyKey: string | null;
}

/** Orb's rule: credits with a cost other than zero were bought, the rest granted. */
function categoryOf(costBasis: string | null): "paid" | "granted" {
  return costBasis && costBasis !== "0" ? "paid" : "granted";
}

async function increment({ call, customerKey, body, idempotencyKey }: EntryRequest<Read<typeof entryFields.increment>>): Promise<Response> {
  const { ledger, viewer } = call;
  const existing = await findCustomerBy(call, customerKey);
  // Only an external id names a customer the first increment may create.
  if (!existing && customerKey === "customer_id") throw new NotFoundError("Customer", call.params[0]!);
  const wallet = existing && creditWallet(existing);
  const currency = body.currency ?? wallet?.currency ?? "USD";
  if (wallet && body.currency !== null && wallet.currency !== body.currency)
    invalid("currency", `must match the customer's currency ${wallet.currency}`);
  // A new wallet is kept at its currency's scale (EUR 2, JPY 0, a custom unit 0).
  const scale = wallet?.scale ?? currencyScale(currency);
  const credits = {
    amount: minorUnitsAt(body.amount, scale, "amount"),
    category: categoryOf(body.per_unit_cost_basis),
    costBasis: body.per_unit_cost_basis,
    effectiveAt: body.effective_date,
    expiresAt: body.expiry_date,
    description: body.description,
    metadata: body.metadata,
    idempotencyKey,
  };
  validDeposit(credits);
  const target =
    wallet ??
    (await ensureCustomerWallet(ledger, { scope: viewer, customer: { externalId: existing?.externalId ?? call.params[0]! }, currency }));
  const result = await deposit(ledger, { ...credits, scope: viewer, walletId: target.id });
  return entryResponse(result, existing ?? (await customerOf(call, customerKey)));
}

/** The customer and its credits wallet, for the entry types that change existing credits. */
async function creditsOf(call: RestCall, customerKey: CustomerKey) {
  const customer = await customerOf(call, customerKey);
  const wallet = creditWallet(customer);
  if (!wallet) throw new NotFoundError("CreditBlock", "any: the customer has no credits");
  return { customer, wallet, scope: call.viewer, walletId: wallet.id };
}

async function decrement({ call, customerKey, body, idempotencyKey }: EntryRequest<Read<typeof entryFields.decrement>>): Promise<Response> {
  const { customer, wallet, ...target } = await creditsOf(call, customerKey);
  const amount = minorUnitsAt(body.amount, wallet.scale, "amount");
  const result = await shortfallInMajorUnits(wallet, () =>
    debit(call.ledger, { ...target, amount, description: body.description, metadata: body.metadata, idempotencyKey }),
  );
  return entryResponse(result, customer);
}

async function voidEntry({ call, customerKey, body, idempotencyKey }: EntryRequest<Read<typeof entryFields.void>>): Promise<Response> {
  const { customer, wallet, ...target } = await creditsOf(call, customerKey);
  const amount = body.amount === null ? null : minorUnitsAt(body.amount, wallet.scale, "amount");
  const { block_id: blockId, void_reason: reason, description, metadata } = body;
  const result = await shortfallInMajorUnits(wallet, () =>
    voidCredits(call.ledger, { ...target, blockId, amount, reason, description, metadata, idempotencyKey }),
  );
  return entryResponse(result, customer);
}

async function amendment({ call, customerKey, body, idempotencyKey }: EntryRequest<Read<typeof entryFields.amendment>>): Promise<Response> {
  const { customer, wallet, ...target } = await creditsOf(call, customerKey);
  const amount = minorUnitsAt(body.amount, wallet.scale, "amount");
  // The ledger checks that the block is this customer's wallet's: a block id of another
  // customer is not found, rather than amended in that customer's wallet.
  const result = await shortfallInMajorUnits(wallet, () =>
    amendBlock(call.ledger, {
      ...target,
      blockId: body.block_id,
      amount,
      description: body.description,
      metadata: body.metadata,
      idempotencyKey,
    }),
  );
  return entryResponse(result, customer);
}

async function expirationChange({
  call,
  customerKey,
  body,
  idempotencyKey,
}: EntryRequest<Read<typeof entryFields.expiration_change>>): Promise<Response> {
  const { customer, wallet, ...target } = await creditsOf(call, customerKey);
  const expiresAt = body.target_expiry_date;
  const amount = body.amount === null ? null : minorUnitsAt(body.amount, wallet.scale, "amount");
  const blockId = body.block_id ?? (await blockExpiringOn(call, wallet, body.expiry_date));
  const result = await shortfallInMajorUnits(wallet, () =>
    changeBlockExpiry(call.ledger, {
      ...target,
      blockId,
      expiresAt,
      amount,
      description: body.description,
      metadata: body.metadata,
      idempotencyKey,
    }),
  );
  // An expiration change moves credits between blocks: the balance ends where it started.
  const [out, into] = result.entries;
  return entryResponse(result, customer, out, {
    ending_balance: into && orbEntry(into, null, result.wallet, customer).ending_balance,
    new_block_expiry_date: expiresAt.toISOString(),
  });
}

/** The block a caller names by its expiry date, as Orb allows when only one block has it. */
async function blockExpiringOn(call: RestCall, wallet: Wallet, expiry: Date | null): Promise<string> {
  if (!expiry) invalid("block_id", "or expiry_date is required");
  const blocks = (await listCreditBlocks(call.ledger, call.viewer, wallet.id, { status: "active", limit: 200 })).items.filter(
    (block) => block.expiresAt?.toISOString().slice(0, 10) === expiry.toISOString().slice(0, 10),
  );
  if (blocks.length !== 1)
    invalid(
      "block_id",
      blocks.length === 0 ? "matches no block expiring on expiry_date" : "is required: several blocks expire on expiry_date",
    );
  return blocks[0]!.id;
}

function entryResponse(
  result: LedgerResult,
  customer: Customer,
  entry = result.entries.at(-1),
  overrides: Record<string, unknown> = {},
): Response {
  if (!entry) return orbError(400, "400-constraint-violation", "Constraint violation", "the entry moved no credits");
  const blocks = new Map<string, CreditBlock>(result.blocks.map((block) => [block.id, block]));
  const resource = orbEntry(entry, entry.blockId ? (blocks.get(entry.blockId) ?? null) : null, result.wallet, customer, overrides);
  return jsonResponse(resource, result.replayed ? 200 : 201);
}

type EntryBodies = { [Type in keyof typeof entryFields]: Read<(typeof entryFields)[Type]> };
type EntryBody = EntryBodies[keyof EntryBodies];

const ENTRY_HANDLERS: { [Type in keyof EntryBodies]: (request: EntryRequest<EntryBodies[Type]>) => Promise<Response> } = {
  increment,
  decrement,
  void: voidEntry,
  amendment,
  expiration_change: expirationChange,
};

const entryTypeSchema = fieldsObject(entryTypeField);
const entrySchemas = Object.fromEntries(Object.entries(entryFields).map(([type, fields]) => [type, fieldsObject(fields)])) as {
  [Type in keyof EntryBodies]: z.ZodType<EntryBodies[Type]>;
};

/** The body of a ledger entry: `entry_type` first, then that type's fields. */
const entryBody: RequestBody<EntryBody> = {
  schema: z.union(Object.values(entrySchemas) as [z.ZodType, ...z.ZodType[]]),
  read(raw) {
    const { entry_type } = readWith(entryTypeSchema, raw);
    return readWith(entrySchemas[entry_type] as z.ZodType<EntryBody>, raw);
  },
};

function createLedgerEntry(customerKey: CustomerKey) {
  return (call: RestCall, { body }: { body: EntryBody }): Promise<Response> => {
    const handler = ENTRY_HANDLERS[body.entry_type] as (request: EntryRequest<EntryBody>) => Promise<Response>;
    return handler({ call, customerKey, body, idempotencyKey: call.request.headers.get("idempotency-key") });
  };
}

const EMPTY_PAGE = { data: [], pagination_metadata: { has_more: false, next_cursor: null } };

function listBlocks(customerKey: CustomerKey) {
  return async (call: RestCall, { query }: { query: Read<typeof blockQuery> }): Promise<Response> => {
    const wallet = creditWallet(await customerOf(call, customerKey));
    if (!wallet) return jsonResponse(EMPTY_PAGE);
    const page = await listCreditBlocks(call.ledger, call.viewer, wallet.id, { status: "active", limit: query.limit, after: query.cursor });
    return jsonResponse({
      data: page.items.map((block) => orbBlock(block, wallet)),
      pagination_metadata: { has_more: page.nextCursor !== null, next_cursor: page.nextCursor },
    });
  };
}

function listEntries(customerKey: CustomerKey) {
  return async (call: RestCall, { query }: { query: Read<typeof entryQuery> }): Promise<Response> => {
    const customer = await customerOf(call, customerKey);
    const wallet = creditWallet(customer);
    if (!wallet || (query.currency !== null && query.currency !== wallet.currency)) return jsonResponse(EMPTY_PAGE);
    const filter = {
      types: query.entry_type === null ? ORB_VISIBLE_TYPES : ORB_ENTRY_TYPES.get(query.entry_type)!,
      status: query.entry_status ?? undefined,
      createdFrom: query["created_at[gte]"] ?? undefined,
      createdAfter: query["created_at[gt]"] ?? undefined,
      createdBefore: query["created_at[lt]"] ?? undefined,
      createdUntil: query["created_at[lte]"] ?? undefined,
      minimumAmount: query.minimum_amount === null ? undefined : minorUnitsAt(query.minimum_amount, wallet.scale, "minimum_amount"),
      limit: query.limit,
      after: query.cursor,
    };
    const page = await listLedgerEntries(call.ledger, call.viewer, wallet.id, filter);
    const blockIds = [...new Set(page.items.flatMap((entry) => (entry.blockId ? [entry.blockId] : [])))];
    const blocks = new Map((await getCreditBlocks(call.ledger, call.viewer, blockIds)).map((block) => [block.id, block]));
    return jsonResponse({
      data: page.items.map((entry) => orbEntry(entry, entry.blockId ? (blocks.get(entry.blockId) ?? null) : null, wallet, customer)),
      pagination_metadata: { has_more: page.nextCursor !== null, next_cursor: page.nextCursor },
    });
  };
}

/** The three operations, under a path that names the customer by `key`. */
function customerRoutes(key: CustomerKey, prefix: string): RestRoute[] {
  return [
    restRoute({
      method: "POST",
      path: `${prefix}/credits/ledger_entry`,
      summary: "Add a ledger entry",
      body: entryBody,
      responses: entryAnswers,
      handle: createLedgerEntry(key),
    }),
    restRoute({
      method: "GET",
      path: `${prefix}/credits`,
      summary: "List active credit blocks",
      query: blockQuery,
      responses: blockPageAnswers,
      handle: listBlocks(key),
    }),
    restRoute({
      method: "GET",
      path: `${prefix}/credits/ledger`,
      summary: "List ledger entries, newest first",
      query: entryQuery,
      responses: entryPageAnswers,
      handle: listEntries(key),
    }),
  ];
}

export const orbApi: VendorApi = {
  routes: [
    ...customerRoutes("external_customer_id", "/customers/external_customer_id/{external_customer_id}"),
    ...customerRoutes("customer_id", "/customers/{customer_id}"),
  ],
  unauthenticated: () =>
    orbError(401, "401-authentication-error", "Authentication error", "a valid API key is required as Authorization: Bearer <key>"),
  failure: orbFailure,
};

// Orb's credit ledger (orb-credit-ledger-entry-api.txt, REFERENCE.md): ledger entries of every
// documented type, a customer's credit blocks and ledger. A customer's credits are its oldest
// active wallet, opened in the entry's currency (USD by default) by its first increment.
import type { CreditBlock, Customer, Wallet } from "../../db/generated/client.ts";
import { amendBlock } from "../../ledger/commands/amend-block.ts";
import { changeBlockExpiry } from "../../ledger/commands/change-block-expiry.ts";
import { debit } from "../../ledger/commands/debit.ts";
import { deposit, validDeposit } from "../../ledger/commands/deposit.ts";
import { ensureCustomerWallet } from "../../ledger/commands/ensure-customer-wallet.ts";
import { voidCredits } from "../../ledger/commands/void-credits.ts";
import { NotFoundError, ValidationError } from "../../ledger/errors.ts";
import { parseIsoDateTime } from "../../ledger/dates.ts";
import { currencyScale, decimalToMinorUnits } from "../../ledger/money.ts";
import { findCustomer, findCustomerById, getCreditBlocks, listCreditBlocks, listLedgerEntries, type EntryFilter } from "../../ledger/queries.ts";
import type { LedgerResult } from "../../ledger/wallet-ledger.ts";
import { exactDecimal, isJsonObject, JsonNumber, plainJson } from "../exact-json.ts";
import { jsonResponse, readBody } from "../json.ts";
import type { RestCall, RestRoute, VendorApi } from "../router.ts";
import { orbError, orbFailure } from "./errors.ts";
import { ORB_ENTRY_TYPES, ORB_VISIBLE_TYPES, orbBlock, orbEntry } from "./resources.ts";

function invalid(field: string, message: string): never {
  throw new ValidationError(`${field} ${message}`, [{ path: [field], message }]);
}

/**
 * An Orb amount, a JSON number read digit for digit (or a decimal string), in minor units at
 * `scale`: 10.5 EUR is 1050. More decimals than the scale holds is an error, never a rounding.
 */
function amountOf(body: Record<string, unknown>, field: string, scale: number, required: boolean): bigint | null {
  const value = body[field];
  if (value == null) return required ? invalid(field, "is required") : null;
  const decimal = typeof value === "string" ? value : exactDecimal(value);
  if (decimal === null) invalid(field, value instanceof JsonNumber ? "is out of range" : "must be a number");
  const amount = decimalToMinorUnits(decimal, scale, field);
  if (amount <= 0n) invalid(field, "must be greater than 0");
  return amount;
}

function dateOf(body: Record<string, unknown>, field: string): Date | null {
  const value = body[field];
  return value == null ? null : parseIsoDateTime(value, field);
}

/** Free-form metadata, kept as JSON (its numbers as JSON.parse reads them: it holds no amounts). */
function metadataOf(body: Record<string, unknown>): Record<string, unknown> | null {
  const value = body.metadata;
  if (value == null) return null;
  if (!isJsonObject(value)) invalid("metadata", "must be an object");
  return plainJson(value) as Record<string, unknown>;
}

function textOf(body: Record<string, unknown>, field: string): string | null {
  const value = body[field];
  if (value == null) return null;
  if (typeof value !== "string") invalid(field, "must be a string");
  return value;
}

async function customerOf(call: RestCall): Promise<Customer & { wallets: Wallet[] }> {
  const [byExternalId, byId] = call.url.pathname.includes("/external_customer_id/") ? [call.params[0]!, null] : [null, call.params[0]!];
  const customer = byExternalId ? await findCustomer(call.ledger, call.viewer, byExternalId) : await findCustomerById(call.ledger, call.viewer, byId!);
  if (!customer) throw new NotFoundError("Customer", call.params[0]!);
  return customer;
}

function creditWallet(customer: { wallets: Wallet[] }): Wallet | null {
  return customer.wallets.find((wallet) => wallet.status === "active") ?? null;
}

const ENTRY_TYPES = ["increment", "decrement", "void", "amendment", "expiration_change"];

async function createLedgerEntry(call: RestCall): Promise<Response> {
  const body = await readBody(call.request);
  const idempotencyKey = call.request.headers.get("idempotency-key");
  const entryType = body.entry_type;
  if (typeof entryType !== "string" || !ENTRY_TYPES.includes(entryType)) invalid("entry_type", `must be one of ${ENTRY_TYPES.join(", ")}`);
  const { viewer, ledger } = call;
  const metadata = metadataOf(body);
  const description = textOf(body, "description");

  if (entryType === "increment") {
    const currency = textOf(body, "currency") ?? "USD";
    const externalId = call.url.pathname.includes("/external_customer_id/") ? call.params[0]! : (await customerOf(call)).externalId;
    const existing = await findCustomer(ledger, viewer, externalId);
    const wallet = (existing && creditWallet(existing)) ?? null;
    if (wallet && wallet.currency !== currency && body.currency != null) invalid("currency", `must match the customer's currency ${wallet.currency}`);
    // A new wallet is kept at its currency's scale (EUR 2, JPY 0, a custom unit 0).
    const scale = wallet?.scale ?? currencyScale(currency);
    const credits = {
      amount: amountOf(body, "amount", scale, true)!,
      category: "granted",
      costBasis: textOf(body, "per_unit_cost_basis"),
      effectiveAt: dateOf(body, "effective_date"),
      expiresAt: dateOf(body, "expiry_date"),
      description,
      metadata,
      idempotencyKey,
    };
    validDeposit(credits);
    const target = wallet ?? (await ensureCustomerWallet(ledger, { scope: viewer, customer: { externalId }, currency }));
    const result = await deposit(ledger, { ...credits, category: credits.costBasis && credits.costBasis !== "0" ? "paid" : "granted", scope: viewer, walletId: target.id });
    return entryResponse(call, result, (await customerOf(call)));
  }

  const customer = await customerOf(call);
  const wallet = creditWallet(customer);
  if (!wallet) throw new NotFoundError("CreditBlock", "any: the customer has no credits");
  const blockId = textOf(body, "block_id");
  let result: LedgerResult;
  switch (entryType) {
    case "decrement":
      result = await debit(ledger, { scope: viewer, walletId: wallet.id, amount: amountOf(body, "amount", wallet.scale, true)!, description, metadata, idempotencyKey });
      break;
    case "void":
      if (!blockId) invalid("block_id", "is required for a void");
      result = await voidCredits(ledger, {
        scope: viewer,
        walletId: wallet.id,
        blockId,
        amount: amountOf(body, "amount", wallet.scale, false),
        reason: textOf(body, "void_reason"),
        description,
        metadata,
        idempotencyKey,
      });
      break;
    case "amendment":
      if (!blockId) invalid("block_id", "is required for an amendment");
      // The ledger checks that the block is this customer's wallet's: a block id of another
      // customer is not found, rather than amended in that customer's wallet.
      result = await amendBlock(ledger, { scope: viewer, walletId: wallet.id, blockId, amount: amountOf(body, "amount", wallet.scale, true)!, description, metadata, idempotencyKey });
      break;
    case "expiration_change": {
      const target = dateOf(body, "target_expiry_date") ?? invalid("target_expiry_date", "is required for an expiration change");
      const block = blockId ?? (await blockExpiringOn(call, wallet, dateOf(body, "expiry_date")));
      result = await changeBlockExpiry(ledger, {
        scope: viewer,
        walletId: wallet.id,
        blockId: block,
        expiresAt: target,
        amount: amountOf(body, "amount", wallet.scale, false),
        description,
        metadata,
        idempotencyKey,
      });
      const [out, into] = result.entries;
      return entryResponse(call, result, customer, { starting_balance_from: out, ending_balance_from: into, new_block_expiry_date: target.toISOString() });
    }
    default:
      invalid("entry_type", `must be one of ${ENTRY_TYPES.join(", ")}`);
  }
  return entryResponse(call, result, customer);
}

/** The block a caller names by its expiry date, as Orb allows when only one block has it. */
async function blockExpiringOn(call: RestCall, wallet: Wallet, expiry: Date | null): Promise<string> {
  if (!expiry) invalid("block_id", "or expiry_date is required");
  const blocks = (await listCreditBlocks(call.ledger, call.viewer, wallet.id, { status: "active", limit: 200 })).items.filter(
    (block) => block.expiresAt?.toISOString().slice(0, 10) === expiry.toISOString().slice(0, 10),
  );
  if (blocks.length !== 1) invalid("block_id", blocks.length === 0 ? "matches no block expiring on expiry_date" : "is required: several blocks expire on expiry_date");
  return blocks[0]!.id;
}

function entryResponse(
  call: RestCall,
  result: LedgerResult,
  customer: Customer,
  options: { starting_balance_from?: LedgerResult["entries"][number]; ending_balance_from?: LedgerResult["entries"][number]; new_block_expiry_date?: string } = {},
): Response {
  const blocks = new Map<string, CreditBlock>(result.blocks.map((block) => [block.id, block]));
  const entry = options.starting_balance_from ?? result.entries[result.entries.length - 1];
  if (!entry) return orbError(400, "400-constraint-violation", "Constraint violation", "the entry moved no credits");
  const overrides: Record<string, unknown> = {};
  if (options.ending_balance_from) {
    // An expiration change moves credits between blocks: the balance ends where it started.
    overrides.ending_balance = orbEntry(options.ending_balance_from, null, result.wallet, customer).ending_balance;
    overrides.new_block_expiry_date = options.new_block_expiry_date;
  }
  const resource = orbEntry(entry, entry.blockId ? (blocks.get(entry.blockId) ?? null) : null, result.wallet, customer, overrides);
  return jsonResponse(resource, result.replayed ? 200 : 201);
}

function pageLimit(url: URL): number {
  const raw = url.searchParams.get("limit");
  if (raw === null) return 20;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 100) invalid("limit", "must be an integer from 1 to 100");
  return Number(raw);
}

async function listBlocks(call: RestCall): Promise<Response> {
  const filter = { status: "active" as const, limit: pageLimit(call.url), after: call.url.searchParams.get("cursor") };
  const customer = await customerOf(call);
  const wallet = creditWallet(customer);
  if (!wallet) return jsonResponse({ data: [], pagination_metadata: { has_more: false, next_cursor: null } });
  const page = await listCreditBlocks(call.ledger, call.viewer, wallet.id, filter);
  return jsonResponse({
    data: page.items.map((block) => orbBlock(block, wallet)),
    pagination_metadata: { has_more: page.nextCursor !== null, next_cursor: page.nextCursor },
  });
}

const ENTRY_STATUSES: ReadonlySet<string> = new Set(["committed", "pending"]);

/** The ledger list's filters, all read (and refused when malformed) before anything is looked up. */
function entryFilter(url: URL): EntryFilter & { currency: string | null } {
  const { searchParams } = url;
  const entryType = searchParams.get("entry_type");
  const types = entryType === null ? ORB_VISIBLE_TYPES : ORB_ENTRY_TYPES.get(entryType);
  if (!types) invalid("entry_type", `must be one of ${[...ORB_ENTRY_TYPES.keys()].join(", ")}`);
  const status = searchParams.get("entry_status");
  if (status !== null && !ENTRY_STATUSES.has(status)) invalid("entry_status", "must be committed or pending");
  const createdAt = (bound: string) => {
    const field = `created_at[${bound}]`;
    return searchParams.has(field) ? (dateOf({ [field]: searchParams.get(field) }, field) ?? undefined) : undefined;
  };
  return {
    types,
    status: (status as EntryFilter["status"]) ?? undefined,
    createdFrom: createdAt("gte"),
    createdAfter: createdAt("gt"),
    createdBefore: createdAt("lt"),
    createdUntil: createdAt("lte"),
    limit: pageLimit(url),
    after: searchParams.get("cursor"),
    currency: searchParams.get("currency"),
  };
}

async function listEntries(call: RestCall): Promise<Response> {
  const { currency, ...filter } = entryFilter(call.url);
  const customer = await customerOf(call);
  const wallet = creditWallet(customer);
  if (!wallet || (currency !== null && currency !== wallet.currency)) return jsonResponse({ data: [], pagination_metadata: { has_more: false, next_cursor: null } });
  const page = await listLedgerEntries(call.ledger, call.viewer, wallet.id, filter);
  const blockIds = [...new Set(page.items.flatMap((entry) => (entry.blockId ? [entry.blockId] : [])))];
  const blocks = new Map((await getCreditBlocks(call.ledger, call.viewer, blockIds)).map((block) => [block.id, block]));
  return jsonResponse({
    data: page.items.map((entry) => orbEntry(entry, entry.blockId ? (blocks.get(entry.blockId) ?? null) : null, wallet, customer)),
    pagination_metadata: { has_more: page.nextCursor !== null, next_cursor: page.nextCursor },
  });
}

const CUSTOMER = "/customers/(?:external_customer_id/)?([^/]+)";
const routes: RestRoute[] = [
  { method: "POST", path: new RegExp(`^${CUSTOMER}/credits/ledger_entry$`), handle: createLedgerEntry },
  { method: "GET", path: new RegExp(`^${CUSTOMER}/credits$`), handle: listBlocks },
  { method: "GET", path: new RegExp(`^${CUSTOMER}/credits/ledger$`), handle: listEntries },
];

export const orbApi: VendorApi = {
  routes,
  unauthenticated: () => orbError(401, "401-authentication-error", "Authentication error", "a valid API key is required as Authorization: Bearer <key>"),
  failure: orbFailure,
};

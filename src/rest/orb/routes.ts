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
import { ValidationError } from "../../ledger/errors.ts";
import { NotFoundError } from "../../ledger/errors.ts";
import { currencyScale, decimalToMinorUnits } from "../../ledger/money.ts";
import { findCustomer, findCustomerById, getCreditBlocks, listCreditBlocks, listLedgerEntries } from "../../ledger/queries.ts";
import type { LedgerResult } from "../../ledger/wallet-ledger.ts";
import { jsonResponse, readBody } from "../json.ts";
import type { RestCall, RestRoute, VendorApi } from "../router.ts";
import { orbError, orbFailure } from "./errors.ts";
import { ORB_ENTRY_TYPES, ORB_VISIBLE_TYPES, orbBlock, orbEntry } from "./resources.ts";

function invalid(field: string, message: string): never {
  throw new ValidationError(`${field} ${message}`, [{ path: [field], message }]);
}

/** An Orb amount (a JSON number or decimal string of credits) in the wallet's minor units. */
function amountOf(body: Record<string, unknown>, field: string, wallet: { scale: number }, required: boolean): bigint | null {
  const value = body[field];
  if (value == null) return required ? invalid(field, "is required") : null;
  if (typeof value !== "number" && typeof value !== "string") invalid(field, "must be a number");
  const amount = decimalToMinorUnits(String(value), wallet.scale, field);
  if (amount <= 0n) invalid(field, "must be greater than 0");
  return amount;
}

function dateOf(body: Record<string, unknown>, field: string): Date | null {
  const value = body[field];
  if (value == null) return null;
  const date = typeof value === "string" && /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) invalid(field, "must be an ISO 8601 date");
  return date;
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
  const metadata = body.metadata == null ? null : (body.metadata as Record<string, unknown>);
  const description = textOf(body, "description");

  if (entryType === "increment") {
    const currency = textOf(body, "currency") ?? "USD";
    const externalId = call.url.pathname.includes("/external_customer_id/") ? call.params[0]! : (await customerOf(call)).externalId;
    const existing = await findCustomer(ledger, viewer, externalId);
    const wallet = (existing && creditWallet(existing)) ?? null;
    if (wallet && wallet.currency !== currency && body.currency != null) invalid("currency", `must match the customer's currency ${wallet.currency}`);
    const scale = wallet?.scale ?? currencyScale(currency);
    const credits = {
      amount: amountOf(body, "amount", { scale: scale ?? 0 }, true)!,
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
      result = await debit(ledger, { scope: viewer, walletId: wallet.id, amount: amountOf(body, "amount", wallet, true)!, description, metadata, idempotencyKey });
      break;
    case "void":
      if (!blockId) invalid("block_id", "is required for a void");
      result = await voidCredits(ledger, {
        scope: viewer,
        walletId: wallet.id,
        blockId,
        amount: amountOf(body, "amount", wallet, false),
        reason: textOf(body, "void_reason"),
        description,
        metadata,
        idempotencyKey,
      });
      break;
    case "amendment":
      if (!blockId) invalid("block_id", "is required for an amendment");
      result = await amendBlock(ledger, { scope: viewer, blockId, amount: amountOf(body, "amount", wallet, true)!, description, metadata, idempotencyKey });
      break;
    case "expiration_change": {
      const target = dateOf(body, "target_expiry_date") ?? invalid("target_expiry_date", "is required for an expiration change");
      const block = blockId ?? (await blockExpiringOn(call, wallet, dateOf(body, "expiry_date")));
      result = await changeBlockExpiry(ledger, { scope: viewer, blockId: block, expiresAt: target, amount: amountOf(body, "amount", wallet, false), description, metadata, idempotencyKey });
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
  const customer = await customerOf(call);
  const wallet = creditWallet(customer);
  if (!wallet) return jsonResponse({ data: [], pagination_metadata: { has_more: false, next_cursor: null } });
  const page = await listCreditBlocks(call.ledger, call.viewer, wallet.id, { status: "active", limit: pageLimit(call.url), after: call.url.searchParams.get("cursor") });
  return jsonResponse({
    data: page.items.map((block) => orbBlock(block, wallet)),
    pagination_metadata: { has_more: page.nextCursor !== null, next_cursor: page.nextCursor },
  });
}

async function listEntries(call: RestCall): Promise<Response> {
  const customer = await customerOf(call);
  const wallet = creditWallet(customer);
  if (!wallet) return jsonResponse({ data: [], pagination_metadata: { has_more: false, next_cursor: null } });
  const { searchParams } = call.url;
  const entryType = searchParams.get("entry_type");
  if (entryType && !ORB_ENTRY_TYPES[entryType]) invalid("entry_type", "is not a ledger entry type");
  const createdFrom = searchParams.get("created_at[gte]") ?? searchParams.get("created_at[gt]");
  const createdBefore = searchParams.get("created_at[lt]") ?? searchParams.get("created_at[lte]");
  const page = await listLedgerEntries(call.ledger, call.viewer, wallet.id, {
    types: entryType ? ORB_ENTRY_TYPES[entryType] : ORB_VISIBLE_TYPES,
    createdFrom: createdFrom ? (dateOf({ createdFrom }, "createdFrom") ?? undefined) : undefined,
    createdBefore: createdBefore ? (dateOf({ createdBefore }, "createdBefore") ?? undefined) : undefined,
    limit: pageLimit(call.url),
    after: searchParams.get("cursor"),
  });
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

// Commerce billing wallets (commerce-billing-wallets-api.txt, REFERENCE.md): wallets of credits
// priced at `rate_amount`, their top-ups and voids as wallet transactions.
import { parseIsoDateTime } from "../../ledger/dates.ts";
import type { Wallet } from "../../db/generated/client.ts";
import { walletBalance } from "../../ledger/balances.ts";
import { deposit } from "../../ledger/commands/deposit.ts";
import { terminateWallet } from "../../ledger/commands/terminate-wallet.ts";
import { voidCredits } from "../../ledger/commands/void-credits.ts";
import type { LedgerContext, Scope } from "../../ledger/context.ts";
import { NotFoundError, ValidationError } from "../../ledger/errors.ts";
import { decimalToMinorUnits, isoMinorUnit } from "../../ledger/money.ts";
import { getOperationResult, getWallet, listOperations, listWallets } from "../../ledger/queries.ts";
import type { LedgerResult } from "../../ledger/wallet-ledger.ts";
import { isJsonObject, plainJson } from "../exact-json.ts";
import { jsonResponse, readBody } from "../json.ts";
import type { RestCall, VendorApi } from "../router.ts";
import { openFundedWallet, updateWalletSettings } from "../../payments/wallet-settings.ts";
import { commerceError, commerceFailure } from "./errors.ts";
import { autoTopUpOfRules } from "./rules.ts";
import { CREDIT_SCALE, CREDIT_UNIT, pricingOf, settingsOf, transactionResource, walletResource, type CommerceSettings } from "./resources.ts";

function invalid(field: string, message: string): never {
  throw new ValidationError(`${field} ${message}`, [{ path: [field], message }]);
}

function creditsOf(body: Record<string, unknown>, field: string): bigint | null {
  const value = body[field];
  if (value == null) return null;
  if (typeof value !== "string") invalid(field, "must be a decimal string");
  const amount = decimalToMinorUnits(value, CREDIT_SCALE, field);
  if (amount <= 0n) invalid(field, "must be a positive value");
  return amount;
}

function dateOf(body: Record<string, unknown>, field: string): string | null {
  const value = body[field];
  return value == null ? null : parseIsoDateTime(value, field).toISOString();
}

/** `applies_to` as given (`{ fee_types: [...] }`), kept as JSON with the wallet's settings. */
function appliesToOf(body: Record<string, unknown>): unknown {
  const value = body.applies_to;
  if (value == null) return null;
  if (!isJsonObject(value)) invalid("applies_to", "must be an object");
  return plainJson(value);
}

/** `[{ key, value }]` as documented, kept as an object on the ledger's entries. */
function metadataOf(body: Record<string, unknown>): Record<string, string> | null {
  const value = body.metadata;
  if (value == null) return null;
  if (!Array.isArray(value) || value.some((item) => typeof item?.key !== "string" || typeof item?.value !== "string")) invalid("metadata", "must be an array of { key, value } strings");
  return Object.fromEntries((value as { key: string; value: string }[]).map((item) => [item.key, item.value]));
}

async function commerceWallet(ledger: LedgerContext, scope: Scope, walletId: string) {
  const wallet = await getWallet(ledger, scope, walletId);
  if (wallet.currency !== CREDIT_UNIT) throw new NotFoundError("Wallet", walletId);
  return wallet;
}

async function respondWithWallet(ledger: LedgerContext, scope: Scope, walletId: string, status = 200): Promise<Response> {
  const wallet = await commerceWallet(ledger, scope, walletId);
  return jsonResponse(walletResource(wallet, await walletBalance(ledger, scope, wallet.id)), status);
}

/** The deposits paid and/or granted credits make: paid ones cost the wallet's rate, granted none. */
function creditDeposits(settings: CommerceSettings, body: Record<string, unknown>) {
  const paid = creditsOf(body, "paid_credits");
  const granted = creditsOf(body, "granted_credits");
  const metadata = metadataOf(body);
  const expiresAt = settings.expiration_at ? new Date(settings.expiration_at) : null;
  return (
    [
      ["paid", paid],
      ["granted", granted],
    ] as const
  ).flatMap(([kind, amount]) => (amount === null ? [] : [{ amount, category: kind, costBasis: kind === "paid" ? pricingOf(settings).unitPrice : "0", expiresAt, metadata }]));
}

/** Tops up paid and/or granted credits; each kind is its own transaction, as documented. */
async function topUp(ledger: LedgerContext, scope: Scope, wallet: Wallet, body: Record<string, unknown>, idempotencyKey: string | null): Promise<LedgerResult[]> {
  const deposits = creditDeposits(settingsOf(wallet), body);
  if (deposits.length === 0) invalid("paid_credits", "or granted_credits is required");
  const results: LedgerResult[] = [];
  for (const credits of deposits) {
    results.push(await deposit(ledger, { ...credits, scope, walletId: wallet.id, idempotencyKey: idempotencyKey ? `${idempotencyKey}:${credits.category}` : null }));
  }
  return results;
}

async function createCommerceWallet({ request, ledger, viewer }: RestCall): Promise<Response> {
  const body = await readBody(request);
  const externalId = body.external_customer_id;
  if (typeof externalId !== "string" || externalId === "") invalid("external_customer_id", "is required");
  const currency = body.currency;
  if (typeof currency !== "string" || isoMinorUnit(currency) === null) invalid("currency", "must be a 3-letter ISO 4217 code");
  const rate = body.rate_amount;
  if (typeof rate !== "string" || !/^\d+(\.\d+)?$/.test(rate) || Number(rate) <= 0) invalid("rate_amount", "must be a positive decimal string");
  if (body.name != null && typeof body.name !== "string") invalid("name", "must be a string");
  creditsOf(body, "paid_credits");
  creditsOf(body, "granted_credits");
  metadataOf(body);
  const commerce: CommerceSettings = {
    currency_code: currency,
    rate_amount: rate,
    applies_to: appliesToOf(body),
    recurring_transaction_rules: (plainJson(body.recurring_transaction_rules) as unknown[] | undefined) ?? [],
    expiration_at: dateOf(body, "expiration_at"),
  };
  const autoTopUp = autoTopUpOfRules(commerce.recurring_transaction_rules, commerce);
  const idempotencyKey = request.headers.get("idempotency-key") ?? request.headers.get("paypal-request-id");
  // One command: the wallet, its credits and its rule, all or nothing, under one key.
  const opened = await openFundedWallet(ledger, {
    scope: viewer,
    customer: { externalId },
    customUnit: { code: CREDIT_UNIT, scale: CREDIT_SCALE },
    name: (body.name as string | undefined) ?? null,
    metadata: { commerce },
    deposits: creditDeposits(commerce, body),
    autoTopUp,
    idempotencyKey: idempotencyKey ? `commerce-wallet:${idempotencyKey}` : null,
  });
  return jsonResponse(walletResource({ ...opened.wallet, customer: opened.customer }, opened.balance), 201);
}

function pageOf(url: URL): { page: number; perPage: number } {
  const page = url.searchParams.get("page") ?? "1";
  const perPage = url.searchParams.get("per_page") ?? "20";
  // How far a page may lie is the ledger's to say (MAX_OFFSET rows); here only its form.
  if (!/^\d+$/.test(page) || !Number.isSafeInteger(Number(page)) || Number(page) < 1) invalid("page", "must be a positive integer");
  if (!/^\d+$/.test(perPage) || Number(perPage) < 1 || Number(perPage) > 100) invalid("per_page", "must be an integer from 1 to 100");
  return { page: Number(page), perPage: Number(perPage) };
}

function meta(total: number, page: number, perPage: number) {
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  return { total_count: total, total_pages: totalPages, current_page: page, next_page: page < totalPages ? page + 1 : null, prev_page: page > 1 ? page - 1 : null };
}

const WALLET_STATUSES: ReadonlyMap<string, Wallet["status"]> = new Map([
  ["ACTIVE", "active"],
  ["TERMINATED", "terminated"],
]);

async function listCommerceWallets({ url, ledger, viewer }: RestCall): Promise<Response> {
  const { page, perPage } = pageOf(url);
  const statusParameter = url.searchParams.get("status");
  const status = statusParameter === null ? null : WALLET_STATUSES.get(statusParameter);
  if (status === undefined) invalid("status", "must be ACTIVE or TERMINATED");
  const { items, total } = await listWallets(ledger, viewer, {
    currency: CREDIT_UNIT,
    customerExternalId: url.searchParams.get("external_customer_id"),
    status,
    page,
    perPage,
  });
  const wallets = await Promise.all(items.map(async (wallet) => walletResource(wallet, await walletBalance(ledger, viewer, wallet.id))));
  return jsonResponse({ wallets, meta: meta(total, page, perPage) });
}

async function updateCommerceWallet({ request, ledger, viewer, params }: RestCall): Promise<Response> {
  const wallet = await commerceWallet(ledger, viewer, params[0]!);
  const body = await readBody(request);
  const settings = settingsOf(wallet);
  const commerce: CommerceSettings = {
    ...settings,
    ...(Object.hasOwn(body, "expiration_at") ? { expiration_at: dateOf(body, "expiration_at") } : {}),
    ...(Object.hasOwn(body, "applies_to") ? { applies_to: appliesToOf(body) } : {}),
    ...(Object.hasOwn(body, "recurring_transaction_rules") ? { recurring_transaction_rules: plainJson(body.recurring_transaction_rules) as unknown[] } : {}),
  };
  // The rule's credits expire with the wallet's: a new expiration_at sets the rule again too.
  const ruleChanged = Object.hasOwn(body, "recurring_transaction_rules") || commerce.expiration_at !== settings.expiration_at;
  const autoTopUp = ruleChanged ? autoTopUpOfRules(commerce.recurring_transaction_rules, commerce) : undefined;
  if (body.name != null && typeof body.name !== "string") invalid("name", "must be a string");
  const name = (body.name as string | undefined) ?? undefined;
  const result = await updateWalletSettings(ledger, { scope: viewer, walletId: wallet.id, name, metadata: { commerce }, autoTopUp });
  return jsonResponse(walletResource({ ...result.wallet, customer: wallet.customer }, result.balance!));
}

async function terminateCommerceWallet({ ledger, viewer, params }: RestCall): Promise<Response> {
  const wallet = await commerceWallet(ledger, viewer, params[0]!);
  const result = await terminateWallet(ledger, { scope: viewer, walletId: wallet.id, reason: "terminated through the commerce billing API" });
  return jsonResponse(walletResource({ ...result.wallet, customer: wallet.customer }, result.balance!));
}

async function createTransactions({ request, ledger, viewer, params }: RestCall): Promise<Response> {
  const wallet = await commerceWallet(ledger, viewer, params[0]!);
  const body = await readBody(request);
  const idempotencyKey = request.headers.get("idempotency-key") ?? request.headers.get("paypal-request-id");
  let results: LedgerResult[];
  if (body.type === "TOPUP") {
    results = await topUp(ledger, viewer, wallet, body, idempotencyKey);
  } else if (body.type === "VOID") {
    const amount = creditsOf(body, "credits_to_void") ?? invalid("credits_to_void", "is required");
    results = [await voidCredits(ledger, { scope: viewer, walletId: wallet.id, amount, metadata: metadataOf(body), idempotencyKey })];
  } else {
    return invalid("type", "must be TOPUP or VOID");
  }
  return jsonResponse({
    wallet_transactions: results.map((result) => transactionResource({ ...result.operation, ledgerEntries: result.entries }, wallet, result.blocks[0]?.category ?? null)),
  });
}

const TRANSACTION_TYPES = ["deposit", "void", "debit"] as const;

async function listTransactions({ url, ledger, viewer, params }: RestCall): Promise<Response> {
  const wallet = await commerceWallet(ledger, viewer, params[0]!);
  const { page, perPage } = pageOf(url);
  const { items, total } = await listOperations(ledger, viewer, wallet.id, { types: [...TRANSACTION_TYPES], page, perPage });
  const transactions = items.map((operation) => transactionResource(operation, wallet, operation.creditBlocks[0]?.category ?? null));
  return jsonResponse({ wallet_transactions: transactions, meta: meta(total, page, perPage) });
}

async function getTransaction({ ledger, viewer, params }: RestCall): Promise<Response> {
  const result = await getOperationResult(ledger, viewer, params[0]!).catch((error: unknown) => {
    if (error instanceof NotFoundError) return null;
    throw error;
  });
  if (!result || result.wallet.currency !== CREDIT_UNIT || !(TRANSACTION_TYPES as readonly string[]).includes(result.operation.type)) {
    throw new NotFoundError("WalletTransaction", params[0]!);
  }
  return jsonResponse({ wallet_transactions: [transactionResource({ ...result.operation, ledgerEntries: result.entries }, result.wallet, result.blocks[0]?.category ?? null)] });
}

export const commerceApi: VendorApi = {
  routes: [
    { method: "POST", path: /^\/v1\/commerce\/billing\/wallets$/, handle: createCommerceWallet },
    { method: "GET", path: /^\/v1\/commerce\/billing\/wallets$/, handle: listCommerceWallets },
    { method: "GET", path: /^\/v1\/commerce\/billing\/wallets\/([^/]+)$/, handle: ({ ledger, viewer, params }) => respondWithWallet(ledger, viewer, params[0]!) },
    { method: "PUT", path: /^\/v1\/commerce\/billing\/wallets\/([^/]+)$/, handle: updateCommerceWallet },
    { method: "DELETE", path: /^\/v1\/commerce\/billing\/wallets\/([^/]+)$/, handle: terminateCommerceWallet },
    { method: "POST", path: /^\/v1\/commerce\/billing\/wallets\/([^/]+)\/wallet-transactions$/, handle: createTransactions },
    { method: "GET", path: /^\/v1\/commerce\/billing\/wallets\/([^/]+)\/wallet-transactions$/, handle: listTransactions },
    { method: "GET", path: /^\/v1\/commerce\/billing\/wallet-transactions\/([^/]+)$/, handle: getTransaction },
  ],
  unauthenticated: () => commerceError(401, "NOT_AUTHORIZED", "Authorization failed due to insufficient permissions.", [{ issue: "INVALID_ACCESS_TOKEN", description: "a valid Bearer token is required" }]),
  failure: commerceFailure,
};

// Commerce billing wallets (commerce-billing-wallets-api.txt, REFERENCE.md): wallets of credits
// priced at `rate_amount`, their top-ups and voids as wallet transactions.
import {
  type Wallet,
  walletBalance,
  deposit,
  terminateWallet,
  voidCredits,
  type LedgerContext,
  type Scope,
  NotFoundError,
  getOperationResult,
  getWallet,
  listOperations,
  listWallets,
  type LedgerResult,
} from "../../ledger/index.ts";
import { invalid } from "../fields.ts";
import { jsonResponse } from "../json.ts";
import { requestBody, restRoute, type RestCall, type VendorApi } from "../router.ts";
import type { Read } from "../schema.ts";
import { shortfallInMajorUnits } from "../shortfall.ts";
import { openFundedWallet, updateWalletSettings } from "../../payments/wallet-settings.ts";
import { featureKeysOf } from "./applies-to.ts";
import { commerceError, commerceFailure } from "./errors.ts";
import { autoTopUpOfRules } from "./rules.ts";
import {
  CREDIT_SCALE,
  CREDIT_UNIT,
  pricingOf,
  settingsOf,
  transactionResource,
  walletResource,
  type CommerceSettings,
} from "./resources.ts";
import {
  commerceAnswers,
  CommerceWallet,
  createWalletFields,
  TransactionList,
  transactionFields,
  transactionListQuery,
  Transactions,
  updateWalletFields,
  WalletList,
  walletListQuery,
} from "./schemas.ts";

async function commerceWallet(ledger: LedgerContext, scope: Scope, walletId: string) {
  const wallet = await getWallet(ledger, scope, walletId);
  if (wallet.currency !== CREDIT_UNIT) throw new NotFoundError("Wallet", walletId);
  return wallet;
}

async function respondWithWallet(ledger: LedgerContext, scope: Scope, walletId: string, status = 200): Promise<Response> {
  const wallet = await commerceWallet(ledger, scope, walletId);
  return jsonResponse(walletResource(wallet, await walletBalance(ledger, scope, wallet.id)), status);
}

interface TopUpCredits {
  paid_credits: bigint | null;
  granted_credits: bigint | null;
  metadata: Record<string, string> | null;
}

/** The deposits paid and/or granted credits make: paid ones cost the wallet's rate, granted none. */
function creditDeposits(settings: CommerceSettings, { paid_credits: paid, granted_credits: granted, metadata }: TopUpCredits) {
  const expiresAt = settings.expiration_at ? new Date(settings.expiration_at) : null;
  return (
    [
      ["paid", paid],
      ["granted", granted],
    ] as const
  ).flatMap(([kind, amount]) =>
    amount === null
      ? []
      : [{ amount, category: kind, costBasis: kind === "paid" ? pricingOf(settings).unitPrice : "0", expiresAt, metadata }],
  );
}

/** Tops up paid and/or granted credits; each kind is its own transaction, as documented. */
async function topUp(
  ledger: LedgerContext,
  scope: Scope,
  wallet: Wallet,
  body: TopUpCredits,
  idempotencyKey: string | null,
): Promise<LedgerResult[]> {
  const deposits = creditDeposits(settingsOf(wallet), body);
  if (deposits.length === 0) invalid("paid_credits", "or granted_credits is required");
  const results: LedgerResult[] = [];
  for (const credits of deposits) {
    results.push(
      await deposit(ledger, {
        ...credits,
        scope,
        walletId: wallet.id,
        idempotencyKey: idempotencyKey ? `${idempotencyKey}:${credits.category}` : null,
      }),
    );
  }
  return results;
}

async function createCommerceWallet(
  { request, ledger, viewer, payments }: RestCall,
  body: Read<typeof createWalletFields>,
): Promise<Response> {
  const externalId = body.external_customer_id;
  const commerce: CommerceSettings = {
    currency_code: body.currency,
    rate_amount: body.rate_amount,
    applies_to: body.applies_to,
    recurring_transaction_rules: (body.recurring_transaction_rules as unknown[] | undefined) ?? [],
    expiration_at: body.expiration_at?.toISOString() ?? null,
  };
  const autoTopUp = autoTopUpOfRules(commerce.recurring_transaction_rules, commerce);
  const idempotencyKey = request.headers.get("idempotency-key") ?? request.headers.get("paypal-request-id");
  // One command: the wallet, its credits and its rule, all or nothing, under one key.
  const opened = await openFundedWallet(
    { ledger, payments },
    {
      scope: viewer,
      customer: { externalId },
      customUnit: { code: CREDIT_UNIT, scale: CREDIT_SCALE },
      name: body.name,
      metadata: { commerce },
      // The wallet's credits pay only for what applies_to names: every block takes these keys.
      defaultAppliesTo: featureKeysOf(commerce.applies_to),
      deposits: creditDeposits(commerce, body),
      autoTopUp,
      idempotencyKey: idempotencyKey ? `commerce-wallet:${idempotencyKey}` : null,
    },
  );
  return jsonResponse(walletResource({ ...opened.wallet, customer: opened.customer }, opened.balance), 201);
}

function meta(total: number, page: number, perPage: number) {
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  return {
    total_count: total,
    total_pages: totalPages,
    current_page: page,
    next_page: page < totalPages ? page + 1 : null,
    prev_page: page > 1 ? page - 1 : null,
  };
}

const WALLET_STATUSES: ReadonlyMap<string, Wallet["status"]> = new Map([
  ["ACTIVE", "active"],
  ["TERMINATED", "terminated"],
]);

async function listCommerceWallets({ ledger, viewer }: RestCall, query: Read<typeof walletListQuery>): Promise<Response> {
  const { page, per_page: perPage } = query;
  const { items, total } = await listWallets(ledger, viewer, {
    currency: CREDIT_UNIT,
    customerExternalId: query.external_customer_id,
    status: query.status === null ? null : WALLET_STATUSES.get(query.status)!,
    page,
    perPage,
  });
  const wallets = await Promise.all(items.map(async (wallet) => walletResource(wallet, await walletBalance(ledger, viewer, wallet.id))));
  return jsonResponse({ wallets, meta: meta(total, page, perPage) });
}

async function updateCommerceWallet(
  { ledger, viewer, params, payments }: RestCall,
  body: Read<typeof updateWalletFields>,
): Promise<Response> {
  const wallet = await commerceWallet(ledger, viewer, params[0]!);
  const settings = settingsOf(wallet);
  const commerce: CommerceSettings = {
    ...settings,
    ...(body.expiration_at !== undefined ? { expiration_at: body.expiration_at?.toISOString() ?? null } : {}),
    ...(body.applies_to !== undefined ? { applies_to: body.applies_to } : {}),
    ...(body.recurring_transaction_rules !== undefined
      ? { recurring_transaction_rules: body.recurring_transaction_rules as unknown[] }
      : {}),
  };
  // The rule's credits expire with the wallet's: a new expiration_at sets the rule again too.
  const ruleChanged = body.recurring_transaction_rules !== undefined || commerce.expiration_at !== settings.expiration_at;
  const autoTopUp = ruleChanged ? autoTopUpOfRules(commerce.recurring_transaction_rules, commerce) : undefined;
  const result = await updateWalletSettings(
    { ledger, payments },
    {
      scope: viewer,
      walletId: wallet.id,
      name: body.name ?? undefined,
      metadata: { commerce },
      // Credits added from now on pay for what applies_to names; those already given keep their scope.
      defaultAppliesTo: body.applies_to !== undefined ? featureKeysOf(body.applies_to) : undefined,
      autoTopUp,
    },
  );
  return jsonResponse(walletResource({ ...result.wallet, customer: wallet.customer }, result.balance!));
}

async function terminateCommerceWallet({ ledger, viewer, params }: RestCall): Promise<Response> {
  const wallet = await commerceWallet(ledger, viewer, params[0]!);
  const result = await terminateWallet(ledger, {
    scope: viewer,
    walletId: wallet.id,
    reason: "terminated through the commerce billing API",
  });
  return jsonResponse(walletResource({ ...result.wallet, customer: wallet.customer }, result.balance!));
}

async function createTransactions({ request, ledger, viewer, params }: RestCall, body: Read<typeof transactionFields>): Promise<Response> {
  const wallet = await commerceWallet(ledger, viewer, params[0]!);
  const idempotencyKey = request.headers.get("idempotency-key") ?? request.headers.get("paypal-request-id");
  let results: LedgerResult[];
  if (body.type === "TOPUP") {
    results = await topUp(ledger, viewer, wallet, body, idempotencyKey);
  } else {
    const amount = body.credits_to_void ?? invalid("credits_to_void", "is required");
    const voided = () => voidCredits(ledger, { scope: viewer, walletId: wallet.id, amount, metadata: body.metadata, idempotencyKey });
    results = [await shortfallInMajorUnits(wallet, voided, "credits")];
  }
  return jsonResponse({
    wallet_transactions: results.map((result) =>
      transactionResource({ ...result.operation, ledgerEntries: result.entries }, wallet, result.blocks[0]?.category ?? null),
    ),
  });
}

const TRANSACTION_TYPES = ["deposit", "void", "debit"] as const;

async function listTransactions(
  { ledger, viewer, params }: RestCall,
  { page, per_page: perPage }: Read<typeof transactionListQuery>,
): Promise<Response> {
  const wallet = await commerceWallet(ledger, viewer, params[0]!);
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
  return jsonResponse({
    wallet_transactions: [
      transactionResource({ ...result.operation, ledgerEntries: result.entries }, result.wallet, result.blocks[0]?.category ?? null),
    ],
  });
}

const WALLETS = "/v1/commerce/billing/wallets";

export const commerceApi: VendorApi = {
  routes: [
    restRoute({
      method: "POST",
      path: WALLETS,
      summary: "Create a wallet",
      body: requestBody(createWalletFields),
      responses: commerceAnswers("201", CommerceWallet),
      handle: (call, { body }) => createCommerceWallet(call, body),
    }),
    restRoute({
      method: "GET",
      path: WALLETS,
      summary: "List wallets",
      query: walletListQuery,
      responses: commerceAnswers("200", WalletList),
      handle: (call, { query }) => listCommerceWallets(call, query),
    }),
    restRoute({
      method: "GET",
      path: `${WALLETS}/{wallet_id}`,
      summary: "Wallet details",
      responses: commerceAnswers("200", CommerceWallet),
      handle: ({ ledger, viewer, params }) => respondWithWallet(ledger, viewer, params[0]!),
    }),
    restRoute({
      method: "PUT",
      path: `${WALLETS}/{wallet_id}`,
      summary: "Update a wallet",
      body: requestBody(updateWalletFields),
      responses: commerceAnswers("200", CommerceWallet),
      handle: (call, { body }) => updateCommerceWallet(call, body),
    }),
    restRoute({
      method: "DELETE",
      path: `${WALLETS}/{wallet_id}`,
      summary: "Terminate a wallet",
      responses: commerceAnswers("200", CommerceWallet),
      handle: terminateCommerceWallet,
    }),
    restRoute({
      method: "POST",
      path: `${WALLETS}/{wallet_id}/wallet-transactions`,
      summary: "Top up or void credits",
      body: requestBody(transactionFields),
      responses: commerceAnswers("200", Transactions),
      handle: (call, { body }) => createTransactions(call, body),
    }),
    restRoute({
      method: "GET",
      path: `${WALLETS}/{wallet_id}/wallet-transactions`,
      summary: "Transaction history",
      query: transactionListQuery,
      responses: commerceAnswers("200", TransactionList),
      handle: (call, { query }) => listTransactions(call, query),
    }),
    restRoute({
      method: "GET",
      path: "/v1/commerce/billing/wallet-transactions/{id}",
      summary: "One wallet transaction",
      responses: commerceAnswers("200", Transactions),
      handle: getTransaction,
    }),
  ],
  unauthenticated: () =>
    commerceError(401, "NOT_AUTHORIZED", "Authorization failed due to insufficient permissions.", [
      { issue: "INVALID_ACCESS_TOKEN", description: "a valid Bearer token is required" },
    ]),
  failure: commerceFailure,
};

// The customer deposit API (customer-deposit-api.txt, REFERENCE.md): deposits to customers,
// balances per credit type, and staged deduction (freeze → consume or unfreeze; or deduct).
// A customer's credits live in one wallet of the unit CREDITS (scale 0); each deposit is a block
// (the "credit account"), its credit_type the block's category.
import {
  type CreditBlock,
  type LedgerEntry,
  walletBalance,
  debit,
  deposit,
  validDeposit,
  validCustomer,
  ensureCustomerWallet,
  holdCredits,
  captureHold,
  releaseHold,
  type LedgerContext,
  type Scope,
  IdempotencyConflictError,
  InsufficientCreditsError,
  NotFoundError,
  findCustomer,
  findCustomerWallet,
  findOperationByIdempotencyKey,
  type LedgerResult,
} from "../../ledger/index.ts";
import { jsonResponse } from "../json.ts";
import { requestBody, restRoute, type RestCall, type VendorApi } from "../router.ts";
import type { Read } from "../schema.ts";
import { CustomerNotFoundError, velobaseError, velobaseFailure } from "./errors.ts";
import {
  ConsumeResponse,
  consumeFields,
  CustomerBalance,
  DeductResponse,
  depositAnswers,
  depositFields,
  DepositResponse,
  FreezeResponse,
  spendingFields,
  unfreezeFields,
  UnfreezeResponse,
} from "./schemas.ts";

export const CREDIT_UNIT = "CREDITS";

async function depositToCustomer({ request, ledger, viewer }: RestCall, body: Read<typeof depositFields>): Promise<Response> {
  const customerId = body.customer_id;
  const amount = body.amount;
  const credits = {
    amount,
    category: body.credit_type ?? "default",
    effectiveAt: body.starts_at,
    expiresAt: body.expires_at,
    description: body.description,
    idempotencyKey: body.idempotency_key ?? request.headers.get("idempotency-key"),
  };
  const customer = { externalId: customerId, name: body.name, email: body.email, metadata: body.metadata };
  // Bad input must create nothing, not even the customer.
  validDeposit(credits);
  validCustomer(customer);
  const wallet = await ensureCustomerWallet(ledger, { scope: viewer, customer, customUnit: { code: CREDIT_UNIT, scale: 0 } });
  const result = await deposit(ledger, { ...credits, scope: viewer, walletId: wallet.id });
  const block = result.blocks[0]!;
  return jsonResponse({
    customer_id: customerId,
    account_id: block.id,
    credit_type: block.category,
    total_amount: block.amount,
    added_amount: amount,
    starts_at: block.effectiveAt.toISOString(),
    expires_at: block.expiresAt?.toISOString() ?? null,
    record_id: result.entries[result.entries.length - 1]?.id ?? result.operation.id,
    is_idempotent_replay: result.replayed,
  });
}

/** The customer's credits wallet, in one query; CustomerNotFoundError without one. */
async function customerWallet(ledger: LedgerContext, scope: Scope, customerId: string) {
  const wallet = await findCustomerWallet(ledger, scope, customerId, CREDIT_UNIT);
  if (!wallet) throw new CustomerNotFoundError("Customer", customerId);
  return wallet;
}

async function getCustomer({ ledger, viewer, params }: RestCall): Promise<Response> {
  const customer = await findCustomer(ledger, viewer, params[0]!);
  if (!customer) throw new CustomerNotFoundError("Customer", params[0]!);
  const wallet = customer.wallets.find((candidate) => candidate.currency === CREDIT_UNIT);
  const balance = wallet ? await walletBalance(ledger, viewer, wallet.id) : null;
  return jsonResponse({
    id: customer.externalId,
    name: customer.name,
    email: customer.email,
    balance: { total: balance?.total ?? 0n, used: balance?.used ?? 0n, frozen: balance?.frozen ?? 0n, available: balance?.available ?? 0n },
    accounts: (balance?.blocks ?? [])
      .filter((account) => account.active)
      .map((account) => ({
        account_id: account.block.id,
        account_type: "CREDIT",
        credit_type: account.block.category,
        total: account.total,
        used: account.used,
        frozen: account.frozen,
        available: account.available,
        starts_at: account.block.effectiveAt.toISOString(),
        expires_at: account.block.expiresAt?.toISOString() ?? null,
      })),
    metadata: customer.metadata,
    created_at: customer.createdAt.toISOString(),
  });
}

/** Per-account amounts of a staged-deduction step, from its entries of one type. */
function details(result: LedgerResult, type: LedgerEntry["type"]) {
  const blocks = new Map<string, CreditBlock>(result.blocks.map((block) => [block.id, block]));
  return result.entries
    .filter((entry) => entry.type === type && entry.blockId)
    .map((entry) => ({ account_id: entry.blockId!, credit_type: blocks.get(entry.blockId!)?.category ?? null, amount: -entry.amount }));
}

function businessMetadata(businessType: string | null) {
  return businessType ? { business_type: businessType } : null;
}

/** A shortfall within the credit_types asked for says so, as the API documents. */
async function explainingCreditTypes(creditTypes: string[] | null, spend: () => Promise<Response>): Promise<Response> {
  try {
    return await spend();
  } catch (error) {
    if (error instanceof InsufficientCreditsError && creditTypes?.length) {
      return velobaseError(400, "bad_request", "insufficient_balance", "insufficient balance in selected credit_types");
    }
    throw error;
  }
}

/**
 * The key of the one freeze or deduction a transaction_id names in a tenant (and mode). Freeze and
 * deduct share it, so a second use with another verb, amount or customer is an idempotency
 * conflict (409 transaction_conflict) and an identical one replays the original, even when two
 * such requests race: the key is unique in the database.
 */
function transactionKey(transactionId: string): string {
  return `transaction:${transactionId}`;
}

/** What freeze and deduct both take: an amount of a customer's credits, for one transaction. */
async function spendingRequest(ledger: LedgerContext, viewer: Scope, body: Read<typeof spendingFields>) {
  const { transaction_id: transactionId, credit_types: creditTypes } = body;
  const wallet = await customerWallet(ledger, viewer, body.customer_id);
  const spend = {
    scope: viewer,
    walletId: wallet.id,
    amount: body.amount,
    categories: creditTypes,
    reference: transactionId,
    description: body.description,
    metadata: businessMetadata(body.business_type),
  };
  return { transactionId, creditTypes, spend };
}

async function freeze({ ledger, viewer }: RestCall, body: Read<typeof spendingFields>): Promise<Response> {
  const { transactionId, creditTypes, spend } = await spendingRequest(ledger, viewer, body);
  return explainingCreditTypes(creditTypes, async () => {
    const result = await holdCredits(ledger, { ...spend, idempotencyKey: transactionKey(transactionId) });
    return jsonResponse({
      transaction_id: transactionId,
      frozen_amount: result.hold!.amount,
      freeze_details: details(result, "hold"),
      is_idempotent_replay: result.replayed,
    });
  });
}

/**
 * The hold of the freeze this API made for `transactionId`, found by its key (never by a hold's
 * free-form reference, which any GraphQL hold may carry). A transaction_id that names a deduction,
 * or a customer other than `customerId` (when the body names one), is a conflict.
 */
async function frozenHoldId(ledger: LedgerContext, scope: Scope, transactionId: string, customerId: string | null): Promise<string> {
  const key = transactionKey(transactionId);
  const operation = await findOperationByIdempotencyKey(ledger, scope, key);
  if (!operation) throw new NotFoundError("Transaction", transactionId);
  if (operation.type !== "hold" || !operation.holdId || (customerId !== null && operation.wallet.customer.externalId !== customerId)) {
    throw new IdempotencyConflictError(key);
  }
  return operation.holdId;
}

async function consume({ ledger, viewer }: RestCall, body: Read<typeof consumeFields>): Promise<Response> {
  const transactionId = body.transaction_id;
  const holdId = await frozenHoldId(ledger, viewer, transactionId, body.customer_id);
  const result = await captureHold(ledger, {
    scope: viewer,
    holdId,
    amount: body.actual_amount,
    idempotencyKey: `consume:${transactionId}`,
  });
  const consumed = result.hold!.captured;
  return jsonResponse({
    transaction_id: transactionId,
    consumed_amount: consumed,
    unfrozen_amount: result.hold!.amount - consumed,
    consume_details: details(result, "capture"),
    consumed_at: result.operation.createdAt.toISOString(),
    is_idempotent_replay: result.replayed,
  });
}

async function unfreeze({ ledger, viewer }: RestCall, body: Read<typeof unfreezeFields>): Promise<Response> {
  const transactionId = body.transaction_id;
  const holdId = await frozenHoldId(ledger, viewer, transactionId, body.customer_id);
  const result = await releaseHold(ledger, { scope: viewer, holdId, idempotencyKey: `unfreeze:${transactionId}` });
  return jsonResponse({ transaction_id: transactionId, unfrozen_amount: result.hold!.amount, is_idempotent_replay: result.replayed });
}

async function deduct({ ledger, viewer }: RestCall, body: Read<typeof spendingFields>): Promise<Response> {
  const { transactionId, creditTypes, spend } = await spendingRequest(ledger, viewer, body);
  return explainingCreditTypes(creditTypes, async () => {
    const result = await debit(ledger, { ...spend, idempotencyKey: transactionKey(transactionId) });
    return jsonResponse({
      transaction_id: transactionId,
      deducted_amount: spend.amount,
      deduct_details: details(result, "decrement"),
      deducted_at: result.operation.createdAt.toISOString(),
      is_idempotent_replay: result.replayed,
    });
  });
}

const depositRoute = (path: string) =>
  restRoute({
    method: "POST",
    path,
    summary: "Deposit credits to a customer",
    body: requestBody(depositFields),
    responses: depositAnswers("DepositResponse", DepositResponse),
    handle: (call, { body }) => depositToCustomer(call, body),
  });

export const velobaseApi: VendorApi = {
  routes: [
    depositRoute("/v1/customers/deposit"),
    depositRoute("/v1/billing/deposit"),
    restRoute({
      method: "GET",
      path: "/v1/customers/{customer_id}",
      summary: "Customer balance",
      responses: depositAnswers("CustomerBalance", CustomerBalance),
      handle: getCustomer,
    }),
    restRoute({
      method: "POST",
      path: "/v1/billing/freeze",
      summary: "Freeze credits for a transaction",
      body: requestBody(spendingFields),
      responses: depositAnswers("FreezeResponse", FreezeResponse),
      handle: (call, { body }) => freeze(call, body),
    }),
    restRoute({
      method: "POST",
      path: "/v1/billing/consume",
      summary: "Consume a freeze",
      body: requestBody(consumeFields),
      responses: depositAnswers("ConsumeResponse", ConsumeResponse),
      handle: (call, { body }) => consume(call, body),
    }),
    restRoute({
      method: "POST",
      path: "/v1/billing/unfreeze",
      summary: "Release a freeze",
      body: requestBody(unfreezeFields),
      responses: depositAnswers("UnfreezeResponse", UnfreezeResponse),
      handle: (call, { body }) => unfreeze(call, body),
    }),
    restRoute({
      method: "POST",
      path: "/v1/billing/deduct",
      summary: "Deduct credits in one step",
      body: requestBody(spendingFields),
      responses: depositAnswers("DeductResponse", DeductResponse),
      handle: (call, { body }) => deduct(call, body),
    }),
  ],
  unauthenticated: (failure) =>
    velobaseError(
      401,
      "authentication_error",
      failure === "missing" ? "missing_api_key" : "invalid_api_key",
      failure === "missing" ? "missing API key" : "invalid API key",
    ),
  failure: velobaseFailure,
};

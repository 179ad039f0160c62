// Paid top-ups. Nothing is lost or doubled between Stripe and the ledger:
//  1. the top-up is recorded as pending before Stripe is called;
//  2. Stripe is called outside any database transaction, with an idempotency key derived from
//     the top-up, so calling it again for the same top-up never charges twice;
//  3. the credit is a deposit keyed by the top-up, so completing it twice credits once.
// A crash between 2 and 3 leaves a pending top-up that reconcilePendingTopUps completes.
import type Stripe from "stripe";
import type { TopUp } from "../db/generated/client.ts";
import type { Scope } from "../ledger/context.ts";
import { deposit } from "../ledger/commands/deposit.ts";
import { IdempotencyConflictError, ValidationError } from "../ledger/errors.ts";
import { parseMinorUnits, requirePositive } from "../ledger/money.ts";
import { getOperationResult, getWallet } from "../ledger/queries.ts";
import { hashRequest } from "../ledger/request-hash.ts";
import { validateIdempotencyKey } from "../ledger/transaction.ts";
import type { LedgerResult } from "../ledger/wallet-ledger.ts";
import { PaymentFailedError } from "./errors.ts";
import { stripeFor, type PaymentsDeps } from "./payment-methods.ts";

/** Stripe's smallest charge we accept, per currency: $1.00 as documented for USD. */
const MINIMUM_TOP_UP: Record<string, bigint> = { USD: 100n };

export interface TopUpInput {
  scope: Scope;
  walletId: string;
  amount: bigint;
  idempotencyKey?: string | null;
}

/**
 * Charges the wallet owner's default payment method off-session and credits a `paid` block once
 * the payment succeeded; the ledger entries carry `stripe_charge_id`.
 * Fails with ValidationError (amount, minimum), NotFoundError, PaymentsNotConfiguredError,
 * PaymentFailedError (declined, authentication required, no payment method; no credits),
 * IdempotencyConflictError; a Stripe outage leaves the top-up pending for reconciliation.
 */
export async function topUp(deps: PaymentsDeps, input: TopUpInput): Promise<LedgerResult> {
  const amount = requirePositive(parseMinorUnits(input.amount, "amount"), "amount");
  const idempotencyKey = validateIdempotencyKey(input.idempotencyKey);
  const wallet = await getWallet(deps.ledger, input.scope, input.walletId);
  const stripe = stripeFor(deps, input.scope);
  const minimum = MINIMUM_TOP_UP[wallet.currency] ?? 1n;
  if (amount < minimum) throw new ValidationError(`amount must be at least ${minimum}`, [{ path: ["amount"], message: `must be at least ${minimum}` }]);
  if (!wallet.customer.paymentMethodId || !wallet.customer.stripeCustomerId) {
    throw new PaymentFailedError("no payment method on file: set one first", null, "payment_method_missing");
  }
  const requestHash = hashRequest("top_up", wallet.id, { amount });

  let record: TopUp | null = idempotencyKey
    ? await deps.ledger.prisma.topUp.findUnique({
        where: { tenantId_livemode_idempotencyKey: { tenantId: input.scope.tenantId, livemode: input.scope.livemode, idempotencyKey } },
      })
    : null;
  if (record && record.requestHash !== requestHash) throw new IdempotencyConflictError(idempotencyKey!);
  if (record?.status === "succeeded") return { ...(await getOperationResult(deps.ledger, input.scope, record.operationId!)), replayed: true };
  if (record?.status === "failed") throw new PaymentFailedError(record.failureMessage ?? "payment failed", record.declineCode, record.failureCode);
  record ??= await deps.ledger.prisma.topUp.create({
    data: { tenantId: input.scope.tenantId, livemode: input.scope.livemode, walletId: wallet.id, amount, currency: wallet.currency, idempotencyKey, requestHash, createdAt: deps.ledger.now() },
  });
  return chargeAndCredit(deps, stripe, record, { customer: wallet.customer.stripeCustomerId, paymentMethod: wallet.customer.paymentMethodId });
}

async function chargeAndCredit(
  deps: PaymentsDeps,
  stripe: Stripe,
  record: TopUp,
  payer: { customer: string; paymentMethod: string },
): Promise<LedgerResult> {
  let intent: Stripe.PaymentIntent;
  try {
    intent = await stripe.paymentIntents.create(
      {
        amount: Number(record.amount),
        currency: record.currency.toLowerCase(),
        customer: payer.customer,
        payment_method: payer.paymentMethod,
        off_session: true,
        confirm: true,
        metadata: { billing_gateway_top_up: record.id },
      },
      { idempotencyKey: `topup_${record.id}` },
    );
  } catch (error) {
    const stripeError = error as { type?: string; code?: string; decline_code?: string; message?: string };
    if (stripeError.type === "StripeCardError") {
      await markFailed(deps, record, stripeError.code ?? "card_error", stripeError.decline_code ?? null, stripeError.message ?? "card declined");
      throw new PaymentFailedError(stripeError.message ?? "card declined", stripeError.decline_code ?? null, stripeError.code ?? null);
    }
    throw error;
  }
  if (intent.status !== "succeeded") {
    await markFailed(deps, record, "authentication_required", null, `payment ${intent.status}`);
    throw new PaymentFailedError(`the payment needs the customer (${intent.status})`, null, "authentication_required");
  }
  return completeTopUp(deps, record, intent);
}

/** Credits a succeeded payment; safe to call any number of times for one top-up. */
export async function completeTopUp(deps: PaymentsDeps, record: TopUp, intent: Stripe.PaymentIntent): Promise<LedgerResult> {
  const chargeId = typeof intent.latest_charge === "string" ? intent.latest_charge : (intent.latest_charge?.id ?? null);
  const scope = { tenantId: record.tenantId, livemode: record.livemode };
  const result = await deposit(deps.ledger, {
    scope,
    walletId: record.walletId,
    amount: record.amount,
    category: "paid",
    source: "top_up",
    costBasis: "1",
    reference: record.id,
    description: "top-up",
    metadata: { stripe_charge_id: chargeId, stripe_payment_intent_id: intent.id },
    idempotencyKey: `topup:${record.id}`,
  });
  await deps.ledger.prisma.topUp.update({
    where: { id: record.id },
    data: { status: "succeeded", stripePaymentIntentId: intent.id, stripeChargeId: chargeId, operationId: result.operation.id },
  });
  return result;
}

async function markFailed(deps: PaymentsDeps, record: TopUp, code: string, declineCode: string | null, message: string): Promise<void> {
  await deps.ledger.prisma.topUp.update({ where: { id: record.id }, data: { status: "failed", failureCode: code, declineCode, failureMessage: message } });
}

/**
 * Completes top-ups left pending by a crash or an outage: the same Stripe idempotency key returns
 * the original PaymentIntent (never a second charge), and the keyed deposit credits once.
 */
export async function reconcilePendingTopUps(deps: PaymentsDeps, options: { olderThanMs?: number } = {}): Promise<number> {
  const before = new Date(deps.ledger.now().getTime() - (options.olderThanMs ?? 0));
  const pending = await deps.ledger.prisma.topUp.findMany({ where: { status: "pending", createdAt: { lte: before } }, include: { wallet: { include: { customer: true } } } });
  let completed = 0;
  for (const record of pending) {
    const { customer } = record.wallet;
    if (!customer.stripeCustomerId || !customer.paymentMethodId) continue;
    const stripe = stripeFor(deps, { tenantId: record.tenantId, livemode: record.livemode });
    await chargeAndCredit(deps, stripe, record, { customer: customer.stripeCustomerId, paymentMethod: customer.paymentMethodId }).then(
      () => (completed += 1),
      () => {},
    );
  }
  return completed;
}

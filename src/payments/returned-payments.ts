// Payments Stripe took that no credits can stand for, given back through Stripe: a second
// PaymentIntent for a top-up another one already credited (an auto top-up's first attempt that
// succeeds late, after a retry did; an attempt asked again after Stripe forgot its idempotency
// key), or a payment for a wallet terminated before it was credited. Each is refunded once:
//  1. the payment is recorded, keyed by its PaymentIntent, before Stripe is asked;
//  2. Stripe is asked under `topup_refund_<PaymentIntent>`, so concurrent and repeated asks, from
//     any number of deliveries or gateways, make one refund; and since it is a refund of the
//     whole payment, Stripe refuses a second one even after it forgets the key;
//  3. a refund whose answer did not arrive stays `requested`, and the top-up sweep asks again.
// A refund Stripe refuses is `failed`: the customer paid for nothing, and a person must act.
import type { ReturnedPayment, ReturnedPaymentReason, TopUp } from "../db/generated/client.ts";
import { inLedgerTransaction, topUpPayload, type LedgerTransaction } from "../ledger/extension.ts";
import { systemScope } from "../ledger/index.ts";
import { PaymentsNotConfiguredError } from "./errors.ts";
import { stripeFor, type PaymentsDeps } from "./payment-methods.ts";
import { log } from "../observability/logger.ts";

/** A PaymentIntent that succeeded, as the gateway knows it. */
export interface SucceededPayment {
  /** The PaymentIntent's id. */
  id: string;
  chargeId: string | null;
}

/** When Stripe's answer to a refund did not arrive, ask again after this long. */
export const REFUND_RETRY_MS = 60_000;

/** Stripe's idempotency key of the refund of a PaymentIntent: one refund per payment. */
export function refundKey(paymentIntentId: string): string {
  return `topup_refund_${paymentIntentId}`;
}

type TopUpCharge = Pick<TopUp, "id" | "tenantId" | "livemode" | "chargeAmount" | "chargeCurrency">;

/**
 * Records that `payment`, taken for `topUp`, is given back, and asks Stripe to refund it; safe to
 * call any number of times, at once or in turn. Returns the record as it stands: `refunded`,
 * `failed` (Stripe refused; logged), or `requested` (Stripe's answer did not arrive; the sweep
 * asks again). Fails only when the database does.
 */
export async function returnPayment(
  deps: PaymentsDeps,
  topUp: TopUpCharge,
  payment: SucceededPayment,
  reason: ReturnedPaymentReason,
): Promise<ReturnedPayment> {
  const { prisma } = deps.ledger;
  const now = deps.ledger.now();
  const { count } = await prisma.returnedPayment.createMany({
    data: [
      {
        stripePaymentIntentId: payment.id,
        topUpId: topUp.id,
        stripeChargeId: payment.chargeId,
        amount: topUp.chargeAmount,
        currency: topUp.chargeCurrency,
        reason,
        nextAttemptAt: now,
        createdAt: now,
      },
    ],
    skipDuplicates: true,
  });
  if (count === 1)
    log().warn(`PaymentIntent ${payment.id} of top-up ${topUp.id} cannot be credited (${describeReason(reason)}): refunding it`);
  const returned = await prisma.returnedPayment.findUniqueOrThrow({ where: { stripePaymentIntentId: payment.id } });
  if (returned.status !== "requested") return returned;
  return askStripeToRefund(deps, returned, topUp);
}

export function describeReason(reason: ReturnedPaymentReason): string {
  return reason === "duplicate"
    ? "the top-up was already paid by another PaymentIntent"
    : "the wallet was terminated before the payment was credited";
}

async function askStripeToRefund(
  deps: PaymentsDeps,
  returned: ReturnedPayment,
  topUp: Pick<TopUp, "tenantId" | "livemode">,
): Promise<ReturnedPayment> {
  const { prisma } = deps.ledger;
  const settle = async (data: Pick<ReturnedPayment, "status" | "stripeRefundId" | "failureMessage">) => {
    await inLedgerTransaction(deps.ledger, async (transaction) => {
      const { count } = await transaction.tx.returnedPayment.updateMany({
        where: { stripePaymentIntentId: returned.stripePaymentIntentId, status: "requested" },
        data,
      });
      // The top-up of a terminated wallet ends refunded once its payment is back, in the same
      // transaction as the refund's record and its event, so none is ever seen without the others.
      if (count === 1 && data.status === "refunded" && returned.reason === "wallet_terminated") {
        await markTopUpRefunded(transaction, deps.ledger.now(), { ...returned, ...data });
      }
    });
    const settled = await prisma.returnedPayment.findUniqueOrThrow({ where: { stripePaymentIntentId: returned.stripePaymentIntentId } });
    if (settled.status === "failed") {
      log().warn(
        `PaymentIntent ${returned.stripePaymentIntentId} of top-up ${returned.topUpId} needs attention: Stripe refused its refund (${settled.failureMessage})`,
      );
    }
    return settled;
  };
  const askLater = async (why: string) => {
    await prisma.returnedPayment.updateMany({
      where: { stripePaymentIntentId: returned.stripePaymentIntentId, status: "requested" },
      data: { nextAttemptAt: new Date(deps.ledger.now().getTime() + REFUND_RETRY_MS) },
    });
    log().warn(`the refund of PaymentIntent ${returned.stripePaymentIntentId} stays requested: ${why}`);
    return prisma.returnedPayment.findUniqueOrThrow({ where: { stripePaymentIntentId: returned.stripePaymentIntentId } });
  };

  let stripe;
  try {
    stripe = stripeFor(deps, systemScope(topUp.tenantId, topUp.livemode));
  } catch (error) {
    if (!(error instanceof PaymentsNotConfiguredError)) throw error;
    return askLater(error.message);
  }
  try {
    const refund = await stripe.refunds.create(
      {
        payment_intent: returned.stripePaymentIntentId,
        ...(returned.reason === "duplicate" ? { reason: "duplicate" as const } : {}),
        metadata: { billing_gateway_top_up: returned.topUpId, billing_gateway_returned: returned.reason },
      },
      { idempotencyKey: refundKey(returned.stripePaymentIntentId) },
    );
    if (refund.status === "failed" || refund.status === "canceled") {
      return settle({
        status: "failed",
        stripeRefundId: refund.id,
        failureMessage: `the refund ${refund.status}${refund.failure_reason ? ` (${refund.failure_reason})` : ""}`,
      });
    }
    // `succeeded`, or `pending` for slower payment methods: Stripe has the money on its way back.
    return settle({ status: "refunded", stripeRefundId: refund.id, failureMessage: null });
  } catch (error) {
    const stripeError = error as { type?: string; code?: string; message?: string };
    // Someone refunded the whole payment already (in Stripe's dashboard, say): it is back.
    if (stripeError.code === "charge_already_refunded") return settle({ status: "refunded", stripeRefundId: null, failureMessage: null });
    if (
      stripeError.type === "StripeInvalidRequestError" ||
      stripeError.type === "StripeCardError" ||
      stripeError.type === "StripePermissionError"
    ) {
      return settle({
        status: "failed",
        stripeRefundId: null,
        failureMessage: stripeError.message ?? stripeError.code ?? "Stripe refused the refund",
      });
    }
    // Timeouts, outages, the same refund in flight from another process: ask again later.
    return askLater(stripeError.message ?? String(error));
  }
}

/**
 * A top-up not credited (its wallet was terminated) whose payment went back: `refunded`, and
 * `top_up.refunded` told, once (only the call that moves the top-up tells it).
 */
async function markTopUpRefunded({ tx, recordEvent }: LedgerTransaction, now: Date, returned: ReturnedPayment): Promise<void> {
  const { count } = await tx.topUp.updateMany({
    where: { id: returned.topUpId, status: { in: ["pending", "failed"] } },
    data: {
      status: "refunded",
      failureCode: "wallet_terminated",
      declineCode: null,
      failureMessage: "the wallet was terminated before the payment was credited; the payment was refunded",
      lockedUntil: null,
    },
  });
  if (count === 0) return;
  const topUp = await tx.topUp.findUniqueOrThrow({ where: { id: returned.topUpId } });
  const refund = {
    stripeRefundId: returned.stripeRefundId,
    amount: returned.amount.toString(),
    currency: returned.currency,
    reason: returned.reason,
  };
  await recordEvent({ walletId: topUp.walletId, type: "top_up.refunded", payload: { ...topUpPayload(topUp), refund }, createdAt: now });
}

export interface DueRefundsReport {
  refunded: number;
  failed: number;
  /** Stripe's answer did not arrive again. */
  requested: number;
}

/**
 * Asks Stripe again for refunds whose answer did not arrive. Each is claimed by moving its next
 * attempt forward first, so gateways sweeping together ask once (and the key makes even two asks
 * one refund).
 */
export async function runDueRefunds(deps: PaymentsDeps, options: { limit?: number } = {}): Promise<DueRefundsReport> {
  const { prisma } = deps.ledger;
  const now = deps.ledger.now();
  const due = await prisma.returnedPayment.findMany({
    where: { status: "requested", nextAttemptAt: { lte: now } },
    include: { topUp: { select: { tenantId: true, livemode: true } } },
    orderBy: { nextAttemptAt: "asc" },
    take: options.limit ?? 100,
  });
  const report: DueRefundsReport = { refunded: 0, failed: 0, requested: 0 };
  for (const { topUp, ...returned } of due) {
    const { count } = await prisma.returnedPayment.updateMany({
      where: { stripePaymentIntentId: returned.stripePaymentIntentId, status: "requested", nextAttemptAt: returned.nextAttemptAt },
      data: { nextAttemptAt: new Date(now.getTime() + REFUND_RETRY_MS) },
    });
    if (count === 0) continue;
    report[(await askStripeToRefund(deps, returned, topUp)).status] += 1;
  }
  return report;
}

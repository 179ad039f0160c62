// Stripe's webhook: POST /webhooks/stripe. The body is verified against STRIPE_WEBHOOK_SECRET
// before anything reads it, and each event is handled once per event id. Each handler is
// idempotent on its own (keyed deposits, cumulative refund totals, refunds keyed by the
// PaymentIntent), so an event redelivered while the first delivery is still running, or events
// arriving out of order, still credit, void and refund exactly once.
//
// Every signed event is acknowledged with a 2xx, so that Stripe stops delivering it, and recorded
// in `stripe_event` with what came of it: `handled`, `ignored` (not about a top-up of ours), or
// `needs_attention` when its payload does not fit (logged at warn, with the reason). Only a
// failure that may pass (the database or Stripe out of reach) answers 503, so that Stripe
// delivers the event again. No answer carries a stack trace or anything of the gateway's insides.
import type { StripeEventStatus, TopUp } from "../db/generated/client.ts";
import { reverseDeposit } from "../ledger/extension.ts";
import { LedgerError, systemScope } from "../ledger/index.ts";
import type { PaymentsDeps } from "./payment-methods.ts";
import { describeReason } from "./returned-payments.ts";
import { completeTopUp, recordDecline, type TopUpCompletion } from "./top-up.ts";
import {
  readCharge,
  readEnvelope,
  readPaymentIntent,
  UnfitPayloadError,
  type EventEnvelope,
  type PaymentIntentPayload,
} from "./webhook-payloads.ts";
import { log } from "../observability/logger.ts";

export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
}

interface EventOutcome {
  status: StripeEventStatus;
  /** Why it needs attention, or what was done beyond the usual; kept with the event. */
  reason?: string;
}

const handled = (reason?: string): EventOutcome => ({ status: "handled", reason });
const ignored = (reason?: string): EventOutcome => ({ status: "ignored", reason });

/**
 * Verifies and handles one delivery; the answer tells Stripe whether to deliver it again. Fails
 * when the database or Stripe is out of reach, or on a fault of ours: the HTTP edge answers that
 * with a 5xx (503 with Retry-After when the database is down), and since the handlers are
 * idempotent, Stripe's next delivery picks up where this one stopped.
 */
export async function handleStripeWebhook(deps: PaymentsDeps, payload: string, signature: string | null): Promise<WebhookAnswer> {
  if (!deps.payments?.webhookSecret) {
    return { status: 503, body: { error: "webhooks are not configured on this gateway (STRIPE_WEBHOOK_SECRET is not set)" } };
  }
  const { stripe, webhookSecret } = deps.payments;
  let event: unknown;
  try {
    // Checks the signature over the raw text, and only then parses it.
    event = await stripe.webhooks.constructEventAsync(payload, signature ?? "", webhookSecret);
  } catch (error) {
    if (isSignatureFailure(error)) return INVALID_SIGNATURE;
    // Verified, then not readable as an event (not JSON, say): recorded below as unfit. Checked
    // again, so that nothing unverified is ever recorded, whatever the SDK threw.
    const verified = await stripe.webhooks.signature?.verifyHeaderAsync(payload, signature ?? "", webhookSecret).then(
      () => true,
      () => false,
    );
    if (!verified) return INVALID_SIGNATURE;
  }

  const envelope = readEnvelope(event, payload);
  const { prisma } = deps.ledger;
  if (await prisma.stripeEvent.findUnique({ where: { id: envelope.id }, select: { id: true } })) {
    return { status: 200, body: { received: true, duplicate: true } };
  }
  const outcome = envelope.unfit ? { status: "needs_attention" as const, reason: envelope.unfit } : await outcomeOf(deps, envelope);
  if (outcome.status === "needs_attention") log().warn(`Stripe event ${envelope.id} (${envelope.type}) needs attention: ${outcome.reason}`);
  await prisma.stripeEvent.createMany({
    data: [
      {
        id: envelope.id,
        type: envelope.type,
        livemode: envelope.livemode,
        status: outcome.status,
        reason: outcome.reason ?? null,
        processedAt: deps.ledger.now(),
      },
    ],
    skipDuplicates: true,
  });
  return {
    status: 200,
    body: {
      received: true,
      handled: outcome.status === "handled",
      ...(outcome.status === "needs_attention" ? { needsAttention: true, reason: outcome.reason } : {}),
    },
  };
}

const INVALID_SIGNATURE: WebhookAnswer = {
  status: 400,
  body: { error: "invalid signature: the Stripe-Signature header is missing, malformed, too old or does not match the body" },
};

function isSignatureFailure(error: unknown): boolean {
  return (error as { type?: string } | null)?.type === "StripeSignatureVerificationError";
}

/** A payload that does not fit, or a ledger refusal (which another delivery would meet again), needs a person. */
async function outcomeOf(deps: PaymentsDeps, envelope: EventEnvelope): Promise<EventOutcome> {
  try {
    return await handleEvent(deps, envelope);
  } catch (error) {
    if (error instanceof UnfitPayloadError || error instanceof LedgerError) return { status: "needs_attention", reason: error.message };
    throw error;
  }
}

async function handleEvent(deps: PaymentsDeps, envelope: EventEnvelope): Promise<EventOutcome> {
  switch (envelope.type) {
    case "payment_intent.succeeded":
      return paymentSucceeded(deps, readPaymentIntent(envelope.object));
    case "payment_intent.payment_failed":
      return paymentFailed(deps, readPaymentIntent(envelope.object));
    case "charge.refunded":
      return chargeRefunded(deps, envelope.object);
    default:
      return ignored();
  }
}

async function paymentSucceeded(deps: PaymentsDeps, intent: PaymentIntentPayload): Promise<EventOutcome> {
  const record = await topUpOfIntent(deps, intent);
  if (!record) return ignored();
  if (intent.status !== null && intent.status !== "succeeded")
    throw new UnfitPayloadError(`PaymentIntent ${intent.id} is ${intent.status}, not succeeded`);
  // The gateway made every PaymentIntent of a top-up for its charge: any other is not one of its attempts.
  if (intent.amount !== record.chargeAmount || intent.currency !== record.chargeCurrency) {
    throw new UnfitPayloadError(
      `PaymentIntent ${intent.id} is for ${intent.amount ?? "an unknown amount"} ${intent.currency ?? ""}, but top-up ${record.id} charges ${record.chargeAmount} ${record.chargeCurrency}: neither credited nor refunded`,
    );
  }
  return outcomeOfCompletion(await completeTopUp(deps, record, { id: intent.id, chargeId: intent.latestChargeId }), intent.id);
}

function outcomeOfCompletion(completion: TopUpCompletion, paymentIntentId: string): EventOutcome {
  const { returned } = completion;
  if (!returned) return handled();
  const what = `PaymentIntent ${paymentIntentId} cannot be credited (${describeReason(returned.reason)})`;
  switch (returned.status) {
    case "refunded":
      return handled(`${what}: refunded`);
    case "requested":
      return handled(`${what}: refund requested; Stripe's answer did not arrive, the sweep asks again`);
    case "failed":
      return { status: "needs_attention", reason: `${what}, and Stripe refused the refund: ${returned.failureMessage}` };
  }
}

async function paymentFailed(deps: PaymentsDeps, intent: PaymentIntentPayload): Promise<EventOutcome> {
  const record = await topUpOfIntent(deps, intent);
  if (!record) return ignored();
  // Only news about the attempt in progress counts; an older attempt's failure, or one arriving
  // after the success, changes nothing.
  if (record.status === "pending" && !record.attemptFailed && intent.attempt === String(record.attempts)) {
    const error = intent.lastPaymentError;
    await recordDecline(deps, record, {
      code: error?.code ?? "card_declined",
      declineCode: error?.declineCode ?? null,
      message: error?.message ?? "the payment failed",
    });
  }
  return handled();
}

async function chargeRefunded(deps: PaymentsDeps, object: unknown): Promise<EventOutcome> {
  const charge = readCharge(object);
  const { prisma } = deps.ledger;
  const paymentIntentId = charge.paymentIntentId;
  // The refund of a payment the gateway gave back itself: it never credited anything.
  if (
    paymentIntentId &&
    (await prisma.returnedPayment.findUnique({ where: { stripePaymentIntentId: paymentIntentId }, select: { topUpId: true } }))
  ) {
    return ignored(`the refund of PaymentIntent ${paymentIntentId}, which the gateway gave back`);
  }
  let record = await prisma.topUp.findFirst({
    where: { OR: [{ stripeChargeId: charge.id }, ...(paymentIntentId ? [{ stripePaymentIntentId: paymentIntentId }] : [])] },
  });
  // Not completed yet, so its PaymentIntent is not on record: the PaymentIntent's metadata names it.
  if (!record && paymentIntentId) record = await topUpOfIntent(deps, readPaymentIntent(await retrievePaymentIntent(deps, paymentIntentId)));
  if (!record) return ignored();
  if (record.status !== "succeeded" || !record.operationId) {
    // The refund arrived before the success: the charge went through, so settle it first.
    if (!charge.paid || !paymentIntentId) return ignored(`charge ${charge.id} was not paid`);
    const completion = await completeTopUp(deps, record, { id: paymentIntentId, chargeId: charge.id });
    if (completion.returned) return outcomeOfCompletion(completion, paymentIntentId);
    record = await prisma.topUp.findUniqueOrThrow({ where: { id: record.id } });
  }
  if (paymentIntentId && record.stripePaymentIntentId !== paymentIntentId) {
    // A payment other than the one that credited the top-up went back: no credits stand for it.
    return ignored(
      `PaymentIntent ${paymentIntentId} was refunded, but top-up ${record.id} was credited by ${record.stripePaymentIntentId}: nothing to take back`,
    );
  }
  const reversedTotal = creditsRefunded(record, charge.amountRefunded);
  if (reversedTotal > 0n) {
    await reverseDeposit(deps.ledger, {
      scope: systemScope(record.tenantId, record.livemode),
      walletId: record.walletId,
      depositOperationId: record.operationId!,
      reversedTotal,
      reference: charge.id,
      metadata: { stripe_charge_id: charge.id },
    });
  }
  return handled();
}

async function retrievePaymentIntent(deps: PaymentsDeps, paymentIntentId: string): Promise<unknown> {
  try {
    return await deps.payments!.stripe.paymentIntents.retrieve(paymentIntentId);
  } catch (error) {
    // Stripe answered, and does not know it: asking again will not help.
    if ((error as { type?: string }).type === "StripeInvalidRequestError")
      throw new UnfitPayloadError(`Stripe does not know PaymentIntent ${paymentIntentId}`);
    throw error;
  }
}

/** Stripe refunds money; the ledger reverses credits, in proportion when they are priced. */
function creditsRefunded(record: TopUp, refunded: bigint): bigint {
  if (refunded >= record.chargeAmount) return record.amount;
  return (refunded * record.amount) / record.chargeAmount;
}

async function topUpOfIntent(deps: PaymentsDeps, intent: Pick<PaymentIntentPayload, "id" | "topUpId">): Promise<TopUp | null> {
  const { prisma } = deps.ledger;
  const byMetadata = intent.topUpId ? await prisma.topUp.findUnique({ where: { id: intent.topUpId } }) : null;
  return byMetadata ?? prisma.topUp.findUnique({ where: { stripePaymentIntentId: intent.id } });
}

// Stripe's webhook: POST /webhooks/stripe. Events are verified against STRIPE_WEBHOOK_SECRET and
// handled once per event id. Each handler is idempotent on its own (keyed deposits, cumulative
// refund totals), so an event redelivered while the first delivery is still running, or events
// arriving out of order, still credit and void exactly once.
import { systemScope } from "../ledger/access.ts";
import type Stripe from "stripe";
import type { TopUp } from "../db/generated/client.ts";
import { reverseDeposit } from "../ledger/commands/reverse-deposit.ts";
import type { PaymentsDeps } from "./payment-methods.ts";
import { completeTopUp, recordDecline } from "./top-up.ts";

export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** Verifies and handles one delivery; the answer tells Stripe whether to deliver it again. */
export async function handleStripeWebhook(deps: PaymentsDeps, payload: string, signature: string | null): Promise<WebhookAnswer> {
  if (!deps.payments?.webhookSecret) {
    return { status: 503, body: { error: "webhooks are not configured on this gateway (STRIPE_WEBHOOK_SECRET is not set)" } };
  }
  let event: Stripe.Event;
  try {
    event = await deps.payments.stripe.webhooks.constructEventAsync(payload, signature ?? "", deps.payments.webhookSecret);
  } catch (error) {
    return { status: 400, body: { error: `invalid signature: ${(error as Error).message}` } };
  }
  const { prisma } = deps.ledger;
  if (await prisma.stripeEvent.findUnique({ where: { id: event.id } })) return { status: 200, body: { received: true, duplicate: true } };
  const handled = await handleEvent(deps, event);
  await prisma.stripeEvent.createMany({ data: [{ id: event.id, type: event.type, livemode: event.livemode, processedAt: deps.ledger.now() }], skipDuplicates: true });
  return { status: 200, body: { received: true, handled } };
}

/** Whether the event concerned one of our top-ups. */
async function handleEvent(deps: PaymentsDeps, event: Stripe.Event): Promise<boolean> {
  switch (event.type) {
    case "payment_intent.succeeded": {
      const intent = event.data.object;
      const record = await topUpOfIntent(deps, intent);
      if (!record) return false;
      await completeTopUp(deps, record, intent);
      return true;
    }
    case "payment_intent.payment_failed": {
      const intent = event.data.object;
      const record = await topUpOfIntent(deps, intent);
      if (!record) return false;
      // Only news about the attempt in progress counts; an older attempt's failure, or one
      // arriving after the success, changes nothing.
      if (record.status === "pending" && !record.attemptFailed && intent.metadata?.billing_gateway_attempt === String(record.attempts)) {
        const error = intent.last_payment_error;
        await recordDecline(deps, record, {
          code: error?.code ?? "card_declined",
          declineCode: error?.decline_code ?? null,
          message: error?.message ?? "the payment failed",
        });
      }
      return true;
    }
    case "charge.refunded": {
      const charge = event.data.object;
      const paymentIntentId = typeof charge.payment_intent === "string" ? charge.payment_intent : (charge.payment_intent?.id ?? null);
      let record = await deps.ledger.prisma.topUp.findFirst({
        where: { OR: [{ stripeChargeId: charge.id }, ...(paymentIntentId ? [{ stripePaymentIntentId: paymentIntentId }] : [])] },
      });
      // Not completed yet, so its PaymentIntent is not on record: the PaymentIntent's metadata names it.
      if (!record && paymentIntentId) record = await topUpOfIntent(deps, await deps.payments!.stripe.paymentIntents.retrieve(paymentIntentId));
      if (!record) return false;
      if (record.status !== "succeeded" || !record.operationId) {
        // The refund arrived before the success: the charge went through, so credit it first.
        if (!charge.paid || !paymentIntentId) return true;
        await completeTopUp(deps, record, { id: paymentIntentId, latest_charge: charge.id });
        record = await deps.ledger.prisma.topUp.findUniqueOrThrow({ where: { id: record.id } });
      }
      const reversedTotal = creditsRefunded(record, BigInt(charge.amount_refunded));
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
      return true;
    }
    default:
      return false;
  }
}

/** Stripe refunds money; the ledger reverses credits, in proportion when they are priced. */
function creditsRefunded(record: TopUp, refunded: bigint): bigint {
  if (refunded >= record.chargeAmount) return record.amount;
  return (refunded * record.amount) / record.chargeAmount;
}

async function topUpOfIntent(deps: PaymentsDeps, intent: { id: string; metadata?: Stripe.Metadata | null }): Promise<TopUp | null> {
  const topUpId = intent.metadata?.billing_gateway_top_up;
  const byMetadata = topUpId && /^[0-9a-f-]{36}$/i.test(topUpId) ? await deps.ledger.prisma.topUp.findUnique({ where: { id: topUpId } }) : null;
  return byMetadata ?? deps.ledger.prisma.topUp.findUnique({ where: { stripePaymentIntentId: intent.id } });
}

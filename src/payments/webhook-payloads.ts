// What the webhook reads from Stripe's events, checked field by field. A signed event is Stripe's
// word, but a payload of an unexpected shape (a field missing or of another type, an API version
// we do not know, a hand-made event) must neither crash the handler nor move money on a guess:
// it is refused with an UnfitPayloadError, whose message says what did not fit, for a person.
import { createHash } from "node:crypto";

export class UnfitPayloadError extends Error {}

/** The event around the object: what the webhook needs to record it, even when it is unfit. */
export interface EventEnvelope {
  /** Stripe's id, or `sha256:` and the payload's hash when the payload has none. */
  id: string;
  type: string;
  livemode: boolean | null;
  object: unknown;
  /** Why the envelope itself does not fit, or null. */
  unfit: string | null;
}

const MAX_TEXT = 255;

/** `event` is what the SDK parsed from the verified payload; undefined when it could not. */
export function readEnvelope(event: unknown, payload: string): EventEnvelope {
  const fields = isRecord(event) ? event : {};
  const id = boundedText(fields.id);
  const type = boundedText(fields.type);
  const livemode = typeof fields.livemode === "boolean" ? fields.livemode : null;
  const data = isRecord(fields.data) ? fields.data : null;
  let unfit: string | null = null;
  if (event === undefined) unfit = "the payload is not readable as an event (not JSON, or a kind of event this endpoint does not take)";
  else if (!isRecord(event)) unfit = "the payload is not a JSON object";
  else if (!id) unfit = `the event has no id (a string of 1 to ${MAX_TEXT} characters)`;
  else if (!type) unfit = "the event has no type";
  else if (!data) unfit = "the event has no data";
  else if (!isRecord(data.object)) unfit = "data.object is not an object";
  return {
    id: id ?? `sha256:${createHash("sha256").update(payload).digest("hex")}`,
    type: type ?? "unknown",
    livemode,
    object: data?.object ?? null,
    unfit,
  };
}

export interface PaymentIntentPayload {
  id: string;
  status: string | null;
  /** In minor units of `currency`; null when the payload does not say. */
  amount: bigint | null;
  /** Upper case, as the gateway keeps currencies. */
  currency: string | null;
  /** The top-up the gateway named in the metadata, when it is one of ours. */
  topUpId: string | null;
  /** The attempt number the gateway named in the metadata. */
  attempt: string | null;
  latestChargeId: string | null;
  lastPaymentError: { code: string | null; declineCode: string | null; message: string | null } | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function readPaymentIntent(object: unknown): PaymentIntentPayload {
  const intent = requireKind(object, "payment_intent");
  const metadata = optionalObject(intent.metadata, "metadata") ?? {};
  const topUpId = optionalText(metadata.billing_gateway_top_up, "metadata.billing_gateway_top_up");
  const error = optionalObject(intent.last_payment_error, "last_payment_error");
  return {
    id: requireText(intent.id, "id"),
    status: optionalText(intent.status, "status"),
    amount: optionalMinorUnits(intent.amount, "amount"),
    currency: optionalText(intent.currency, "currency")?.toUpperCase() ?? null,
    topUpId: topUpId && UUID.test(topUpId) ? topUpId : null,
    attempt: optionalText(metadata.billing_gateway_attempt, "metadata.billing_gateway_attempt"),
    latestChargeId: optionalId(intent.latest_charge, "latest_charge"),
    lastPaymentError: error
      ? {
          code: optionalText(error.code, "last_payment_error.code"),
          declineCode: optionalText(error.decline_code, "last_payment_error.decline_code"),
          message: optionalText(error.message, "last_payment_error.message"),
        }
      : null,
  };
}

export interface ChargePayload {
  id: string;
  paid: boolean;
  /** Stripe's running total of what went back, in minor units. */
  amountRefunded: bigint;
  paymentIntentId: string | null;
}

export function readCharge(object: unknown): ChargePayload {
  const charge = requireKind(object, "charge");
  if (typeof charge.paid !== "boolean") throw new UnfitPayloadError("paid is not true or false");
  const amountRefunded = optionalMinorUnits(charge.amount_refunded, "amount_refunded");
  if (amountRefunded === null) throw new UnfitPayloadError("amount_refunded is missing");
  return {
    id: requireText(charge.id, "id"),
    paid: charge.paid,
    amountRefunded,
    paymentIntentId: optionalId(charge.payment_intent, "payment_intent"),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function boundedText(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_TEXT ? value : null;
}

function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (!isRecord(value)) throw new UnfitPayloadError(`${field} is not an object`);
  return value;
}

/** The event's object, when it is of the kind its event type promises (or does not say). */
function requireKind(value: unknown, kind: string): Record<string, unknown> {
  const object = requireObject(value, "data.object");
  if (object.object != null && object.object !== kind) throw new UnfitPayloadError(`data.object is not a ${kind}`);
  return object;
}

function optionalObject(value: unknown, field: string): Record<string, unknown> | null {
  if (value == null) return null;
  return requireObject(value, field);
}

function requireText(value: unknown, field: string): string {
  const text = boundedText(value);
  if (!text) throw new UnfitPayloadError(`${field} is missing or not a string of 1 to ${MAX_TEXT} characters`);
  return text;
}

function optionalText(value: unknown, field: string): string | null {
  return value == null ? null : requireText(value, field);
}

/** A reference to another object: its id, or the object itself when expanded. */
function optionalId(value: unknown, field: string): string | null {
  if (value == null) return null;
  return isRecord(value) ? requireText(value.id, `${field}.id`) : requireText(value, field);
}

/** Stripe writes amounts as JSON integers; anything else does not fit. */
function optionalMinorUnits(value: unknown, field: string): bigint | null {
  if (value == null) return null;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
    throw new UnfitPayloadError(`${field} is not a whole number of minor units`);
  return BigInt(value);
}

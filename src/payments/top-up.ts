// Paid top-ups. Nothing is lost or doubled between Stripe and the ledger:
//  1. the top-up is recorded as pending, with the card it will charge, before Stripe is called;
//  2. each payment attempt has its own Stripe idempotency key, derived from the top-up and the
//     attempt number, and a new attempt starts only after the previous one was declined: an
//     attempt whose outcome is unknown (timeout, crash) is asked again under the same key, which
//     answers the original outcome and never charges twice;
//  3. the credit is a deposit keyed by the top-up, so completing it twice credits once, and the
//     first PaymentIntent to credit it is the only one that does: any other that succeeds for it
//     (a late attempt, an attempt asked again after Stripe forgot its key) is refunded, as is a
//     payment for a wallet terminated meanwhile (returned-payments.ts).
// Whatever stops between 2 and 3 leaves a pending top-up that Stripe's webhook or runDueTopUps
// completes. A process working on a top-up holds a short lease on it, so that the sweep of
// another gateway does not work on it at the same time.
import type Stripe from "stripe";
import type { ReturnedPayment, TopUp } from "../db/generated/client.ts";
import { hashRequest, operationAsAnswered, runOnce, validIdempotencyKey, type KeyedRecords } from "../ledger/extension.ts";
import {
  IdempotencyConflictError,
  ValidationError,
  WalletTerminatedError,
  authorize,
  deposit,
  getWallet,
  parseMinorUnits,
  requirePositive,
  systemScope,
  type LedgerResult,
  type Scope,
} from "../ledger/index.ts";
import { PaymentFailedError, PaymentPendingError, PaymentsNotConfiguredError } from "./errors.ts";
import { stripeFor, type PaymentsDeps } from "./payment-methods.ts";
import { runDueRefunds, returnPayment, type SucceededPayment } from "./returned-payments.ts";
import { log } from "../observability/logger.ts";
import { settleTopUp } from "./top-up-events.ts";
import { pauseRuleIn } from "./auto-top-up-pause.ts";

/** Stripe's smallest charge we accept, per currency: $1.00 as documented for USD. */
export const MINIMUM_TOP_UP: Record<string, bigint> = { USD: 100n };

export function minimumTopUp(currency: string): bigint {
  return MINIMUM_TOP_UP[currency] ?? 1n;
}

/** How long a process may work on a top-up before another may take it over. */
export const LEASE_MS = 60_000;
/** When an attempt's outcome is unknown, ask Stripe again after this long. */
export const UNKNOWN_OUTCOME_RETRY_MS = 60_000;
/** Waits before retrying a declined auto top-up: after the first decline, the second, … */
export const DECLINE_BACKOFF_MS = [5 * 60_000, 30 * 60_000, 2 * 3_600_000, 12 * 3_600_000];

export interface TopUpInput {
  scope: Scope;
  walletId: string;
  amount: bigint;
  idempotencyKey?: string | null;
}

/**
 * Charges the wallet owner's default payment method off-session and credits a `paid` block once
 * the payment succeeded; the ledger entries carry `stripe_charge_id`.
 * Fails with ForbiddenError, ValidationError (amount, minimum), NotFoundError, PaymentsNotConfiguredError,
 * PaymentFailedError (declined, authentication required, no payment method; no credits),
 * PaymentPendingError (Stripe's answer did not arrive; the top-up completes on its own),
 * WalletTerminatedError (nothing charged; or, when the wallet was terminated while the card was
 * being charged, the payment is refunded) and IdempotencyConflictError.
 */
export async function topUp(deps: PaymentsDeps, input: TopUpInput): Promise<LedgerResult> {
  authorize(input.scope, "pay");
  const amount = requirePositive(parseMinorUnits(input.amount, "amount"), "amount");
  const idempotencyKey = validIdempotencyKey(input.idempotencyKey);
  const wallet = await getWallet(deps.ledger, input.scope, input.walletId);
  stripeFor(deps, input.scope);
  const minimum = minimumTopUp(wallet.currency);
  if (amount < minimum)
    throw new ValidationError(`amount must be at least ${minimum}`, [{ path: ["amount"], message: `must be at least ${minimum}` }]);
  const requestHash = hashRequest("top_up", wallet.id, { amount });

  const records: KeyedRecords<TopUp, LedgerResult> = {
    constraint: TOP_UP_KEY_INDEX,
    find: (key) => findByKey(deps, input.scope, key),
    replay: (record) => answerFor(deps, record, requestHash),
  };
  return runOnce(idempotencyKey, records, async (replayEarlier) => {
    const earlier = await replayEarlier();
    if (earlier) return earlier;
    if (wallet.status !== "active") throw new WalletTerminatedError(wallet.id);
    if (!wallet.customer.paymentMethodId || !wallet.customer.stripeCustomerId) {
      throw new PaymentFailedError("no payment method on file: set one first", null, "payment_method_missing");
    }
    const now = deps.ledger.now();
    // A concurrent request with the same key that records it first makes this one its replay.
    const record = await deps.ledger.prisma.topUp.create({
      data: {
        tenantId: input.scope.tenantId,
        livemode: input.scope.livemode,
        walletId: wallet.id,
        amount,
        currency: wallet.currency,
        chargeAmount: amount,
        chargeCurrency: wallet.currency,
        costBasis: "1",
        idempotencyKey,
        requestHash,
        stripeCustomerId: wallet.customer.stripeCustomerId,
        paymentMethodId: wallet.customer.paymentMethodId,
        attempts: 1,
        // This request works on it now; the sweep takes over only if the request dies.
        lockedUntil: new Date(now.getTime() + LEASE_MS),
        nextAttemptAt: new Date(now.getTime() + LEASE_MS),
        createdAt: now,
      },
    });
    return attempt(deps, record);
  });
}

/** The unique index over top-ups' idempotency keys (per tenant and mode). */
const TOP_UP_KEY_INDEX = "top_up_tenant_id_livemode_idempotency_key_key";

function findByKey(deps: PaymentsDeps, scope: Scope, idempotencyKey: string): Promise<TopUp | null> {
  return deps.ledger.prisma.topUp.findUnique({
    where: { tenantId_livemode_idempotencyKey: { tenantId: scope.tenantId, livemode: scope.livemode, idempotencyKey } },
  });
}

/** The answer to a top-up asked for again with its idempotency key. */
async function answerFor(deps: PaymentsDeps, record: TopUp, requestHash: string): Promise<LedgerResult> {
  if (record.requestHash !== requestHash) throw new IdempotencyConflictError(record.idempotencyKey ?? "");
  if (record.status === "succeeded") {
    const credit = await operationAsAnswered(deps.ledger, systemScope(record.tenantId, record.livemode), { id: record.operationId ?? "" });
    return { ...credit, replayed: true };
  }
  if (record.status === "failed")
    throw new PaymentFailedError(record.failureMessage ?? "payment failed", record.declineCode, record.failureCode);
  // Paid after its wallet was terminated, and the payment given back: as answered then.
  if (record.status === "refunded") throw new WalletTerminatedError(record.walletId);
  // Still pending: ask Stripe again under the same attempt's key; it answers the original outcome.
  return attempt(deps, record);
}

type AttemptOutcome =
  | { kind: "succeeded"; intent: Pick<Stripe.PaymentIntent, "id" | "latest_charge"> }
  | { kind: "declined"; code: string; declineCode: string | null; message: string }
  | { kind: "unknown"; error: unknown };

/** Stripe's idempotency key of the top-up's current attempt. The first keeps the plain form. */
export function attemptKey(record: Pick<TopUp, "id" | "attempts">): string {
  return record.attempts <= 1 ? `topup_${record.id}` : `topup_${record.id}_${record.attempts}`;
}

/** Charges the current attempt and settles the top-up by its outcome. */
async function attempt(deps: PaymentsDeps, record: TopUp): Promise<LedgerResult> {
  const outcome = await charge(deps, record);
  switch (outcome.kind) {
    case "succeeded": {
      const completion = await completeTopUp(deps, record, paymentOf(outcome.intent));
      if (!completion.credit) throw new WalletTerminatedError(record.walletId);
      // Another payment credited the top-up meanwhile (this one is refunded): that is the answer.
      return completion.returned ? { ...completion.credit, replayed: true } : completion.credit;
    }
    case "declined":
      await recordDecline(deps, record, outcome);
      throw new PaymentFailedError(outcome.message, outcome.declineCode, outcome.code);
    case "unknown":
      await deps.ledger.prisma.topUp.updateMany({
        where: { id: record.id, status: "pending" },
        data: { lockedUntil: null, nextAttemptAt: new Date(deps.ledger.now().getTime() + UNKNOWN_OUTCOME_RETRY_MS) },
      });
      log().warn(
        `top-up ${record.id} stays pending: Stripe's answer did not arrive (${outcome.error instanceof Error ? outcome.error.message : String(outcome.error)})`,
      );
      throw new PaymentPendingError(record.id);
  }
}

async function charge(deps: PaymentsDeps, record: TopUp): Promise<AttemptOutcome> {
  if (!record.stripeCustomerId || !record.paymentMethodId) {
    return { kind: "declined", code: "payment_method_missing", declineCode: null, message: "no payment method on file: set one first" };
  }
  let stripe: Stripe;
  try {
    stripe = stripeFor(deps, systemScope(record.tenantId, record.livemode));
  } catch (error) {
    if (!(error instanceof PaymentsNotConfiguredError)) throw error;
    return { kind: "declined", code: "payments_not_configured", declineCode: null, message: error.message };
  }
  try {
    const intent = await stripe.paymentIntents.create(
      {
        amount: Number(record.chargeAmount),
        currency: record.chargeCurrency.toLowerCase(),
        customer: record.stripeCustomerId,
        payment_method: record.paymentMethodId,
        off_session: true,
        confirm: true,
        metadata: { billing_gateway_top_up: record.id, billing_gateway_attempt: String(record.attempts) },
      },
      { idempotencyKey: attemptKey(record) },
    );
    if (intent.status === "succeeded") return { kind: "succeeded", intent };
    if (intent.status === "processing") return { kind: "unknown", error: new Error("the payment is processing") };
    return {
      kind: "declined",
      code: "authentication_required",
      declineCode: null,
      message: `the payment needs the customer (${intent.status})`,
    };
  } catch (error) {
    const stripeError = error as { type?: string; code?: string; decline_code?: string; message?: string };
    // Stripe's definite refusals; anything else (timeouts, outages, an attempt still in flight)
    // leaves the outcome unknown.
    if (stripeError.type === "StripeCardError" || stripeError.type === "StripeInvalidRequestError") {
      return {
        kind: "declined",
        code: stripeError.code ?? (stripeError.type === "StripeCardError" ? "card_declined" : "invalid_request"),
        declineCode: stripeError.decline_code ?? null,
        message: stripeError.message ?? "the payment was refused",
      };
    }
    return { kind: "unknown", error };
  }
}

/**
 * Records a declined attempt, if it is still the current one. A top-up asked for by a caller
 * fails at once (the caller hears why); an auto top-up is retried with backoff and gives up after
 * its rule's `maxAttempts`, pausing the rule with the reason.
 */
export async function recordDecline(
  deps: PaymentsDeps,
  record: Pick<TopUp, "id" | "walletId" | "trigger" | "attempts">,
  failure: { code: string; declineCode: string | null; message: string },
): Promise<void> {
  const { prisma } = deps.ledger;
  const now = deps.ledger.now();
  const rule = record.trigger === "auto" ? await prisma.autoTopUpRule.findUnique({ where: { walletId: record.walletId } }) : null;
  const givesUp = record.trigger === "manual" || record.attempts >= (rule?.maxAttempts ?? 0);
  const failureMessage =
    record.trigger === "auto" && givesUp ? `gave up after ${record.attempts} attempt(s): ${failure.message}` : failure.message;
  const current = { id: record.id, status: "pending" as const, attempts: record.attempts, attemptFailed: false };
  const fields = { failureCode: failure.code, declineCode: failure.declineCode, failureMessage, lockedUntil: null };
  if (!givesUp) {
    const wait = DECLINE_BACKOFF_MS[Math.min(record.attempts - 1, DECLINE_BACKOFF_MS.length - 1)]!;
    await prisma.topUp.updateMany({
      where: current,
      data: { ...fields, attemptFailed: true, nextAttemptAt: new Date(now.getTime() + wait) },
    });
    return;
  }
  // One transaction: an auto top-up check never sees the top-up closed and the rule not paused.
  await settleTopUp(deps.ledger, {
    where: current,
    data: { ...fields, attemptFailed: true, status: "failed" },
    alongside: async (transaction) => {
      if (rule)
        await pauseRuleIn(transaction, now, {
          walletId: record.walletId,
          reason: failure.declineCode ?? failure.code,
          message: failureMessage,
          topUpId: record.id,
        });
    },
  });
}

function paymentOf(intent: Pick<Stripe.PaymentIntent, "id" | "latest_charge">): SucceededPayment {
  return { id: intent.id, chargeId: typeof intent.latest_charge === "string" ? intent.latest_charge : (intent.latest_charge?.id ?? null) };
}

export interface TopUpCompletion {
  /** The deposit that credited the top-up, by this payment or an earlier one; null when the wallet was terminated. */
  credit: LedgerResult | null;
  /** Set when this payment cannot credit the top-up and is given back through Stripe. */
  returned: ReturnedPayment | null;
}

/** The idempotency key of the deposit that credits a top-up: one credit per top-up. */
function creditKey(record: Pick<TopUp, "id">): string {
  return `topup:${record.id}`;
}

/**
 * Settles a succeeded payment of the top-up; safe to call any number of times, at once or in
 * turn, with one payment or several. The first payment to credit the top-up does (also after a
 * recorded failure: the top-up had no credit, and the money was taken); any other PaymentIntent
 * is refunded, as is a payment for a wallet terminated before it was credited (the top-up then
 * fails with `wallet_terminated`). The database decides which payment credits: the deposit's
 * idempotency key is unique, and it names the payment, so a second payment's deposit conflicts.
 */
export async function completeTopUp(deps: PaymentsDeps, record: TopUp, payment: SucceededPayment): Promise<TopUpCompletion> {
  const scope = systemScope(record.tenantId, record.livemode);
  // An auto top-up's credits expire when its rule said; by now that may have passed, and the
  // payment is in: the credits are given without that expiry rather than left uncredited.
  const expiresAt =
    record.creditsExpireAt && record.creditsExpireAt.getTime() > deps.ledger.now().getTime() ? record.creditsExpireAt : null;
  const paid = {
    scope,
    walletId: record.walletId,
    expiresAt,
    source: "top_up" as const,
    reference: record.id,
    description: record.trigger === "auto" ? "auto top-up" : "top-up",
    metadata: { stripe_charge_id: payment.chargeId, stripe_payment_intent_id: payment.id, top_up_trigger: record.trigger },
  };
  let credit: LedgerResult;
  try {
    credit = await deposit(deps.ledger, {
      ...paid,
      amount: record.amount,
      category: "paid",
      costBasis: record.costBasis?.toFixed() ?? "1",
      idempotencyKey: creditKey(record),
    });
  } catch (error) {
    if (error instanceof WalletTerminatedError) return { credit: null, returned: await returnForTerminatedWallet(deps, record, payment) };
    if (!(error instanceof IdempotencyConflictError)) throw error;
    const earlier = await operationAsAnswered(deps.ledger, scope, { idempotencyKey: creditKey(record) });
    // Another payment credited the top-up first: this one is given back.
    if (paymentIntentOf(earlier) !== payment.id)
      return { credit: earlier, returned: await returnPayment(deps, record, payment, "duplicate") };
    // This very payment, described differently (say, without its charge): already credited.
    credit = { ...earlier, replayed: true };
  }
  if (record.bonusAmount > 0n) {
    try {
      await deposit(deps.ledger, {
        ...paid,
        amount: record.bonusAmount,
        category: "granted",
        costBasis: "0",
        idempotencyKey: `topup:${record.id}:bonus`,
      });
    } catch (error) {
      // Terminated between the two deposits: the paid credits went with the wallet, and so would
      // these. A conflict is the same payment described differently, whose bonus is in.
      if (!(error instanceof WalletTerminatedError) && !(error instanceof IdempotencyConflictError)) throw error;
    }
  }
  // The row shows the payment as the credit recorded it.
  const creditedBy = paymentIntentOf(credit);
  const succeeded = {
    status: "succeeded" as const,
    stripePaymentIntentId: creditedBy ?? payment.id,
    stripeChargeId: creditedBy ? chargeIdOf(credit) : payment.chargeId,
    operationId: credit.operation.id,
    lockedUntil: null,
  };
  // Told once, by whichever completion moves it; a later one only writes the same figures again.
  const moved = await settleTopUp(deps.ledger, { where: { id: record.id, status: { not: "succeeded" } }, data: succeeded });
  if (!moved) await deps.ledger.prisma.topUp.update({ where: { id: record.id }, data: succeeded });
  return { credit, returned: null };
}

function creditMetadata(credit: LedgerResult): Record<string, unknown> {
  const metadata = credit.entries[0]?.metadata;
  return metadata && typeof metadata === "object" && !Array.isArray(metadata) ? metadata : {};
}

function paymentIntentOf(credit: LedgerResult): string | null {
  const id = creditMetadata(credit).stripe_payment_intent_id;
  return typeof id === "string" ? id : null;
}

function chargeIdOf(credit: LedgerResult): string | null {
  const id = creditMetadata(credit).stripe_charge_id;
  return typeof id === "string" ? id : null;
}

/**
 * The wallet took no more credits when the payment came in: give it back and close the top-up,
 * `refunded` once Stripe confirmed the refund (returned-payments.ts), `failed` until then.
 */
async function returnForTerminatedWallet(deps: PaymentsDeps, record: TopUp, payment: SucceededPayment): Promise<ReturnedPayment> {
  const returned = await returnPayment(deps, record, payment, "wallet_terminated");
  // Told once: only the call that fails a top-up still pending tells it; one whose refund Stripe
  // confirmed already is `refunded` (and told so).
  await settleTopUp(deps.ledger, {
    where: { id: record.id, status: "pending" },
    data: {
      status: "failed",
      failureCode: "wallet_terminated",
      declineCode: null,
      failureMessage: "the wallet was terminated before the payment was credited; the payment is being refunded",
      lockedUntil: null,
    },
  });
  return returned;
}

export interface DueTopUpsReport {
  succeeded: number;
  failed: number;
  /** Still pending: declined and waiting to retry, or Stripe's answer did not arrive. */
  pending: number;
}

/**
 * Works through pending top-ups that are due: auto top-ups to fire or retry, and top-ups that a
 * crash or an outage left with an unknown outcome. Each is taken under a lease, so gateways
 * sweeping together never work on one top-up at the same time. Then asks Stripe again for
 * refunds of returned payments whose answer did not arrive (returned-payments.ts).
 */
export async function runDueTopUps(deps: PaymentsDeps, options: { limit?: number } = {}): Promise<DueTopUpsReport> {
  const now = deps.ledger.now();
  const due = await deps.ledger.prisma.topUp.findMany({
    where: { status: "pending", nextAttemptAt: { lte: now }, OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }] },
    orderBy: { nextAttemptAt: "asc" },
    take: options.limit ?? 100,
  });
  const report: DueTopUpsReport = { succeeded: 0, failed: 0, pending: 0 };
  for (const candidate of due) {
    try {
      const outcome = await runTopUp(deps, candidate);
      if (outcome) report[outcome] += 1;
    } catch (error) {
      // One top-up that cannot complete (its wallet was terminated, say) must not stop the rest.
      log().error({ err: error }, `top-up ${candidate.id} could not be completed; it stays pending`);
      report.pending += 1;
    }
  }
  await runDueRefunds(deps, options);
  return report;
}

/**
 * Takes the lease on a pending top-up and makes its attempt: a new one when the last was declined
 * (or none was made), the same one when its outcome is unknown. Returns null when another
 * process holds the top-up or it is no longer pending.
 */
export async function runTopUp(deps: PaymentsDeps, seen: TopUp): Promise<keyof DueTopUpsReport | null> {
  const now = deps.ledger.now();
  const startsNewAttempt = seen.attempts === 0 || seen.attemptFailed;
  if (startsNewAttempt && (await walletTerminated(deps, seen))) {
    // Nothing to charge for: the wallet takes no more credits.
    const moved = await settleTopUp(deps.ledger, {
      where: { id: seen.id, status: "pending", attempts: seen.attempts, attemptFailed: seen.attemptFailed },
      data: {
        status: "failed",
        failureCode: "wallet_terminated",
        declineCode: null,
        failureMessage: "the wallet was terminated; nothing was charged",
        lockedUntil: null,
      },
    });
    return moved ? "failed" : null;
  }
  const claim = {
    lockedUntil: new Date(now.getTime() + LEASE_MS),
    ...(startsNewAttempt ? { attempts: seen.attempts + 1, attemptFailed: false } : {}),
  };
  const { count } = await deps.ledger.prisma.topUp.updateMany({
    where: {
      id: seen.id,
      status: "pending",
      attempts: seen.attempts,
      attemptFailed: seen.attemptFailed,
      OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }],
    },
    data: claim,
  });
  if (count === 0) return null;
  // What an attempt reads (amounts, card, attempt number) is fixed when the top-up is recorded or
  // matched by the claim, so the row is `seen` with the claim applied.
  const record: TopUp = { ...seen, ...claim };
  try {
    await attempt(deps, record);
    return "succeeded";
  } catch (error) {
    if (error instanceof PaymentPendingError) return "pending";
    if (error instanceof WalletTerminatedError) return "failed";
    if (error instanceof PaymentFailedError) {
      return (await deps.ledger.prisma.topUp.findUniqueOrThrow({ where: { id: record.id } })).status === "failed" ? "failed" : "pending";
    }
    throw error;
  }
}

async function walletTerminated(deps: PaymentsDeps, record: Pick<TopUp, "walletId">): Promise<boolean> {
  const wallet = await deps.ledger.prisma.wallet.findUnique({ where: { id: record.walletId }, select: { status: true } });
  return wallet?.status !== "active";
}

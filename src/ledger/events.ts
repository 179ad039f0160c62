// The event log: what changed, told once, in order per wallet. Every event is written in the
// transaction of the change it tells (a transactional outbox): it exists exactly when the change
// committed, and a rolled-back change leaves neither event nor a hole in the numbering. A
// wallet's events are numbered 1, 2, 3… by `wallet.last_event_sequence`, moved by the SQL
// function `append_event` under the wallet's row lock, which every command holds already.
//
// Amounts in payloads are minor units as strings (bigints never pass through a JS number), as
// on the GraphQL Money scalar. The README's "Events" section shows a payload of each type.
import type { Event, Hold, Prisma, TopUp, Wallet } from "../db/generated/client.ts";

/** Minor units, as a string of digits with an optional minus sign. */
export type MoneyString = string;

/** A wallet's balances as an event tells them (balances.ts: available = total − used − frozen). */
export interface EventBalance {
  available: MoneyString;
  total: MoneyString;
  used: MoneyString;
  frozen: MoneyString;
  /** Sum of every entry, credits not yet effective or past expiry included. */
  ledgerBalance: MoneyString;
  overdraftUsed: MoneyString;
}

export interface OperationCompletedPayload {
  operation: {
    id: string;
    /** The ledger operation's type: deposit, debit, hold, capture, release, …, termination. */
    type: string;
    reference: string | null;
    idempotencyKey: string | null;
    targetOperationId: string | null;
    holdId: string | null;
    /** The feature a debit or hold was for (it spent only blocks that apply to it); null otherwise. */
    feature: string | null;
    createdAt: string;
  };
  /** Sum of the operation's entries: what it moved in or out of the wallet (0 for a hold). */
  amount: MoneyString;
  entries: {
    id: string;
    sequence: string;
    type: string;
    amount: MoneyString;
    /** Null for the overdraft account. */
    blockId: string | null;
    holdId: string | null;
  }[];
  /** The wallet's balances just after the operation. */
  balance: EventBalance;
}

export interface WalletPayload {
  wallet: {
    id: string;
    customerId: string;
    name: string | null;
    currency: string;
    scale: number;
    status: string;
    overdraftLimit: MoneyString;
    defaultExpiryDays: number | null;
    /** Feature keys given to blocks deposited without their own (docs/scoped-credits.md). */
    defaultAppliesTo: string[];
    /** The rule its credits are spent by. */
    consumptionOrder: string;
    metadata: Prisma.JsonValue;
    terminatedAt: string | null;
  };
}

export interface TopUpPayload {
  topUp: {
    id: string;
    /** Credits, in minor units of the wallet. */
    amount: MoneyString;
    currency: string;
    /** What the card is charged, in minor units of `chargeCurrency`. */
    chargeAmount: MoneyString;
    chargeCurrency: string;
    bonusAmount: MoneyString;
    trigger: string;
    stripePaymentIntentId: string | null;
    /** The ledger operation that credited it (top_up.succeeded). */
    operationId: string | null;
    failureCode: string | null;
    declineCode: string | null;
    failureMessage: string | null;
  };
}

export interface TopUpRefundedPayload extends TopUpPayload {
  refund: {
    stripeRefundId: string | null;
    /** What went back to the payer, in minor units of `currency`. */
    amount: MoneyString;
    currency: string;
    /** Why the payment could not be credited, e.g. `wallet_terminated`. */
    reason: string;
  };
}

export interface HoldExpiredPayload {
  hold: { id: string; amount: MoneyString; reference: string | null; expiresAt: string | null };
  /** The release operation that gave the held credits back. */
  operationId: string;
}

export interface CreditsExpiredPayload {
  /** Credits that lapsed, in all, and per block. */
  amount: MoneyString;
  blocks: { id: string; category: string; amount: MoneyString; expiresAt: string | null }[];
  operationId: string;
}

export interface BalanceAlertPayload {
  alert: { id: string; threshold: MoneyString };
  balance: EventBalance;
}

export interface BalancePayload {
  balance: EventBalance;
}

/** An auto top-up rule that cannot run was paused; it resumes when the balance is back at its threshold, or the rule is set again. */
export interface AutoTopUpPausedPayload {
  rule: { walletId: string; threshold: MoneyString; pausedAt: string };
  /** Why: `payments_not_configured`, `payment_method_missing`, or the last attempt's decline code (e.g. `card_declined`). */
  reason: string;
  /** The same in a sentence, as the rule's `pausedReason` keeps it. */
  message: string;
  /** The auto top-up that gave up, when one was tried. */
  topUpId: string | null;
}

/** Every event type and its payload. */
export interface EventPayloads {
  "operation.completed": OperationCompletedPayload;
  "wallet.created": WalletPayload;
  "wallet.updated": WalletPayload;
  "wallet.terminated": WalletPayload;
  "top_up.succeeded": TopUpPayload;
  "top_up.failed": TopUpPayload;
  "top_up.refunded": TopUpRefundedPayload;
  "hold.expired": HoldExpiredPayload;
  "credits.expired": CreditsExpiredPayload;
  "balance.below_threshold": BalanceAlertPayload;
  "balance.depleted": BalancePayload;
  "balance.recovered": BalancePayload;
  "auto_top_up.paused": AutoTopUpPausedPayload;
}

export type EventType = keyof EventPayloads;

export const EVENT_TYPES: readonly EventType[] = [
  "operation.completed",
  "wallet.created",
  "wallet.updated",
  "wallet.terminated",
  "top_up.succeeded",
  "top_up.failed",
  "top_up.refunded",
  "hold.expired",
  "credits.expired",
  "balance.below_threshold",
  "balance.depleted",
  "balance.recovered",
  "auto_top_up.paused",
];

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

export type NewEvent = {
  [T in EventType]: {
    walletId: string;
    type: T;
    payload: EventPayloads[T];
    /** The ledger operation behind the event, when there is one. */
    operationId?: string | null;
    createdAt: Date;
  };
}[EventType];

/** An event as stored; `payload` is as its type says (EventPayloads). */
export type LoggedEvent = Event;

/** The wallet as `wallet.created`, `wallet.updated` and `wallet.terminated` tell it. */
export function walletPayload(wallet: Wallet): WalletPayload {
  return {
    wallet: {
      id: wallet.id,
      customerId: wallet.customerId,
      name: wallet.name,
      currency: wallet.currency,
      scale: wallet.scale,
      status: wallet.status,
      overdraftLimit: wallet.overdraftLimit.toString(),
      defaultExpiryDays: wallet.defaultExpiryDays,
      defaultAppliesTo: wallet.defaultAppliesTo,
      consumptionOrder: wallet.consumptionOrder,
      metadata: wallet.metadata,
      terminatedAt: wallet.terminatedAt?.toISOString() ?? null,
    },
  };
}

/** The top-up as `top_up.succeeded`, `top_up.failed` and `top_up.refunded` tell it. */
export function topUpPayload(topUp: TopUp): TopUpPayload {
  return {
    topUp: {
      id: topUp.id,
      amount: topUp.amount.toString(),
      currency: topUp.currency,
      chargeAmount: topUp.chargeAmount.toString(),
      chargeCurrency: topUp.chargeCurrency,
      bonusAmount: topUp.bonusAmount.toString(),
      trigger: topUp.trigger,
      stripePaymentIntentId: topUp.stripePaymentIntentId,
      operationId: topUp.operationId,
      failureCode: topUp.failureCode,
      declineCode: topUp.declineCode,
      failureMessage: topUp.failureMessage,
    },
  };
}

export function holdExpiredPayload(hold: Hold, operationId: string): HoldExpiredPayload {
  return {
    hold: { id: hold.id, amount: hold.amount.toString(), reference: hold.reference, expiresAt: hold.expiresAt?.toISOString() ?? null },
    operationId,
  };
}

/** What the writer of an event keeps of it, to tell subscribers once its transaction committed. */
export interface EventNotice {
  id: string;
  walletId: string;
  sequence: bigint;
  type: string;
}

/** Notices as the SQL functions answer them (event_notice_json). */
export function eventNoticesFromJson(rows: unknown): EventNotice[] {
  return (rows as { id: string; walletId: string; sequence: string; type: string }[]).map((row) => ({
    ...row,
    sequence: BigInt(row.sequence),
  }));
}

/**
 * Appends an event to the wallet's log inside the caller's transaction, with the wallet's next
 * sequence number. The caller should hold the wallet's row lock (every ledger command does);
 * otherwise this takes it, and holds it until the transaction ends.
 * Fails (an internal error) when the wallet does not exist.
 */
export async function recordEvent(tx: Prisma.TransactionClient, event: NewEvent): Promise<LoggedEvent> {
  const [row] = await tx.$queryRaw<LoggedEvent[]>`
    SELECT id::text AS id, position, tenant_id::text AS "tenantId", livemode, wallet_id::text AS "walletId", sequence, type,
           operation_id::text AS "operationId", payload, created_at AS "createdAt"
    FROM append_event(${event.walletId}::uuid, ${event.type}, ${event.operationId ?? null}::uuid,
                      ${JSON.stringify(event.payload)}::jsonb, ${event.createdAt}::timestamptz)`;
  if (!row?.id) throw new Error(`no wallet ${event.walletId} to record ${event.type} on`);
  return row;
}

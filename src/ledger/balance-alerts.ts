// Balance alerts: a threshold on a wallet's available credits (holds count: available = total −
// used − frozen). The alert fires `balance.below_threshold` once when a movement leaves available
// credits at or below the threshold (a debit landing exactly on it crosses it) and re-arms when a
// movement leaves them above it. The crossing is judged by the SQL function
// `record_balance_alerts`, in the transaction of the movement and under the wallet's row lock,
// so concurrent movements on any number of gateways see each crossing exactly once. Creating an
// alert takes the same lock and starts it in the state the balance is in: an alert set on a
// wallet already at or below its threshold fires after the balance has been above it again.
// A wallet has at most `balanceAlertsPerWallet` alerts, counted under that lock, so that gateways
// creating alerts at once cannot pass it together, and a movement never judges (nor writes events
// for) more alerts than that.
import type { BalanceAlert } from "../db/generated/client.ts";
import { authorize, walletsInScope } from "./access.ts";
import { DEFAULT_BALANCE_ALERTS_PER_WALLET, type LedgerContext, type Scope } from "./context.ts";
import { IdempotencyConflictError, LimitExceededError, NotFoundError, WalletTerminatedError } from "./errors.ts";
import { runOnce, type KeyedRecords } from "./idempotency.ts";
import { parseMinorUnits } from "./money.ts";
import { requireWalletInScope } from "./queries.ts";
import { hashRequest } from "./request-hash.ts";
import { requireId, validateIdempotencyKey, withLockedWallet } from "./transaction.ts";

export interface CreateBalanceAlertInput {
  scope: Scope;
  walletId: string;
  /** In minor units of the wallet; may be zero or negative (within an overdraft). */
  threshold: bigint;
  idempotencyKey?: string | null;
}

export interface BalanceAlertResult {
  alert: BalanceAlert;
  replayed: boolean;
}

const ALERT_KEY_INDEX = "balance_alert_tenant_id_livemode_idempotency_key_key";

/**
 * Sets an alert on a wallet. Fails with ForbiddenError (not a role that manages wallets),
 * NotFoundError, WalletTerminatedError, ValidationError, IdempotencyConflictError and
 * LimitExceededError (the wallet has as many alerts as it may; a replay still answers).
 */
export async function createBalanceAlert(ctx: LedgerContext, input: CreateBalanceAlertInput): Promise<BalanceAlertResult> {
  authorize(input.scope, "manage");
  const threshold = parseMinorUnits(input.threshold, "threshold");
  const idempotencyKey = validateIdempotencyKey(input.idempotencyKey);
  const requestHash = hashRequest("balance_alert", input.walletId, { threshold });
  const records: KeyedRecords<BalanceAlert, BalanceAlertResult> = {
    constraint: ALERT_KEY_INDEX,
    find: (key) =>
      ctx.prisma.balanceAlert.findUnique({
        where: {
          tenantId_livemode_idempotencyKey: { tenantId: input.scope.tenantId, livemode: input.scope.livemode, idempotencyKey: key },
        },
      }),
    replay: async (alert) => {
      if (alert.requestHash !== requestHash) throw new IdempotencyConflictError(alert.idempotencyKey ?? "");
      return { alert, replayed: true };
    },
  };
  return runOnce(idempotencyKey, records, async (replayEarlier) => {
    const earlier = await replayEarlier();
    if (earlier) return earlier;
    return withLockedWallet(ctx, input.scope, input.walletId, async (walletLedger, tx) => {
      if (walletLedger.wallet.status === "terminated") throw new WalletTerminatedError(walletLedger.wallet.id);
      const limit = ctx.balanceAlertsPerWallet ?? DEFAULT_BALANCE_ALERTS_PER_WALLET;
      // Counted under the wallet's lock, which every creator of an alert on it takes first.
      if ((await tx.balanceAlert.count({ where: { walletId: walletLedger.wallet.id, deletedAt: null } })) >= limit) {
        throw new LimitExceededError(
          "balance alerts per wallet",
          limit,
          `a wallet may have at most ${limit} balance alerts: remove one to add another`,
        );
      }
      // Lapsed holds released above count: the balance read here is the one the next movement starts from.
      if (walletLedger.hasUnflushedWrites()) await walletLedger.flush();
      const [row] = await tx.$queryRaw<{ available: string }[]>`
        SELECT wallet_balance_after(${walletLedger.wallet.id}::uuid, ${walletLedger.now}::timestamptz, NULL) ->> 'available' AS available`;
      const alert = await tx.balanceAlert.create({
        data: {
          tenantId: input.scope.tenantId,
          livemode: input.scope.livemode,
          walletId: walletLedger.wallet.id,
          threshold,
          below: BigInt(row!.available) <= threshold,
          idempotencyKey,
          requestHash,
          createdAt: walletLedger.now,
        },
      });
      return { alert, replayed: false };
    });
  });
}

/**
 * Removes an alert: it fires no more. Removing it again answers the removed alert.
 * Fails with ForbiddenError and NotFoundError (no such alert in the scope).
 */
export async function deleteBalanceAlert(ctx: LedgerContext, input: { scope: Scope; id: string }): Promise<BalanceAlert> {
  authorize(input.scope, "manage");
  requireId(input.id, "BalanceAlert");
  const alert = await ctx.prisma.balanceAlert.findFirst({ where: { id: input.id, wallet: walletsInScope(input.scope) } });
  if (!alert) throw new NotFoundError("BalanceAlert", input.id);
  if (alert.deletedAt) return alert;
  await ctx.prisma.balanceAlert.updateMany({ where: { id: alert.id, deletedAt: null }, data: { deletedAt: ctx.now() } });
  return ctx.prisma.balanceAlert.findUniqueOrThrow({ where: { id: alert.id } });
}

/** The wallet's alerts that have not been removed, highest threshold first; NotFoundError outside the scope. */
export async function listBalanceAlerts(ctx: LedgerContext, scope: Scope, walletId: string): Promise<BalanceAlert[]> {
  authorize(scope, "read");
  await requireWalletInScope(ctx, scope, walletId);
  return ctx.prisma.balanceAlert.findMany({ where: { walletId, deletedAt: null }, orderBy: [{ threshold: "desc" }, { id: "asc" }] });
}

// Commerce INTERVAL rules, run on their schedule by the `commerce-interval-rules` job (schedule.ts).
// The REST shim (src/rest/commerce/rules.ts) keeps the rules as given; this file runs them.
//
// A rule tops the wallet up at the start of each period: WEEKLY, MONTHLY, QUARTERLY or YEARLY from
// its `started_at` (the first top-up on that date), or, without one, from the wallet's creation
// (the first top-up one interval later: the wallet opened with its own credits). No top-up at or
// after the rule's `expiration_at`, nor for a terminated wallet. FIXED adds `paid_credits` and
// `granted_credits`; TARGET adds the paid credits that bring the net balance (available credits,
// holds excluded) up to `target_ongoing_balance`, and nothing when it is there already. Only the
// current period is run: periods missed while no gateway ran are not made up, so a rule whose
// start lies far back adds one top-up, not one per missed period.
//
// Once per period across gateways: the period is first recorded in `interval_top_up`, whose key
// is (wallet, rule, period start), with the amounts it adds; only the run whose insert created the
// row carries on, and the deposits are keyed by the period, so a run that dies between the record
// and the deposits is completed by the next run, with the same amounts, crediting them once.
// A rule is known by its schedule (interval and start, and which of the rules sharing them), not
// its amounts: a rule edited mid-period does not top up that period again.
import {
  type Wallet,
  systemScope,
  walletBalance,
  deposit,
  type LedgerContext,
  WalletTerminatedError,
  decimalToMinorUnits,
} from "../ledger/index.ts";
import { log } from "../observability/logger.ts";
import { CREDIT_SCALE, CREDIT_UNIT, pricingOf, settingsOf } from "../payments/commerce-settings.ts";

export type Interval = "WEEKLY" | "MONTHLY" | "QUARTERLY" | "YEARLY";

const MONTHS: Record<Exclude<Interval, "WEEKLY">, number> = { MONTHLY: 1, QUARTERLY: 3, YEARLY: 12 };
const WEEK_MS = 7 * 86_400_000;

export interface IntervalRule {
  key: string;
  interval: Interval;
  method: "FIXED" | "TARGET";
  paid: bigint;
  granted: bigint;
  target: bigint | null;
  /** The first period's start; null: the wallet's creation, with no top-up then. */
  startedAt: Date | null;
  expiresAt: Date | null;
}

/** The INTERVAL rules of a wallet's stored rules that can run; others (no interval, say) are kept and not run. */
export function intervalRulesOf(rules: unknown[]): IntervalRule[] {
  const seen = new Map<string, number>();
  const found: IntervalRule[] = [];
  for (const rule of rules) {
    if (
      !isObject(rule) ||
      rule.trigger !== "INTERVAL" ||
      typeof rule.interval !== "string" ||
      !(rule.interval === "WEEKLY" || rule.interval in MONTHS)
    )
      continue;
    const startedAt = dateOf(rule.started_at);
    const schedule = `${rule.interval}:${startedAt?.toISOString() ?? "created"}`;
    const nth = seen.get(schedule) ?? 0;
    seen.set(schedule, nth + 1);
    found.push({
      key: `${schedule}:${nth}`,
      interval: rule.interval as Interval,
      method: rule.method === "TARGET" ? "TARGET" : "FIXED",
      paid: creditsOf(rule.paid_credits),
      granted: creditsOf(rule.granted_credits),
      target: rule.target_ongoing_balance == null ? null : creditsOf(rule.target_ongoing_balance),
      startedAt,
      expiresAt: dateOf(rule.expiration_at),
    });
  }
  return found;
}

/** A stored rule is JSON from the wallet's metadata: an object, or something to leave alone. */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function dateOf(value: unknown): Date | null {
  if (typeof value !== "string") return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function creditsOf(value: unknown): bigint {
  if (typeof value !== "string") return 0n;
  try {
    const credits = decimalToMinorUnits(value, CREDIT_SCALE, "credits");
    return credits > 0n ? credits : 0n;
  } catch {
    return 0n;
  }
}

/** The start of period `n` counted from `anchor`; months keep the anchor's day, or the month's last. */
export function periodStart(anchor: Date, interval: Interval, n: number): Date {
  if (interval === "WEEKLY") return new Date(anchor.getTime() + n * WEEK_MS);
  const months = anchor.getUTCMonth() + n * MONTHS[interval];
  const year = anchor.getUTCFullYear() + Math.floor(months / 12);
  const month = ((months % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const start = new Date(anchor);
  start.setUTCFullYear(year, month, Math.min(anchor.getUTCDate(), lastDay));
  return start;
}

/** The start of the period `at` falls in, or null before the first top-up. */
export function currentPeriod(rule: Pick<IntervalRule, "interval" | "startedAt">, walletCreatedAt: Date, at: Date): Date | null {
  const anchor = rule.startedAt ?? walletCreatedAt;
  const first = rule.startedAt ? 0 : 1;
  if (at.getTime() < periodStart(anchor, rule.interval, first).getTime()) return null;
  // An estimate from the average length, then corrected by at most a step or two either way.
  const average = rule.interval === "WEEKLY" ? WEEK_MS : MONTHS[rule.interval] * 30.436875 * 86_400_000;
  let n = Math.max(first, Math.floor((at.getTime() - anchor.getTime()) / average));
  while (periodStart(anchor, rule.interval, n).getTime() > at.getTime()) n -= 1;
  while (periodStart(anchor, rule.interval, n + 1).getTime() <= at.getTime()) n += 1;
  return periodStart(anchor, rule.interval, n);
}

export interface IntervalRulesReport {
  credited: number;
  skipped: number;
}

/**
 * Tops up every commerce wallet whose INTERVAL rule's current period has not been topped up yet,
 * and completes periods a crash left recorded but not credited. Safe from any number of gateways
 * at once. Fails when the database does; a wallet that cannot take its top-up (terminated
 * meanwhile) is logged and skipped.
 */
export async function runDueIntervalRules(ctx: LedgerContext, options: { limit?: number } = {}): Promise<IntervalRulesReport> {
  const now = ctx.now();
  const report: IntervalRulesReport = { credited: 0, skipped: 0 };
  const wallets = await ctx.prisma.wallet.findMany({
    where: {
      status: "active",
      currency: CREDIT_UNIT,
      metadata: { path: ["commerce", "recurring_transaction_rules"], array_contains: [{ trigger: "INTERVAL" }] },
    },
    take: options.limit ?? 10_000,
  });
  for (const wallet of wallets) {
    for (const rule of intervalRulesOf(settingsOf(wallet).recurring_transaction_rules)) {
      const start = currentPeriod(rule, wallet.createdAt, now);
      if (!start || (rule.expiresAt && start.getTime() >= rule.expiresAt.getTime())) continue;
      const exists = await ctx.prisma.intervalTopUp.findUnique({
        where: { walletId_ruleKey_periodStart: { walletId: wallet.id, ruleKey: rule.key, periodStart: start } },
        select: { status: true },
      });
      if (exists) continue;
      const paid = rule.method === "TARGET" ? await shortOfTarget(ctx, wallet, rule.target ?? 0n) : rule.paid;
      const granted = rule.method === "TARGET" ? 0n : rule.granted;
      // Whoever inserts the period runs it; everyone else finds it recorded.
      const { count } = await ctx.prisma.intervalTopUp.createMany({
        data: [
          {
            walletId: wallet.id,
            ruleKey: rule.key,
            periodStart: start,
            paidAmount: paid,
            grantedAmount: granted,
            status: paid + granted > 0n ? "pending" : "skipped",
            createdAt: now,
          },
        ],
        skipDuplicates: true,
      });
      if (count === 1 && paid + granted === 0n) report.skipped += 1;
    }
  }
  const pending = await ctx.prisma.intervalTopUp.findMany({
    where: { status: "pending" },
    include: { wallet: true },
    take: options.limit ?? 10_000,
  });
  for (const period of pending) {
    try {
      await creditPeriod(ctx, period.wallet, period);
      report.credited += 1;
    } catch (error) {
      if (error instanceof WalletTerminatedError) {
        // Terminated between the record and the deposit: the wallet takes no more credits.
        await ctx.prisma.intervalTopUp.updateMany({
          where: { walletId: period.walletId, ruleKey: period.ruleKey, periodStart: period.periodStart, status: "pending" },
          data: { status: "skipped" },
        });
        report.skipped += 1;
        continue;
      }
      log().error(
        { err: error },
        `the INTERVAL top-up of wallet ${period.walletId} for ${period.periodStart.toISOString()} could not be credited; it is tried again on the next run`,
      );
    }
  }
  return report;
}

async function shortOfTarget(ctx: LedgerContext, wallet: Wallet, target: bigint): Promise<bigint> {
  const balance = await walletBalance(ctx, systemScope(wallet.tenantId, wallet.livemode), wallet.id);
  return balance.available < target ? target - balance.available : 0n;
}

async function creditPeriod(
  ctx: LedgerContext,
  wallet: Wallet,
  period: { ruleKey: string; periodStart: Date; paidAmount: bigint; grantedAmount: bigint },
): Promise<void> {
  const settings = settingsOf(wallet);
  const scope = systemScope(wallet.tenantId, wallet.livemode);
  const key = `interval:${wallet.id}:${period.ruleKey}:${period.periodStart.toISOString()}`;
  const shared = {
    scope,
    walletId: wallet.id,
    expiresAt:
      settings.expiration_at && new Date(settings.expiration_at).getTime() > ctx.now().getTime() ? new Date(settings.expiration_at) : null,
    description: "interval top-up",
    metadata: { top_up_trigger: "interval", period_start: period.periodStart.toISOString() },
  };
  if (period.paidAmount > 0n) {
    await deposit(ctx, {
      ...shared,
      amount: period.paidAmount,
      category: "paid",
      costBasis: pricingOf(settings).unitPrice,
      idempotencyKey: `${key}:paid`,
    });
  }
  if (period.grantedAmount > 0n) {
    await deposit(ctx, { ...shared, amount: period.grantedAmount, category: "granted", costBasis: "0", idempotencyKey: `${key}:granted` });
  }
  await ctx.prisma.intervalTopUp.updateMany({
    where: { walletId: wallet.id, ruleKey: period.ruleKey, periodStart: period.periodStart, status: "pending" },
    data: { status: "credited" },
  });
}

// Auto top-ups: when a wallet's available credits fall below its rule's threshold after a
// debit, charge the owner's card. They follow the event log from a cursor in the database
// (src/jobs/event-follower.ts): the check of a committed change is recorded in the transaction
// that moves the cursor past its event, so a gateway dying right after a debit's commit leaves
// the event ahead of the cursor, and the next gateway to follow the log makes the check; a commit
// is never checked twice. The database decides who fires: the rule row is locked while the
// balance is read, a partial unique index allows one open auto top-up per wallet, and an auto
// top-up names the event it was fired for (unique), so any number of concurrent debits, in any
// number of gateways, fire it once per crossing.
//
// A rule never fails in silence. Setting one where the scope cannot take payments is refused
// (PaymentsNotConfiguredError). A rule whose threshold is crossed when it cannot run (payments
// not configured, no payment method on file) is paused at once, and one that gave up after its
// declined attempts is paused too: each with an `auto_top_up.paused` event naming the reason and
// a log line. Setting the rule again resumes it.
import type { AutoTopUpRule, PrismaClient, TopUp, Wallet } from "../db/generated/client.ts";
import { startEventFollower, type EventFollower, type FollowedEvent } from "../jobs/event-follower.ts";
import { hashRequest, isUniqueViolation, TRANSACTION_OPTIONS, type Tx } from "../ledger/extension.ts";
import {
  authorize,
  getWallet,
  parseMinorUnits,
  systemScope,
  ValidationError,
  walletBalance,
  WalletTerminatedError,
  type CommittedChange,
  type Scope,
  type ValidationIssue,
} from "../ledger/index.ts";
import { log } from "../observability/logger.ts";
import { pauseAutoTopUpRule, type RuleCannotRun } from "./auto-top-up-pause.ts";
import { PaymentsNotConfiguredError } from "./errors.ts";
import { paymentsConfiguredFor, type PaymentsDeps } from "./payment-methods.ts";
import type { StripeAccess } from "./stripe-client.ts";
import { chargeFor, creditsCosting, type Pricing } from "./pricing.ts";
import { minimumTopUp, runTopUp } from "./top-up.ts";

export interface AutoTopUpSettings {
  /** Fire when available credits fall below this many minor units. */
  threshold: bigint;
  /** Charge this much each time… */
  amount?: bigint | null;
  /** …or what brings available credits back up to this. Exactly one of the two. */
  targetBalance?: bigint | null;
  /** Attempts per top-up before giving up (1 to 20, default 4). */
  maxAttempts?: number | null;
  /** Granted credits added free with each top-up. */
  bonusAmount?: bigint | null;
  /** For credits priced in money; without it the card is charged in the wallet's currency. */
  pricing?: Pricing | null;
  /** When the credits each top-up adds expire (a wallet-wide expiry date); none fires after it. */
  creditsExpireAt?: Date | null;
}

/**
 * Sets (or, with null, removes) a wallet's auto top-up rule. Setting a rule resumes one that was
 * paused. Fails with NotFoundError, WalletTerminatedError, ValidationError and
 * PaymentsNotConfiguredError (a rule, where the scope cannot take payments).
 */
export async function setAutoTopUpRule(
  deps: PaymentsDeps,
  input: { scope: Scope; walletId: string; rule: AutoTopUpSettings | null },
): Promise<AutoTopUpRule | null> {
  authorize(input.scope, "manage");
  if (input.rule !== null) requirePaymentsForAutoTopUp(deps.payments, input.scope);
  const wallet = await getWallet(deps.ledger, input.scope, input.walletId);
  return writeAutoTopUpRule(deps.ledger.prisma, wallet, input.rule);
}

/** What a rule set where the scope cannot take payments is told. */
export const AUTO_TOP_UP_NEEDS_PAYMENTS =
  "an auto top-up rule charges a card, and payments are not configured on this gateway for this token's mode: set STRIPE_SECRET_KEY (a test key for test tokens), or run `npm run dev` for a local fake Stripe";

/** A rule charges a card: refused where the scope cannot take payments, rather than accepted to do nothing. */
export function requirePaymentsForAutoTopUp(payments: StripeAccess | null, scope: Pick<Scope, "livemode">): void {
  if (!paymentsConfiguredFor(payments, scope)) throw new PaymentsNotConfiguredError(AUTO_TOP_UP_NEEDS_PAYMENTS);
}

/**
 * Writes (with null, removes) a wallet's rule through `db`, e.g. in the transaction of a command
 * that changes the wallet's settings with it. Fails with WalletTerminatedError and ValidationError.
 */
export async function writeAutoTopUpRule(
  db: Pick<Tx, "autoTopUpRule">,
  wallet: Pick<Wallet, "id" | "currency" | "status">,
  settings: AutoTopUpSettings | null,
): Promise<AutoTopUpRule | null> {
  if (settings === null) {
    await db.autoTopUpRule.deleteMany({ where: { walletId: wallet.id } });
    return null;
  }
  if (wallet.status !== "active") throw new WalletTerminatedError(wallet.id);
  const rule = validAutoTopUpRule(settings, wallet.currency);
  return db.autoTopUpRule.upsert({
    where: { walletId: wallet.id },
    create: { walletId: wallet.id, ...rule },
    update: { ...rule, pausedAt: null, pausedReason: null },
  });
}

/** Checks a rule without touching the database (ValidationError), e.g. before other changes. */
export function validAutoTopUpRule(settings: AutoTopUpSettings, currency: string) {
  const pricing = settings.pricing ?? null;
  const minimum = minimumTopUp(pricing?.chargeCurrency ?? currency);
  const errors: ValidationIssue[] = [];
  const read = (value: unknown, field: string) => {
    try {
      return value == null ? null : parseMinorUnits(value, field);
    } catch {
      errors.push({ path: ["autoTopUp", field], message: "must be a whole number of minor units" });
      return null;
    }
  };
  const threshold = read(settings.threshold, "threshold");
  const amount = read(settings.amount, "amount");
  const targetBalance = read(settings.targetBalance, "targetBalance");
  const bonusAmount = read(settings.bonusAmount, "bonusAmount") ?? 0n;
  const maxAttempts = settings.maxAttempts ?? 4;
  if (threshold === null || threshold < 0n) errors.push({ path: ["autoTopUp", "threshold"], message: "must be 0 or more" });
  if ((amount === null) === (targetBalance === null))
    errors.push({ path: ["autoTopUp", "amount"], message: "give exactly one of amount and targetBalance" });
  if (amount !== null && (pricing ? chargeFor(amount, pricing) : amount) < minimum) {
    errors.push({
      path: ["autoTopUp", "amount"],
      message: pricing ? `must cost at least ${minimum} in ${pricing.chargeCurrency} minor units` : `must be at least ${minimum}`,
    });
  }
  if (bonusAmount < 0n) errors.push({ path: ["autoTopUp", "bonusAmount"], message: "must be 0 or more" });
  if (targetBalance !== null && threshold !== null && targetBalance <= threshold) {
    errors.push({ path: ["autoTopUp", "targetBalance"], message: "must be above the threshold" });
  }
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 20)
    errors.push({ path: ["autoTopUp", "maxAttempts"], message: "must be 1 to 20" });
  if (!pricing && !/^[A-Z]{3}$/.test(currency)) {
    errors.push({ path: ["autoTopUp"], message: `the wallet holds ${currency}, which has no price to charge a card with` });
  }
  if (errors.length > 0)
    throw new ValidationError(
      `invalid auto top-up rule: ${errors.map((error) => `${error.path.at(-1)} ${error.message}`).join("; ")}`,
      errors,
    );
  const creditsExpireAt = settings.creditsExpireAt ?? null;
  return {
    threshold: threshold!,
    amount,
    targetBalance,
    maxAttempts,
    bonusAmount,
    unitPrice: pricing?.unitPrice ?? null,
    chargeCurrency: pricing?.chargeCurrency ?? null,
    creditsExpireAt,
  };
}

/**
 * Looks at a wallet after a change, in its own transaction: see openAutoTopUp. The event log's
 * follower (followAutoTopUps) is what checks committed changes; this is for a change known
 * otherwise.
 */
export async function checkAutoTopUp(deps: PaymentsDeps, change: CommittedChange): Promise<TopUp | null> {
  const { scope, walletId } = change;
  // Most wallets have no rule: one indexed read, no transaction.
  if (!(await deps.ledger.prisma.autoTopUpRule.findUnique({ where: { walletId }, select: { walletId: true } }))) return null;
  let found: AutoTopUpCheck;
  try {
    found = await deps.ledger.prisma.$transaction(
      (tx) => openAutoTopUp(deps, tx, { scope, walletId, fires: change.type !== "deposit", firedByEventId: null }),
      TRANSACTION_OPTIONS,
    );
  } catch (error) {
    // Another check opened this wallet's auto top-up first.
    if (isUniqueViolation(error, ONE_OPEN_AUTO_TOP_UP_INDEX)) return null;
    throw error;
  }
  if (found && "cannotRun" in found) {
    await pauseAutoTopUpRule(deps.ledger, found.cannotRun);
    return null;
  }
  return found;
}

/** What a check found: a top-up to charge, a rule to pause, or nothing to do. */
type AutoTopUpCheck = TopUp | { cannotRun: RuleCannotRun } | null;

interface WalletChange {
  scope: Scope;
  walletId: string;
  /** A change that may fire a top-up (anything but a deposit); otherwise the check only resumes a paused rule. */
  fires: boolean;
  /** The event the top-up is fired for, if it is. */
  firedByEventId: string | null;
}

/**
 * Looks at a wallet after a change, in `tx`: below the threshold after a debit-like change, with
 * no auto top-up open, it records one and returns it; back at the threshold, it resumes a paused
 * rule. Deposits never fire a top-up, so a top-up too small to reach the threshold waits for the
 * next debit instead of charging again and again. Uses only `tx`.
 */
async function openAutoTopUp(deps: PaymentsDeps, tx: Tx, change: WalletChange): Promise<AutoTopUpCheck> {
  const { scope, walletId } = change;
  // One check per wallet at a time, in every gateway; the balance is read after the lock.
  const [locked] = await tx.$queryRaw<
    { wallet_id: string }[]
  >`SELECT wallet_id::text FROM auto_top_up_rule WHERE wallet_id = ${walletId}::uuid FOR UPDATE`;
  if (!locked) return null;
  const rule = await tx.autoTopUpRule.findUniqueOrThrow({ where: { walletId } });
  // Open top-up first, balance second: a top-up stops being open only after its credit
  // committed, so a balance read after seeing none open already counts the last credit.
  if (await tx.topUp.findFirst({ where: { walletId, trigger: "auto", status: "pending" }, select: { id: true } })) return null;
  const inTransaction = { ...deps.ledger, prisma: tx as unknown as PrismaClient };
  const { available } = await walletBalance(inTransaction, scope, walletId);
  if (available >= rule.threshold) {
    if (rule.pausedAt) await tx.autoTopUpRule.update({ where: { walletId }, data: { pausedAt: null, pausedReason: null } });
    return null;
  }
  if (rule.pausedAt || !change.fires) return null;
  // Credits that would expire on arrival are not worth a charge.
  if (rule.creditsExpireAt && rule.creditsExpireAt.getTime() <= deps.ledger.now().getTime()) return null;
  const wallet = await getWallet(inTransaction, scope, walletId);
  if (wallet.status !== "active") return null;
  // A top-up that cannot be charged is not recorded to fail later: the rule is paused now, and told.
  if (!paymentsConfiguredFor(deps.payments, scope)) {
    return { cannotRun: { walletId, reason: "payments_not_configured", message: AUTO_TOP_UP_NEEDS_PAYMENTS } };
  }
  if (!wallet.customer.stripeCustomerId || !wallet.customer.paymentMethodId) {
    return {
      cannotRun: {
        walletId,
        reason: "payment_method_missing",
        message: "no payment method on file for the wallet's customer: set one first",
      },
    };
  }
  const { amount, chargeAmount, chargeCurrency, costBasis } = priceOf(
    rule,
    rule.amount ?? rule.targetBalance! - available,
    wallet.currency,
  );
  const now = deps.ledger.now();
  return tx.topUp.create({
    data: {
      tenantId: scope.tenantId,
      livemode: scope.livemode,
      walletId,
      amount,
      currency: wallet.currency,
      chargeAmount,
      chargeCurrency,
      costBasis,
      bonusAmount: rule.bonusAmount,
      creditsExpireAt: rule.creditsExpireAt,
      trigger: "auto",
      requestHash: hashRequest("auto_top_up", walletId, { amount, threshold: rule.threshold }),
      stripeCustomerId: wallet.customer.stripeCustomerId,
      paymentMethodId: wallet.customer.paymentMethodId,
      firedByEventId: change.firedByEventId,
      attempts: 0,
      nextAttemptAt: now,
      createdAt: now,
    },
  });
}

/** The partial unique index that allows one open auto top-up per wallet. */
const ONE_OPEN_AUTO_TOP_UP_INDEX = "top_up_one_open_auto_top_up_per_wallet";

/** The credits to add for `wanted` and their charge, raised to the charge currency's minimum. */
function priceOf(rule: AutoTopUpRule, wanted: bigint, walletCurrency: string) {
  if (!rule.unitPrice || !rule.chargeCurrency) {
    const minimum = minimumTopUp(walletCurrency);
    const amount = wanted < minimum ? minimum : wanted;
    return { amount, chargeAmount: amount, chargeCurrency: walletCurrency, costBasis: "1" };
  }
  const pricing = { unitPrice: rule.unitPrice.toFixed(), chargeCurrency: rule.chargeCurrency };
  const fewest = creditsCosting(minimumTopUp(rule.chargeCurrency), pricing);
  const amount = wanted < fewest ? fewest : wanted;
  return { amount, chargeAmount: chargeFor(amount, pricing), chargeCurrency: rule.chargeCurrency, costBasis: pricing.unitPrice };
}

/** The auto top-ups' cursor in `event_cursor` (its first position is set by the migration that made the table). */
export const AUTO_TOP_UPS_CONSUMER = "auto-top-ups";

/**
 * The checks a batch of committed events calls for, in the follower's transaction: one per
 * wallet with a rule, after the batch's last change to it. `operation.completed` events are the
 * changes (a deposit's only resumes a paused rule); the others (wallet, top-up, alert events) come
 * with one, or change no balance. Returns the auto top-ups it recorded, to charge after commit,
 * and the rules that cannot run, to pause then.
 */
export async function autoTopUpsFor(deps: PaymentsDeps, tx: Tx, events: readonly FollowedEvent[]): Promise<AutoTopUpsFound> {
  const changes = new Map<string, WalletChange>();
  for (const event of events) {
    if (event.type !== "operation.completed") continue;
    const fires = event.operationType !== "deposit";
    const seen = changes.get(event.walletId);
    changes.set(event.walletId, {
      scope: systemScope(event.tenantId, event.livemode),
      walletId: event.walletId,
      fires: fires || (seen?.fires ?? false),
      firedByEventId: fires ? event.id : (seen?.firedByEventId ?? null),
    });
  }
  const found: AutoTopUpsFound = { topUps: [], cannotRun: [] };
  if (changes.size === 0) return found;
  const ruled = await tx.autoTopUpRule.findMany({
    where: { walletId: { in: [...changes.keys()] } },
    select: { walletId: true },
    orderBy: { walletId: "asc" },
  });
  // In wallet order: rule rows are locked in one order by every follower.
  for (const { walletId } of ruled) {
    const check = await openAutoTopUp(deps, tx, changes.get(walletId)!);
    if (check && "cannotRun" in check) found.cannotRun.push(check.cannotRun);
    else if (check) found.topUps.push(check);
  }
  return found;
}

/** The auto top-ups a batch recorded, to charge after commit, and the rules to pause then. */
export interface AutoTopUpsFound {
  topUps: TopUp[];
  cannotRun: RuleCannotRun[];
}

export interface AutoTopUps {
  /** Starts following now, rather than on first use. */
  start(): void;
  /** Give to the ledger context's `onCommitted`: a commit wakes the follower now rather than at its next poll. */
  onCommitted(change?: CommittedChange): void;
  /** Resolves once every change committed so far was checked and the top-ups it fired have finished (tests). */
  settled(): Promise<void>;
  /** Stops following, and resolves once the check and the top-ups under way have finished (shutdown). */
  stop(): Promise<void>;
}

export interface FollowOptions {
  /** How often the log is looked at with no commit here to wake the follower; null: only when woken (tests). */
  pollMs?: number | null;
  /** Events read in one step (EVENT_FOLLOWER_BATCH). */
  batchSize?: number;
}

/**
 * Follows the event log for auto top-ups, in the background: each committed change is checked
 * once, by whichever gateway holds the cursor, and the top-ups it fires are charged after that
 * commit. A top-up that cannot be charged now (or whose process dies first) is left pending for
 * runDueTopUps, which charges or retries it.
 */
export function followAutoTopUps(deps: () => PaymentsDeps, options: FollowOptions = {}): AutoTopUps {
  let follower: EventFollower | null = null;
  // Started on first use: the ledger context that deps() answers is built after this watcher.
  const started = () =>
    (follower ??= startEventFollower({
      prisma: deps().ledger.prisma,
      pollMs: options.pollMs,
      batchSize: options.batchSize,
      reaction: {
        consumer: AUTO_TOP_UPS_CONSUMER,
        inTransaction: (tx, events) => autoTopUpsFor(deps(), tx, events),
        afterCommit: async ({ topUps, cannotRun }) => {
          for (const rule of cannotRun) await pauseAutoTopUpRule(deps().ledger, rule);
          await Promise.all(
            topUps.map((record) =>
              runTopUp(deps(), record).catch((error: unknown) =>
                log().error({ err: error }, `auto top-up of wallet ${record.walletId} failed; it stays pending`),
              ),
            ),
          );
        },
      },
    }));
  return {
    start: () => void started(),
    onCommitted: () => started().wake(),
    settled: () => started().caughtUp(),
    stop: async () => {
      await follower?.stop();
    },
  };
}

/** followAutoTopUps, woken by commits only: for tests that follow the log by hand. */
export function watchAutoTopUps(deps: () => PaymentsDeps): AutoTopUps {
  return followAutoTopUps(deps, { pollMs: null });
}

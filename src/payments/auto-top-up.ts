// Auto top-ups: when a wallet's available credits fall below its rule's threshold after a
// debit, charge the owner's card. The database decides who fires: the rule row is locked while
// the balance is read, and a partial unique index allows one open auto top-up per wallet, so
// any number of concurrent debits, in any number of gateways, fire it once per crossing.
import { authorize } from "../ledger/access.ts";
import type { AutoTopUpRule, PrismaClient, TopUp, Wallet } from "../db/generated/client.ts";
import { walletBalance } from "../ledger/balances.ts";
import type { CommittedChange, Scope } from "../ledger/context.ts";
import { ValidationError, WalletTerminatedError, type ValidationIssue } from "../ledger/errors.ts";
import { parseMinorUnits } from "../ledger/money.ts";
import { getWallet } from "../ledger/queries.ts";
import { isUniqueViolation } from "../ledger/idempotency.ts";
import { hashRequest } from "../ledger/request-hash.ts";
import { TRANSACTION_OPTIONS } from "../ledger/transaction.ts";
import type { Tx } from "../ledger/wallet-ledger.ts";
import type { PaymentsDeps } from "./payment-methods.ts";
import { chargeFor, creditsCosting, type Pricing } from "./pricing.ts";
import { minimumTopUp, runTopUp } from "./top-up.ts";
import { log } from "../observability/logger.ts";

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
 * paused after a top-up gave up. Fails with NotFoundError, WalletTerminatedError and
 * ValidationError.
 */
export async function setAutoTopUpRule(deps: PaymentsDeps, input: { scope: Scope; walletId: string; rule: AutoTopUpSettings | null }): Promise<AutoTopUpRule | null> {
  authorize(input.scope, "manage");
  const wallet = await getWallet(deps.ledger, input.scope, input.walletId);
  return writeAutoTopUpRule(deps.ledger.prisma, wallet, input.rule);
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
  if ((amount === null) === (targetBalance === null)) errors.push({ path: ["autoTopUp", "amount"], message: "give exactly one of amount and targetBalance" });
  if (amount !== null && (pricing ? chargeFor(amount, pricing) : amount) < minimum) {
    errors.push({ path: ["autoTopUp", "amount"], message: pricing ? `must cost at least ${minimum} in ${pricing.chargeCurrency} minor units` : `must be at least ${minimum}` });
  }
  if (bonusAmount < 0n) errors.push({ path: ["autoTopUp", "bonusAmount"], message: "must be 0 or more" });
  if (targetBalance !== null && threshold !== null && targetBalance <= threshold) {
    errors.push({ path: ["autoTopUp", "targetBalance"], message: "must be above the threshold" });
  }
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 20) errors.push({ path: ["autoTopUp", "maxAttempts"], message: "must be 1 to 20" });
  if (!pricing && !/^[A-Z]{3}$/.test(currency)) {
    errors.push({ path: ["autoTopUp"], message: `the wallet holds ${currency}, which has no price to charge a card with` });
  }
  if (errors.length > 0) throw new ValidationError(`invalid auto top-up rule: ${errors.map((error) => `${error.path.at(-1)} ${error.message}`).join("; ")}`, errors);
  const creditsExpireAt = settings.creditsExpireAt ?? null;
  return { threshold: threshold!, amount, targetBalance, maxAttempts, bonusAmount, unitPrice: pricing?.unitPrice ?? null, chargeCurrency: pricing?.chargeCurrency ?? null, creditsExpireAt };
}

/**
 * Looks at a wallet after a change: below the threshold after a debit-like change, with no auto
 * top-up open, it records one and returns it; back at the threshold, it resumes a paused rule.
 * Deposits never fire a top-up, so a top-up too small to reach the threshold waits for the next
 * debit instead of charging again and again.
 */
export async function checkAutoTopUp(deps: PaymentsDeps, change: CommittedChange): Promise<TopUp | null> {
  const { scope, walletId } = change;
  // Most wallets have no rule: one indexed read, no transaction.
  if (!(await deps.ledger.prisma.autoTopUpRule.findUnique({ where: { walletId }, select: { walletId: true } }))) return null;
  try {
    return await deps.ledger.prisma.$transaction(async (tx) => {
      // One check per wallet at a time, in every gateway; the balance is read after the lock.
      const [locked] = await tx.$queryRaw<{ wallet_id: string }[]>`SELECT wallet_id::text FROM auto_top_up_rule WHERE wallet_id = ${walletId}::uuid FOR UPDATE`;
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
      if (rule.pausedAt || change.type === "deposit") return null;
      // Credits that would expire on arrival are not worth a charge.
      if (rule.creditsExpireAt && rule.creditsExpireAt.getTime() <= deps.ledger.now().getTime()) return null;
      const wallet = await getWallet(inTransaction, scope, walletId);
      if (wallet.status !== "active") return null;
      const { amount, chargeAmount, chargeCurrency, costBasis } = priceOf(rule, rule.amount ?? rule.targetBalance! - available, wallet.currency);
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
          attempts: 0,
          nextAttemptAt: now,
          createdAt: now,
        },
      });
    }, TRANSACTION_OPTIONS);
  } catch (error) {
    // Another check opened this wallet's auto top-up first.
    if (isUniqueViolation(error, ONE_OPEN_AUTO_TOP_UP_INDEX)) return null;
    throw error;
  }
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

export interface AutoTopUps {
  /** Give to the ledger context's `onCommitted`. */
  onCommitted(change: CommittedChange): void;
  /** Resolves once every check and top-up started so far has finished (tests, shutdown). */
  settled(): Promise<void>;
}

/**
 * Watches committed changes and fires auto top-ups in the background, after the change's own
 * answer. A top-up that cannot run now is left pending for runDueTopUps, which retries it.
 */
export function watchAutoTopUps(deps: () => PaymentsDeps): AutoTopUps {
  const running = new Set<Promise<void>>();
  return {
    onCommitted(change) {
      const current = deps();
      if (!current.payments) return;
      const work = checkAutoTopUp(current, change)
        .then(async (record) => {
          if (record) await runTopUp(current, record);
        })
        .catch((error: unknown) => log().error({ err: error }, `auto top-up of wallet ${change.walletId} failed`))
        .finally(() => running.delete(work));
      running.add(work);
    },
    async settled() {
      while (running.size > 0) await Promise.all(running);
    },
  };
}

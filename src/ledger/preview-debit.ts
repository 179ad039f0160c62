// What a debit would do, told before it is made and without writing anything: the blocks it
// would draw on and how much from each, what it would put on the overdraft, the balances after,
// the credits that expire before it, and whether the wallet's auto top-up would fire. The same
// consumption code as the debit: eligibility (appliesToFeature, isSpendableAt), order
// (compareConsumption) and draws (planDraws); `ledger_debit` spells them in SQL, and
// test/ledger/consumption-agreement.test.ts and test/ledger/preview-debit.test.ts hold them to
// one answer.
import type { ConsumptionOrder, CreditBlock } from "../db/generated/client.ts";
import { walletsInScopeSql } from "./access.ts";
import { balanceFromBlocks, walletBalance, type WalletBalance } from "./balances.ts";
import { appliesToFeature, consumptionOrderOf, hasExpiredAt, inForceAt, isSpendableAt, planDraws, type Draw } from "./consumption.ts";
import type { LedgerContext, Scope } from "./context.ts";
import { NotFoundError, ValidationError, WalletTerminatedError } from "./errors.ts";
import { requireId, validCategories, validConsumptionOrder, validDate, validOptionalFeature } from "./input.ts";
import { minBigInt, parseMinorUnits, requirePositive } from "./money.ts";

export interface PreviewDebitInput {
  scope: Scope;
  walletId: string;
  amount: bigint;
  /** As on debit: spend only blocks that apply to this feature (or to any usage). */
  feature?: string | null;
  /** As on debit: spend only these categories (no overdraft then). */
  categories?: string[] | null;
  /** When the debit would be made; default now, never earlier. */
  at?: Date | null;
  /** Preview under this rule instead of the wallet's own, e.g. before choosing it. */
  consumptionOrder?: string | null;
}

export interface DebitPreview {
  /** The debit would succeed: the blocks, and the overdraft where allowed, cover the amount. */
  allowed: boolean;
  /** What neither the blocks nor the overdraft could cover; null when allowed. */
  shortfall: bigint | null;
  /** The blocks the debit would draw on, in the order it would, and how much from each. */
  allocations: Draw[];
  /** What would go on the overdraft account. */
  overdraft: bigint;
  /** The wallet's balances just after the debit (as they stand at `at` when it is not allowed). */
  balanceAfter: WalletBalance;
  /** Blocks the debit could use now that expire by `at`, with the credits they have left. */
  expiresMeanwhile: CreditBlock[];
  autoTopUp: { wouldTrigger: boolean; amount: bigint | null };
  at: Date;
  feature: string | null;
  /** The rule the allocations follow. */
  consumptionOrder: ConsumptionOrder;
}

/**
 * Previews a debit of `amount` on a wallet of the scope (NotFoundError outside it). Fails with
 * ValidationError (amount ≤ 0, a bad feature key or category, `at` in the past) and
 * WalletTerminatedError, as the debit would. Reads the wallet's blocks once; writes nothing.
 * Holds past their expiry count as held until the debit releases them.
 */
export async function previewDebit(ctx: LedgerContext, input: PreviewDebitInput): Promise<DebitPreview> {
  const amount = requirePositive(parseMinorUnits(input.amount, "amount"), "amount");
  const feature = validOptionalFeature(input.feature);
  const categories = validCategories(input.categories);
  const orderGiven = input.consumptionOrder == null ? null : validConsumptionOrder(input.consumptionOrder);
  requireId(input.walletId, "Wallet");
  const now = ctx.now();
  const at = validDate(input.at, "at") ?? now;
  if (at.getTime() < now.getTime()) throw new ValidationError("at must not be in the past", [{ path: ["at"], message: "is in the past" }]);

  const [balance, wallet] = await Promise.all([
    // Now is read as every balance now is (stored figures, whatever the clock); a later instant likewise.
    walletBalance(ctx, input.scope, input.walletId, at === now ? undefined : at),
    walletRules(ctx, input.scope, input.walletId),
  ]);
  if (!wallet) throw new NotFoundError("Wallet", input.walletId);
  if (wallet.status === "terminated") throw new WalletTerminatedError(input.walletId);

  const blocks = balance.blocks.map(({ block }) => block);
  const eligible = blocks.filter(
    (block) => appliesToFeature(block, feature) && (categories === null || categories.includes(block.category)),
  );
  const consumptionOrder = orderGiven ?? wallet.consumptionOrder;
  const order = consumptionOrderOf(consumptionOrder);
  const spendable = eligible.filter((block) => isSpendableAt(block, at)).sort(order);
  const { draws, shortfall: uncovered } = planDraws(spendable, amount);
  // As ledger_debit: a debit limited to categories never overdraws.
  const overdraftRoom = categories === null ? wallet.overdraftLimit - wallet.overdraftUsed : 0n;
  const overdraft = minBigInt(uncovered, overdraftRoom > 0n ? overdraftRoom : 0n);
  const allowed = uncovered <= overdraftRoom;

  const drawn = new Map(draws.map((draw) => [draw.block.id, draw.amount]));
  const blocksAfter = allowed
    ? blocks.map((block) => {
        const taken = drawn.get(block.id) ?? 0n;
        return taken === 0n ? block : { ...block, remaining: block.remaining - taken, used: block.used + taken };
      })
    : blocks;
  const balanceAfter = allowed
    ? balanceFromBlocks({ id: balance.walletId, overdraftUsed: balance.overdraftUsed + overdraft }, blocksAfter, at)
    : balance;

  const expiresMeanwhile = eligible
    .filter((block) => block.status === "active" && block.remaining > 0n && inForceAt(block, now) && hasExpiredAt(block, at))
    .sort(order);

  return {
    allowed,
    shortfall: allowed ? null : uncovered - (overdraftRoom > 0n ? overdraftRoom : 0n),
    allocations: draws,
    overdraft: allowed ? overdraft : 0n,
    balanceAfter,
    expiresMeanwhile,
    autoTopUp: autoTopUpAfter(wallet, balanceAfter, allowed, at),
    at,
    feature,
    consumptionOrder,
  };
}

interface RuleView {
  status: string;
  consumptionOrder: ConsumptionOrder;
  overdraftLimit: bigint;
  overdraftUsed: bigint;
  autoTopUpRule: {
    threshold: bigint;
    amount: bigint | null;
    targetBalance: bigint | null;
    pausedAt: Date | null;
    creditsExpireAt: Date | null;
  } | null;
  autoTopUpPending: boolean;
}

interface RuleRow {
  status: string;
  consumption_order: ConsumptionOrder;
  overdraft_limit: bigint;
  overdraft_used: bigint;
  threshold: bigint | null;
  amount: bigint | null;
  target_balance: bigint | null;
  paused_at: Date | null;
  credits_expire_at: Date | null;
  auto_top_up_pending: boolean;
}

/** What the wallet allows beyond its blocks (status, overdraft) and its auto top-up rule: one query, beside the balance read. */
async function walletRules(ctx: LedgerContext, scope: Scope, walletId: string): Promise<RuleView | null> {
  const [row] = await ctx.prisma.$queryRaw<RuleRow[]>`
    SELECT w.status::text AS status, w.consumption_order::text AS consumption_order, w.overdraft_limit, w.overdraft_used, r.threshold, r.amount, r.target_balance, r.paused_at,
           r.credits_expire_at,
           EXISTS (SELECT 1 FROM top_up t WHERE t.wallet_id = w.id AND t.trigger = 'auto' AND t.status = 'pending') AS auto_top_up_pending
    FROM wallet w LEFT JOIN auto_top_up_rule r ON r.wallet_id = w.id
    WHERE w.id = ${walletId}::uuid AND ${walletsInScopeSql(scope)}`;
  if (!row) return null;
  return {
    status: row.status,
    consumptionOrder: row.consumption_order,
    overdraftLimit: BigInt(row.overdraft_limit),
    overdraftUsed: BigInt(row.overdraft_used),
    autoTopUpRule:
      row.threshold === null
        ? null
        : {
            threshold: BigInt(row.threshold),
            amount: row.amount === null ? null : BigInt(row.amount),
            targetBalance: row.target_balance === null ? null : BigInt(row.target_balance),
            pausedAt: row.paused_at,
            creditsExpireAt: row.credits_expire_at,
          },
    autoTopUpPending: row.auto_top_up_pending,
  };
}

/**
 * Whether the debit would start an auto top-up, by the rule payments/auto-top-up.ts applies after
 * a debit: an unpaused rule, none already pending, available credits below the threshold after
 * it, credits that would not expire on arrival. The amount is in credits, before pricing.
 */
function autoTopUpAfter(wallet: RuleView, after: WalletBalance, allowed: boolean, at: Date): DebitPreview["autoTopUp"] {
  const rule = wallet.autoTopUpRule;
  const fires =
    allowed &&
    rule !== null &&
    rule.pausedAt === null &&
    !wallet.autoTopUpPending &&
    after.available < rule.threshold &&
    !(rule.creditsExpireAt && rule.creditsExpireAt.getTime() <= at.getTime());
  if (!fires) return { wouldTrigger: false, amount: null };
  return { wouldTrigger: true, amount: rule.amount ?? rule.targetBalance! - after.available };
}

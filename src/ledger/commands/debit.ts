import { authorize } from "../access.ts";
import { balanceFromBlocks } from "../balances.ts";
import { observed, type LedgerContext, type Scope } from "../context.ts";
import { requireWalletInScope } from "../queries.ts";
import { debitAnswerFrom } from "../debit-answer.ts";
import { debitAlone, type LedgerDebitValues } from "../debit-batches.ts";
import { publishCommitted } from "../event-feed.ts";
import { InsufficientCreditsError, NotFoundError, WalletTerminatedError } from "../errors.ts";
import { releaseLapsedHolds } from "./release-lapsed-holds.ts";
import { validCategories, validMetadata, validOptionalFeature, validText } from "../input.ts";
import { parseMinorUnits, requirePositive } from "../money.ts";
import { hashRequest } from "../request-hash.ts";
import { runOnce } from "../idempotency.ts";
import { keyedOperations, outOfRangeAsValidation, replayOperation, requireId, validateIdempotencyKey } from "../transaction.ts";
import type { LedgerResult, Metadata } from "../wallet-ledger.ts";

export interface DebitInput {
  scope: Scope;
  walletId: string;
  amount: bigint;
  /** Spend only from these categories (no overdraft then). */
  categories?: string[] | null;
  /**
   * The usage the credits pay for: spend only blocks that apply to it (or to any usage), those
   * scoped to it first. None: blocks for any usage only.
   */
  feature?: string | null;
  description?: string | null;
  metadata?: Metadata | null;
  /** The caller's reference, e.g. an order id. */
  reference?: string | null;
  idempotencyKey?: string | null;
}

/**
 * Spends credits in consumption order, one `decrement` entry per block drawn from. What the
 * blocks cannot cover goes on the overdraft account, up to the wallet's overdraft limit.
 *
 * The hot path of the ledger, so it runs as one SQL statement: the `ledger_debit` function
 * (prisma/sql/ledger_debit.sql) does under the wallet's row lock what the other commands do
 * through runWalletCommand, its events included, in one pass: the wallet row updated once, the
 * balances after worked out from the wallet's blocks, never from its entries
 * (test/ledger/debit-cost.test.ts counts it). Under load, debits that arrive together share one
 * statement and one commit (src/ledger/debit-batches.ts). Lapsed holds, which the function leaves
 * to the general path, are released first and the debit tried again.
 *
 * Fails with ForbiddenError, InsufficientCreditsError (nothing written), NotFoundError, WalletTerminatedError,
 * ValidationError and IdempotencyConflictError.
 */
export function debit(ctx: LedgerContext, input: DebitInput): Promise<LedgerResult> {
  return observed(ctx, "debit", () => debitOnce(ctx, input));
}

async function debitOnce(ctx: LedgerContext, input: DebitInput): Promise<LedgerResult> {
  authorize(input.scope, "spend");
  const amount = requirePositive(parseMinorUnits(input.amount, "amount"), "amount");
  const categories = validCategories(input.categories);
  const feature = validOptionalFeature(input.feature);
  const description = validText(input.description, "description");
  const metadata = validMetadata(input.metadata);
  const reference = validText(input.reference, "reference", 255);
  const idempotencyKey = validateIdempotencyKey(input.idempotencyKey);
  requireId(input.walletId, "Wallet");
  // `ledger_debit` scopes by tenant and mode; a personal token's customer is checked first. A
  // wallet never changes customer, so the check cannot go stale before the lock.
  if (input.scope.customerId) await requireWalletInScope(ctx, input.scope, input.walletId);
  // The feature joins the request only when given, so that keys of debits made before features stay replayable.
  const request = { amount, categories, description, metadata, reference, ...(feature === null ? {} : { feature }) };
  const requestHash = hashRequest("debit", input.walletId, request);

  // `ledger_debit` answers a key it finds under the wallet lock with "replay"; a request with the
  // key that committed first on another wallet is found through the key's unique index.
  return runOnce(idempotencyKey, keyedOperations(ctx, input.scope, requestHash), async () => {
    for (let attempt = 0; ; attempt += 1) {
      const values: LedgerDebitValues = [
        input.scope.tenantId,
        input.scope.livemode,
        input.walletId,
        amount,
        categories,
        feature,
        ctx.now(),
        idempotencyKey,
        requestHash,
        reference,
        description,
        metadata,
      ];
      let answer: unknown;
      try {
        // With the debits that arrive beside it, when the context's client batches them (debit-batches.ts).
        answer = ctx.debitBatches?.client === ctx.prisma ? await ctx.debitBatches.run(values) : await debitAlone(ctx.prisma, values);
      } catch (error) {
        throw outOfRangeAsValidation(error);
      }
      // Typed by its contract (src/ledger/debit-answer.ts); an answer outside it is an internal error.
      const result = debitAnswerFrom(answer);
      switch (result.outcome) {
        case "debited": {
          publishCommitted(ctx, result.events);
          ctx.onCommitted?.({ scope: input.scope, walletId: input.walletId, type: "debit" });
          const { operation, wallet, entries, blocks, walletBlocks } = result;
          return {
            operation,
            wallet,
            entries,
            blocks,
            hold: null,
            replayed: false,
            balance: balanceFromBlocks(wallet, walletBlocks, operation.createdAt),
          };
        }
        case "replay": {
          const earlier = await ctx.prisma.operation.findUniqueOrThrow({ where: { id: result.operationId } });
          return replayOperation(ctx.prisma, earlier, requestHash);
        }
        case "insufficient":
          throw new InsufficientCreditsError(amount, result.available, feature);
        case "not_found":
          throw new NotFoundError("Wallet", input.walletId);
        case "terminated":
          throw new WalletTerminatedError(input.walletId);
        case "lapsed_holds":
          if (attempt > 0) throw new Error(`holds of wallet ${input.walletId} lapsed but were not released`);
          await releaseLapsedHolds(ctx, input.scope, input.walletId);
      }
    }
  });
}

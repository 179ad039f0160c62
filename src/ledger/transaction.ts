// The one way a command touches a wallet: open a transaction, lock the wallet row, answer a
// replay from the idempotency key, release holds that have run out, run the command, flush.
//
// Concurrency: every command on a wallet takes `SELECT … FOR UPDATE` on its row first and reads
// everything else after it, under READ COMMITTED, so commands on one wallet run one at a time in
// every gateway process and never work from stale balances; commands on different wallets run in
// parallel. A single lock per transaction means no deadlocks and no retries. Idempotency keys are
// unique per tenant and mode in the database (idempotency.ts): two concurrent first requests with
// one key cannot both commit; the loser finds the winner's operation and replays it. A replay
// answers what the operation answered, balances included, however the wallet moved since.
import type { Operation, OperationType, Wallet } from "../db/generated/client.ts";
import { authorize, permissionFor, walletsInScopeSql } from "./access.ts";
import { observed, type LedgerContext, type Scope } from "./context.ts";
import { balanceAfterOperation } from "./balances.ts";
import { IdempotencyConflictError, NotFoundError, ValidationError, WalletTerminatedError } from "./errors.ts";
import { publishCommitted } from "./event-feed.ts";
import type { EventNotice } from "./events.ts";
import { releaseExpiredHolds } from "./holds.ts";
import { runOnce, type KeyedRecords } from "./idempotency.ts";
import { requireId, validIdempotencyKey } from "./input.ts";
import { hashRequest } from "./request-hash.ts";
import { WALLET_COLUMNS } from "./rows.ts";
import { WalletLedger, type LedgerResult, type OperationFields, type Tx } from "./wallet-ledger.ts";

export interface WalletCommand {
  scope: Scope;
  walletId: string;
  type: OperationType;
  idempotencyKey?: string | null;
  reference?: string | null;
  targetOperationId?: string | null;
  /** The feature a debit or hold is for (stored on the operation; its event names it). */
  feature?: string | null;
  /** The caller's input; its hash tells a replay from a different request reusing the key. */
  request: unknown;
}

/** Generous waits: under contention a command queues for the wallet lock rather than failing. */
export const TRANSACTION_OPTIONS = { maxWait: 30_000, timeout: 60_000 } as const;

/** Input checks live in input.ts; these two are named here too for the commands that import them from here. */
export { requireId, validIdempotencyKey as validateIdempotencyKey };

/**
 * PostgreSQL's numeric_value_out_of_range (SQLSTATE 22003), as Prisma reports it for typed and
 * raw queries: a figure past what its bigint column holds.
 */
export function isNumericOutOfRange(error: unknown): boolean {
  const prismaError = error as { code?: string; meta?: unknown };
  if (prismaError?.code === "P2020") return true;
  if (prismaError?.code !== "P2010" && prismaError?.code !== "P2039") return false;
  return JSON.stringify(prismaError.meta ?? {}).includes('"originalCode":"22003"');
}

/**
 * The last line behind the range checks of WalletLedger.append: should a figure still overflow its
 * column, the request is refused as bad input (nothing was written: the transaction rolled back)
 * rather than failing as an internal error.
 */
export function outOfRangeAsValidation(error: unknown): unknown {
  if (!isNumericOutOfRange(error)) return error;
  return new ValidationError("amount would take a figure of the wallet past what the ledger can hold", [
    { path: ["amount"], message: "would overflow the wallet's balance, a block or the overdraft" },
  ]);
}

/**
 * Runs `body` as one operation on a locked wallet and returns what it wrote.
 * Fails with ForbiddenError (the scope's role may not do this), NotFoundError (wallet outside the
 * scope), WalletTerminatedError, IdempotencyConflictError, ValidationError (a figure that would
 * overflow its column), and whatever `body` throws; nothing is written on failure.
 */
export function runWalletCommand(
  ctx: LedgerContext,
  command: WalletCommand,
  body: (walletLedger: WalletLedger, operation: Operation) => Promise<void>,
): Promise<LedgerResult> {
  return observed(ctx, command.type, () => runCommand(ctx, command, body));
}

async function runCommand(
  ctx: LedgerContext,
  command: WalletCommand,
  body: (walletLedger: WalletLedger, operation: Operation) => Promise<void>,
): Promise<LedgerResult> {
  authorize(command.scope, permissionFor(command.type));
  const idempotencyKey = validIdempotencyKey(command.idempotencyKey);
  const requestHash = hashRequest(command.type, command.walletId, command.request);
  const result = await runOnce(idempotencyKey, keyedOperations(ctx, command.scope, requestHash), (replayEarlier) =>
    withLockedWallet(ctx, command.scope, command.walletId, async (walletLedger, tx) => {
      // Under the lock: a request waiting behind the first with its key answers as a replay.
      const earlier = await replayEarlier(tx);
      if (earlier) return earlier;
      if (walletLedger.wallet.status === "terminated") throw new WalletTerminatedError(walletLedger.wallet.id);
      const fields: OperationFields = {
        type: command.type,
        requestHash,
        idempotencyKey,
        reference: command.reference,
        targetOperationId: command.targetOperationId,
        feature: command.feature ?? null,
      };
      const operation = walletLedger.beginOperation(fields);
      await body(walletLedger, operation);
      await walletLedger.flush();
      return walletLedger.resultOf(operation);
    }),
  );
  if (result.replayed) return result;
  ctx.onCommitted?.({ scope: command.scope, walletId: command.walletId, type: command.type });
  // Read after commit, by sequence: the balances this operation left, not any later one's.
  return withBalanceAfter(ctx.prisma, result);
}

/**
 * Opens a transaction, locks the wallet, releases its lapsed holds (their own operations) and
 * hands `use` a WalletLedger to append to. `use` flushes what it wants kept; lapsed-hold
 * releases are flushed with it, or on their own when `use` returns without flushing. The events
 * flushed are told to the event feed once the transaction has committed.
 */
export async function withLockedWallet<T>(
  ctx: LedgerContext,
  scope: Scope,
  walletId: string,
  use: (walletLedger: WalletLedger, tx: Tx) => Promise<T>,
): Promise<T> {
  requireId(walletId, "Wallet");
  let written: readonly EventNotice[] = [];
  try {
    const result = await ctx.prisma.$transaction(async (tx) => {
      const now = ctx.now();
      const { wallet, hasLapsedHolds } = await lockWallet(tx, scope, walletId, now);
      const walletLedger = new WalletLedger(tx, wallet, now, scope);
      written = walletLedger.events;
      if (hasLapsedHolds && wallet.status === "active") {
        await releaseExpiredHolds(walletLedger);
      }
      const result = await use(walletLedger, tx);
      if (walletLedger.hasUnflushedWrites()) await walletLedger.flush();
      return result;
    }, TRANSACTION_OPTIONS);
    publishCommitted(ctx, written);
    return result;
  } catch (error) {
    throw outOfRangeAsValidation(error);
  }
}

/**
 * Locks the wallet row for the rest of the transaction and reads it in the same round trip;
 * NotFoundError outside the scope (another tenant or mode, or another customer's wallet). `hasLapsedHolds` saves the hot path a query when, as
 * usual, no hold has run out.
 */
export async function lockWallet(tx: Tx, scope: Scope, walletId: string, now: Date): Promise<{ wallet: Wallet; hasLapsedHolds: boolean }> {
  const [row] = await tx.$queryRaw<(Wallet & { hasLapsedHolds: boolean })[]>`
    SELECT ${WALLET_COLUMNS},
           EXISTS (SELECT 1 FROM hold h WHERE h.wallet_id = w.id AND h.status = 'open' AND h.expires_at <= ${now}) AS "hasLapsedHolds"
    FROM wallet w
    WHERE w.id = ${walletId}::uuid AND ${walletsInScopeSql(scope)}
    FOR UPDATE OF w`;
  if (!row) throw new NotFoundError("Wallet", walletId);
  const { hasLapsedHolds, ...wallet } = row;
  return { wallet, hasLapsedHolds };
}

type OperationReader = Pick<Tx, "operation">;

export function findOperationByKey(db: OperationReader, scope: Scope, idempotencyKey: string): Promise<Operation | null> {
  return db.operation.findUnique({
    where: { tenantId_livemode_idempotencyKey: { tenantId: scope.tenantId, livemode: scope.livemode, idempotencyKey } },
  });
}

/** The unique index over operations' idempotency keys (per tenant and mode). */
export const OPERATION_KEY_INDEX = "operation_tenant_id_livemode_idempotency_key_key";

/** Operations as the keyed records of runOnce: a replay answers what the operation answered. */
export function keyedOperations(ctx: LedgerContext, scope: Scope, requestHash: string): KeyedRecords<Operation, LedgerResult, Tx> {
  return {
    constraint: OPERATION_KEY_INDEX,
    find: (idempotencyKey, db) => findOperationByKey(db ?? ctx.prisma, scope, idempotencyKey),
    replay: (operation, db) => replayOperation(db ?? ctx.prisma, operation, requestHash),
  };
}

/**
 * What `operation` answered, marked as a replay: what it wrote, with the balances, the wallet's
 * figures, its blocks' figures and its hold as it left them. A different request is a conflict.
 */
export async function replayOperation(db: Tx, operation: Operation, requestHash: string): Promise<LedgerResult> {
  if (operation.requestHash !== requestHash) throw new IdempotencyConflictError(operation.idempotencyKey ?? "");
  return { ...(await operationResultAsItStood(db, operation)), replayed: true };
}

/** What `operation` wrote, with everything as the operation left it (see replayOperation). */
export async function operationResultAsItStood(db: Tx, operation: Operation): Promise<LedgerResult> {
  const result = await withBalanceAfter(db, await loadOperationResult(db, operation));
  const { hold } = result;
  // A hold opened by the operation was open when it answered, whatever became of it since.
  if (hold && operation.type === "hold" && hold.status !== "open")
    return { ...result, hold: { ...hold, status: "open", captured: 0n, resolvedAt: null } };
  return result;
}

/** The result with `balance`, and the wallet's and blocks' figures, as the operation left them. */
async function withBalanceAfter(db: Tx, result: LedgerResult): Promise<LedgerResult> {
  const { balance, lastSequence } = await balanceAfterOperation(db, result.operation, result.entries);
  const figures = new Map(balance.blocks.map((block) => [block.block.id, block.block]));
  return {
    ...result,
    wallet: { ...result.wallet, balance: balance.ledgerBalance, overdraftUsed: balance.overdraftUsed, lastSequence },
    blocks: result.blocks.map((block) => {
      const after = figures.get(block.id);
      return after ? { ...block, remaining: after.remaining, used: after.used, frozen: after.frozen } : block;
    }),
    balance,
  };
}

export async function loadOperationResult(db: Tx, operation: Operation): Promise<LedgerResult> {
  const entries = await db.ledgerEntry.findMany({ where: { operationId: operation.id }, orderBy: { sequence: "asc" } });
  const entryBlockIds = entries.flatMap((entry) => (entry.blockId ? [entry.blockId] : []));
  const [blocks, hold, wallet] = await Promise.all([
    db.creditBlock.findMany({ where: { OR: [{ id: { in: entryBlockIds } }, { operationId: operation.id }] } }),
    operation.holdId ? db.hold.findUnique({ where: { id: operation.holdId } }) : null,
    db.wallet.findUniqueOrThrow({ where: { id: operation.walletId } }),
  ]);
  const firstTouch = (id: string) => {
    const index = entryBlockIds.indexOf(id);
    return index === -1 ? Number.MAX_SAFE_INTEGER : index;
  };
  blocks.sort((a, b) => firstTouch(a.id) - firstTouch(b.id));
  return { operation, wallet, entries, blocks, hold, replayed: false };
}

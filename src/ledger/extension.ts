// The ledger's extension surface: what payments (src/payments/) builds on beyond index.ts. Only
// payments may import it (.dependency-cruiser.cjs). Each part is public for one reason:
//  - openWallet and updateWallet take a CommandExtension, with the deposit's pieces (depositRequest,
//    appendDeposit): a wallet opened with its credits and auto top-up rule, or its settings changed
//    with its rule, is one command, so one transaction and one idempotency record;
//  - reverseDeposit: Stripe's refunds and disputes hand a deposit's money back, and only payments
//    hears of them;
//  - inLedgerTransaction: a top-up's outcome and its event commit together, and the event feed
//    hears of the event after commit, as it does for a ledger command;
//  - runOnce, hashRequest, validIdempotencyKey, isUniqueViolation: a top-up is a keyed request
//    answered once, the way an operation is (idempotency.ts);
//  - operationAsAnswered: a top-up asked for again answers its credit as the deposit answered it.
// Everything else stays inside the ledger: the wallet lock, WalletLedger's appends, the SQL.
import { walletsInScope } from "./access.ts";
import type { LedgerContext, Scope } from "./context.ts";
import { NotFoundError } from "./errors.ts";
import { publishCommitted } from "./event-feed.ts";
import { recordEvent, type EventNotice, type LoggedEvent, type NewEvent } from "./events.ts";
import { requireId } from "./input.ts";
import { findOperationByKey, operationResultAsItStood, TRANSACTION_OPTIONS } from "./transaction.ts";
import type { LedgerResult, Tx } from "./wallet-ledger.ts";

export type { CommandExtension, Tx } from "./wallet-ledger.ts";
export { openWallet, type CreateWalletInput, type CreateWalletResult } from "./commands/create-wallet.ts";
export { updateWallet, type UpdateWalletInput } from "./commands/update-wallet.ts";
export { appendDeposit, depositRequest, type DepositInput } from "./commands/deposit.ts";
export { reverseDeposit } from "./commands/reverse-deposit.ts";
export { isUniqueViolation, runOnce, type KeyedRecords } from "./idempotency.ts";
export { hashRequest } from "./request-hash.ts";
export { validIdempotencyKey } from "./input.ts";
export { topUpPayload, type NewEvent } from "./events.ts";
export { TRANSACTION_OPTIONS } from "./transaction.ts";

/** What a body run by inLedgerTransaction works with. */
export interface LedgerTransaction {
  tx: Tx;
  /**
   * Appends an event to its wallet's log in this transaction, with the wallet's next sequence
   * (taking the wallet's row lock until the transaction ends); the event feed hears of it once
   * the transaction has committed. Fails (an internal error) when the wallet does not exist.
   */
  recordEvent(event: NewEvent): Promise<LoggedEvent>;
}

/**
 * Runs `body` in one transaction, with the ledger's generous waits (TRANSACTION_OPTIONS). The
 * events it recorded are told to the event feed after the commit, and never when it rolls back.
 * Fails with whatever `body` throws; nothing is written then.
 */
export async function inLedgerTransaction<T>(ctx: LedgerContext, body: (transaction: LedgerTransaction) => Promise<T>): Promise<T> {
  let recorded: EventNotice[] = [];
  const result = await ctx.prisma.$transaction(async (tx) => {
    const events: EventNotice[] = [];
    recorded = events;
    return body({
      tx,
      recordEvent: async (event) => {
        const logged = await recordEvent(tx, event);
        events.push(logged);
        return logged;
      },
    });
  }, TRANSACTION_OPTIONS);
  publishCommitted(ctx, recorded);
  return result;
}

/**
 * What an operation answered when it ran: what it wrote, with the balances and figures as it
 * left them (not marked as a replay). Found by id, or by its idempotency key, within `scope`.
 * Fails with NotFoundError when the scope has no such operation.
 */
export async function operationAsAnswered(
  ctx: LedgerContext,
  scope: Scope,
  which: { id: string } | { idempotencyKey: string },
): Promise<LedgerResult> {
  const operation =
    "id" in which
      ? await ctx.prisma.operation.findFirst({ where: { id: requireId(which.id, "Operation"), wallet: walletsInScope(scope) } })
      : await findOperationByKey(ctx.prisma, scope, which.idempotencyKey);
  if (!operation) throw new NotFoundError("Operation", "id" in which ? which.id : which.idempotencyKey);
  return operationResultAsItStood(ctx.prisma, operation);
}

// What `ledger_debit` (prisma/sql/ledger_debit.sql) answers, as a typed contract: the jsonb it
// returns has one shape per outcome, each parsed here into typed values (rows as Prisma reads
// them, amounts as bigint) so that src/ledger/commands/debit.ts reads no untyped field. A change
// to the function's answer that this contract does not follow fails here, naming the field,
// instead of handing a wrong value on; test/ledger/debit-answer.test.ts parses a real answer of
// every outcome.
import { z } from "zod";
import type { EventNotice } from "./events.ts";
import { BIGINT_TEXT, CREDIT_BLOCK_JSON, LEDGER_ENTRY_JSON, OPERATION_JSON, WALLET_JSON } from "./rows.ts";

/** An event the function wrote, as event_notice_json gives it: enough to tell subscribers after commit. */
const EVENT_NOTICE_JSON: z.ZodType<EventNotice> = z.object({ id: z.guid(), walletId: z.guid(), sequence: BIGINT_TEXT, type: z.string() });

export const DEBIT_ANSWER = z.discriminatedUnion("outcome", [
  z.object({
    outcome: z.literal("debited"),
    operation: OPERATION_JSON,
    /** The wallet row as the debit left it. */
    wallet: WALLET_JSON,
    /** One `decrement` per block drawn on, in consumption order, then the overdraft's if any. */
    entries: z.array(LEDGER_ENTRY_JSON),
    /** The blocks drawn on, as the debit left them. */
    blocks: z.array(CREDIT_BLOCK_JSON),
    /** Every block of the wallet as the debit left it, in creation order (its balances after). */
    walletBlocks: z.array(CREDIT_BLOCK_JSON),
    /** `operation.completed` and the balance alerts the debit crossed, written by the function itself. */
    events: z.array(EVENT_NOTICE_JSON),
  }),
  /** An operation with the idempotency key exists in the tenant and mode: nothing written. */
  z.object({ outcome: z.literal("replay"), operationId: z.guid() }),
  /** What the wallet could spend (blocks in the categories asked for, plus overdraft room): nothing written. */
  z.object({ outcome: z.literal("insufficient"), available: BIGINT_TEXT }),
  /** No such wallet in the tenant and mode. */
  z.object({ outcome: z.literal("not_found") }),
  z.object({ outcome: z.literal("terminated") }),
  /** Open holds have expired: the caller releases them through the general path and tries again. */
  z.object({ outcome: z.literal("lapsed_holds") }),
]);

export type DebitAnswer = z.output<typeof DEBIT_ANSWER>;

/**
 * The function's answer, typed. Fails (an internal error, never the caller's) when the answer is
 * outside the contract: the function and this file disagree.
 */
export function debitAnswerFrom(json: unknown): DebitAnswer {
  const parsed = DEBIT_ANSWER.safeParse(json);
  if (!parsed.success) throw new Error(`ledger_debit answered outside its contract: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

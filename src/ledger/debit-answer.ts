// What `ledger_debit` (prisma/sql/ledger_debit.sql) answers, as a typed contract: the jsonb it
// returns has one shape per outcome, each read here into typed values (rows as Prisma reads
// them, amounts as bigint) so that src/ledger/commands/debit.ts reads no untyped field. A change
// to the function's answer that this contract does not follow fails here, naming the field,
// instead of handing a wrong value on; test/ledger/debit-answer.test.ts parses a real answer of
// every outcome. Read with the field readers of rows.ts, not a schema library: this runs on
// every debit.
import type { CreditBlock, LedgerEntry, Operation, Wallet } from "../db/generated/client.ts";
import type { EventNotice } from "./events.ts";
import {
  BIGINT_TEXT,
  creditBlockFromJson,
  JsonFormError,
  ledgerEntryFromJson,
  listReader,
  objectReader,
  operationFromJson,
  readField,
  TEXT,
  UUID_TEXT,
  walletFromJson,
} from "./rows.ts";

export type DebitAnswer =
  | {
      outcome: "debited";
      operation: Operation;
      /** The wallet row as the debit left it. */
      wallet: Wallet;
      /** One `decrement` per block drawn on, in consumption order, then the overdraft's if any. */
      entries: LedgerEntry[];
      /** The blocks drawn on, as the debit left them. */
      blocks: CreditBlock[];
      /** Every block of the wallet as the debit left it, in creation order (its balances after). */
      walletBlocks: CreditBlock[];
      /** `operation.completed` and the balance alerts the debit crossed, written by the function itself. */
      events: EventNotice[];
    }
  /** An operation with the idempotency key exists in the tenant and mode: nothing written. */
  | { outcome: "replay"; operationId: string }
  /** What the wallet could spend (blocks in the categories asked for, plus overdraft room): nothing written. */
  | { outcome: "insufficient"; available: bigint }
  /** No such wallet in the tenant and mode. */
  | { outcome: "not_found" }
  | { outcome: "terminated" }
  /** Open holds have expired: the caller releases them through the general path and tries again. */
  | { outcome: "lapsed_holds" };

/** An event the function wrote, as event_notice_json gives it: enough to tell subscribers after commit. */
const eventNoticeFromJson = objectReader<EventNotice>({ id: UUID_TEXT, walletId: UUID_TEXT, sequence: BIGINT_TEXT, type: TEXT });
const entriesFromJson = listReader(ledgerEntryFromJson);
const blocksFromJson = listReader(creditBlockFromJson);
const eventNoticesFromJson = listReader(eventNoticeFromJson);

/**
 * The function's answer, typed. Fails (an internal error, never the caller's) when the answer is
 * outside the contract: the function and this file disagree.
 */
export function debitAnswerFrom(json: unknown): DebitAnswer {
  try {
    return read(json);
  } catch (error) {
    if (error instanceof JsonFormError) throw new Error(`ledger_debit answered outside its contract: ${error.message}`);
    throw error;
  }
}

function read(json: unknown): DebitAnswer {
  const answer = (typeof json === "object" && json !== null ? json : {}) as Record<string, unknown>;
  const outcome = answer.outcome;
  switch (outcome) {
    case "debited":
      return {
        outcome,
        operation: operationFromJson(answer.operation, "operation."),
        wallet: walletFromJson(answer.wallet, "wallet."),
        entries: entriesFromJson(answer.entries, "entries"),
        blocks: blocksFromJson(answer.blocks, "blocks"),
        walletBlocks: blocksFromJson(answer.walletBlocks, "walletBlocks"),
        events: eventNoticesFromJson(answer.events, "events"),
      };
    case "replay":
      return { outcome, operationId: readField(UUID_TEXT, answer.operationId, "operationId") };
    case "insufficient":
      return { outcome, available: readField(BIGINT_TEXT, answer.available, "available") };
    case "not_found":
    case "terminated":
    case "lapsed_holds":
      return { outcome };
    default:
      throw new JsonFormError(
        `outcome: expected debited, replay, insufficient, not_found, terminated or lapsed_holds, got ${JSON.stringify(outcome) ?? "nothing"}`,
      );
  }
}

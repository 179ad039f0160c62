import type { OperationType, PrismaClient } from "../db/generated/client.ts";
import type { Scope } from "./access.ts";
import type { DebitBatches } from "./debit-batches.ts";
import type { EventFeed } from "./event-feed.ts";

/** What every ledger function needs: the database and the clock it judges time by. */
export interface LedgerContext {
  prisma: PrismaClient;
  /** Injectable so that tests can move through effective and expiry dates. */
  now(): Date;
  /**
   * Told after a command changed a wallet and committed (never for a replay), e.g. to wake the
   * auto top-ups' follower of the event log sooner. A hint only: the process may die before it
   * is told, so work that must follow a commit reads the event log (src/jobs/event-follower.ts).
   * Called before the command returns, so it must hand its work off and never throw.
   */
  onCommitted?: (change: CommittedChange) => void;
  /** Told of every committed event (event-feed.ts), for the `walletUpdated` subscription. */
  eventFeed?: EventFeed;
  /**
   * Told of every wallet command's outcome (committed, replayed, or the error's code), for
   * metrics; must never throw.
   */
  onOperation?: (type: OperationType, outcome: string) => void;
  /**
   * Debits on `prisma` that arrive together go to the database together (debit-batches.ts); a
   * context on another client (a transaction's) debits alone. Unset: every debit alone.
   */
  debitBatches?: DebitBatches;
  /** Alerts a wallet may have (BALANCE_ALERTS_PER_WALLET); DEFAULT_BALANCE_ALERTS_PER_WALLET when unset. */
  balanceAlertsPerWallet?: number;
}

/** Balance alerts a wallet may have unless BALANCE_ALERTS_PER_WALLET says otherwise (balance-alerts.ts). */
export const DEFAULT_BALANCE_ALERTS_PER_WALLET = 25;

/** Runs a wallet command, telling ctx.onOperation how it ended. */
export async function observed<T extends { replayed: boolean }>(
  ctx: LedgerContext,
  type: OperationType,
  run: () => Promise<T>,
): Promise<T> {
  if (!ctx.onOperation) return run();
  try {
    const result = await run();
    ctx.onOperation(type, result.replayed ? "replayed" : "committed");
    return result;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    ctx.onOperation(type, error instanceof Error && typeof code === "string" && /^[A-Z_]+$/.test(code) ? code : "failed");
    throw error;
  }
}

export interface CommittedChange {
  scope: Scope;
  walletId: string;
  type: OperationType;
}

/** What a caller may touch and do: see access.ts. */
export type { Scope } from "./access.ts";

export function systemClock(): Date {
  return new Date();
}

import type { OperationType, PrismaClient } from "../db/generated/client.ts";
import type { Scope } from "./access.ts";
import type { EventFeed } from "./event-feed.ts";

/** What every ledger function needs: the database and the clock it judges time by. */
export interface LedgerContext {
  prisma: PrismaClient;
  /** Injectable so that tests can move through effective and expiry dates. */
  now(): Date;
  /**
   * Told after a command changed a wallet and committed (never for a replay), e.g. to fire auto
   * top-ups. Called before the command returns, so it must hand its work off and never throw.
   */
  onCommitted?: (change: CommittedChange) => void;
  /** Told of every committed event (event-feed.ts), for the `walletUpdated` subscription. */
  eventFeed?: EventFeed;
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

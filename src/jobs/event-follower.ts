// Work that reacts to commits follows the event log (src/ledger/events.ts) from a cursor kept in
// the database, so that a gateway dying between a commit and its reaction loses nothing, and no
// reaction happens twice. Auto top-ups are the one consumer (src/payments/auto-top-up.ts); a
// commit's in-process notice (LedgerContext.onCommitted) only wakes the follower sooner, and a
// poll finds whatever no notice told: a commit by a gateway that died, or by another gateway.
//
// The order followed. `event.position` is drawn from a sequence when the event is inserted, not
// when it commits: a transaction may take position 10 and commit after position 11 is visible,
// so a cursor that moved past 11 would skip 10 for good. Each event therefore keeps the id of the
// transaction that wrote it (`transaction_id`, pg_current_xact_id), and the log is read in
// (transaction_id, position) order, only below the oldest transaction still running
// (pg_snapshot_xmin of the reading statement's snapshot). Every transaction below that horizon
// has finished, and any transaction that writes later has a larger id, so no event can ever
// appear behind the cursor. The price: a write transaction left open anywhere on the server (ids
// are the whole server's) holds the follower back; the gateway's own end within their timeout
// (60 s), a step that stops at the horizon looks again shortly, and one held back for a minute
// says so in the log. Read-only transactions (reports, pg_dump) take no id and hold nothing.
//
// One at a time, across gateways. A step locks its consumer's cursor row FOR UPDATE SKIP LOCKED
// (a gateway finding it held steps aside and looks again shortly), reads a batch, reacts in the
// same transaction, and moves the cursor there: the reactions and the cursor commit together, or
// neither does. A crash leaves the cursor before the batch, and the next step, in any gateway,
// reads it again. What a reaction does outside the database (a Stripe charge) runs after the
// commit, and must be found again by another path should the process die first (for top-ups:
// they are recorded pending, and the due-top-ups job completes them).
//
// Webhooks and `walletUpdated` streams need no cursor here: their durable state is elsewhere. A
// webhook delivery is a row written with the event, by a trigger, and the sender claims pending
// rows (src/webhooks/delivery.ts); a stream remembers the last sequence it sent and re-reads the
// log from there (src/ledger/event-feed.ts). The event feed's notices only wake them.
import type { Prisma, PrismaClient } from "../db/generated/client.ts";
import { log } from "../observability/logger.ts";

/** An event as a follower reads it. */
export interface FollowedEvent {
  id: string;
  tenantId: string;
  livemode: boolean;
  walletId: string;
  sequence: bigint;
  type: string;
  /** For `operation.completed`, the operation's type (deposit, debit, …); null otherwise. */
  operationType: string | null;
}

export interface EventReaction<T> {
  /** The cursor's key in `event_cursor`; stable across releases. */
  consumer: string;
  /**
   * Reacts to a batch in the transaction that moves the cursor past it. Must use only `tx` (on
   * the embedded database, the client outside it waits for this transaction to end).
   */
  inTransaction(tx: Prisma.TransactionClient, events: readonly FollowedEvent[]): Promise<T>;
  /** Runs after that transaction committed, beside the next steps; its failure is logged. */
  afterCommit?(result: T): Promise<void>;
}

export interface FollowStep {
  /** False when another gateway held the cursor: this step read nothing. */
  claimed: boolean;
  /** Events reacted to. */
  read: number;
  /** A full batch was read: more may be waiting. */
  more: boolean;
  /** Committed events wait behind a transaction still running: look again shortly. */
  heldBack: boolean;
}

/** Events read in one step unless EVENT_FOLLOWER_BATCH says otherwise. */
export const DEFAULT_EVENT_FOLLOWER_BATCH = 100;
/** How often a follower looks at the log with nothing to wake it, unless EVENT_FOLLOWER_POLL_MS says otherwise. */
export const DEFAULT_EVENT_FOLLOWER_POLL_MS = 1_000;
/** Batches whose after-commit work may run at once in a process; past that, reading waits. */
export const AFTER_COMMIT_IN_FLIGHT = 4;
/**
 * Steps that a wake starts begin at most this often: under load a gateway commits hundreds of
 * times a second, and each commit's wake costs a step (a transaction of several statements) if
 * it has one of its own; this way the commits of 50 ms share one. A backlog (a full batch) is read
 * on at once.
 */
const WOKEN_STEP_INTERVAL_MS = 50;
/** First wait before looking again when the cursor was held or events were held back; doubled up to the poll. */
const RETRY_MS = 25;
/** Events held back this long by a transaction still running are worth a warning (once per such stretch). */
const HELD_BACK_WARNING_MS = 60_000;

interface CursorRow {
  transactionId: bigint;
  position: bigint;
}

interface EventRow extends FollowedEvent, CursorRow {
  /** Written by a transaction below the reading snapshot's horizon: it can be passed for good. */
  settled: boolean;
}

/** As the ledger's own transactions wait (src/ledger/transaction.ts). */
const TRANSACTION_OPTIONS = { maxWait: 30_000, timeout: 60_000 } as const;

/**
 * One step: claims the consumer's cursor, reads up to `batchSize` settled events after it, reacts,
 * and moves the cursor, in one transaction; then starts the reaction's after-commit work, which
 * it hands to `afterCommit`. A consumer without a cursor row starts at the log's horizon.
 * Fails when the database or the reaction does (then nothing moved).
 */
export async function followOnce<T>(
  prisma: PrismaClient,
  reaction: EventReaction<T>,
  options: { batchSize: number; afterCommit?: (work: Promise<void>) => void },
): Promise<FollowStep> {
  const outcome = await prisma.$transaction(async (tx) => {
    const cursor = await claimCursor(tx, reaction.consumer);
    if (!cursor) return null;
    const fetched = await tx.$queryRaw<EventRow[]>`
      SELECT id::text AS id, tenant_id::text AS "tenantId", livemode, wallet_id::text AS "walletId", sequence, type,
             CASE WHEN type = 'operation.completed' THEN payload->'operation'->>'type' END AS "operationType",
             transaction_id AS "transactionId", position,
             transaction_id < pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS settled
      FROM event
      WHERE (transaction_id, position) > (${cursor.transactionId}, ${cursor.position})
      ORDER BY transaction_id, position
      LIMIT ${options.batchSize}`;
    // In (transaction_id, position) order, the first unsettled event has only unsettled ones after it.
    const settledCount = fetched.findIndex((row) => !row.settled);
    const events = settledCount === -1 ? fetched : fetched.slice(0, settledCount);
    const step: FollowStep = {
      claimed: true,
      read: events.length,
      more: events.length === options.batchSize,
      heldBack: settledCount !== -1,
    };
    if (events.length === 0) return { step, result: null };
    const result = await reaction.inTransaction(tx, events.map(followedEvent));
    const last = events.at(-1)!;
    await tx.$executeRaw`
      UPDATE event_cursor SET transaction_id = ${last.transactionId}, position = ${last.position}, updated_at = now()
      WHERE consumer = ${reaction.consumer}`;
    return { step, result: { value: result } };
  }, TRANSACTION_OPTIONS);
  if (!outcome) return { claimed: false, read: 0, more: false, heldBack: false };
  if (outcome.result && reaction.afterCommit) options.afterCommit?.(reaction.afterCommit(outcome.result.value));
  return outcome.step;
}

/** The consumer's cursor, locked for this transaction; null when another transaction holds it. */
async function claimCursor(tx: Prisma.TransactionClient, consumer: string): Promise<CursorRow | null> {
  const [held] = await tx.$queryRaw<CursorRow[]>`
    SELECT transaction_id AS "transactionId", position FROM event_cursor WHERE consumer = ${consumer} FOR UPDATE SKIP LOCKED`;
  if (held) return held;
  // Missing (a consumer new to this database) or held: inserting tells which. A new cursor starts
  // at the horizon: every transaction not finished yet is at or after it.
  const [created] = await tx.$queryRaw<CursorRow[]>`
    INSERT INTO event_cursor (consumer, transaction_id, position)
    VALUES (${consumer}, pg_snapshot_xmin(pg_current_snapshot())::text::bigint, 0)
    ON CONFLICT (consumer) DO NOTHING
    RETURNING transaction_id AS "transactionId", position`;
  return created ?? null;
}

function followedEvent(row: EventRow): FollowedEvent {
  return {
    id: row.id,
    tenantId: row.tenantId,
    livemode: row.livemode,
    walletId: row.walletId,
    sequence: row.sequence,
    type: row.type,
    operationType: row.operationType,
  };
}

export interface EventFollower {
  /** Something committed: look now rather than at the next poll. A hint; never the only path. */
  wake(): void;
  /**
   * Resolves once every event committed before the call was reacted to, and the after-commit
   * work started so far has finished (and what it committed was reacted to in turn). For tests.
   */
  caughtUp(): Promise<void>;
  /** Stops looking, and resolves once the step and the after-commit work under way have finished. */
  stop(): Promise<void>;
}

export interface EventFollowerOptions<T> {
  prisma: PrismaClient;
  reaction: EventReaction<T>;
  batchSize?: number;
  /** Looks at the log this often with nothing to wake it; null: only when woken (tests). */
  pollMs?: number | null;
}

/** Follows the log in the background: at start, when woken, and every `pollMs`. */
export function startEventFollower<T>(options: EventFollowerOptions<T>): EventFollower {
  const batchSize = options.batchSize ?? DEFAULT_EVENT_FOLLOWER_BATCH;
  const pollMs = options.pollMs === undefined ? DEFAULT_EVENT_FOLLOWER_POLL_MS : options.pollMs;
  const afterCommits = new Set<Promise<void>>();
  let stopped = false;
  let wanted = false;
  let loop: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let retryMs = RETRY_MS;
  let heldBackSince: number | null = null;
  let warned = false;
  // Steps of this process run one after another: the loop's and caughtUp's.
  let previousStep: Promise<unknown> = Promise.resolve();

  const track = (work: Promise<void>) => {
    const tracked = work
      .catch((error: unknown) => log().error({ err: error }, `${options.reaction.consumer}: work after a commit failed`))
      .finally(() => afterCommits.delete(tracked));
    afterCommits.add(tracked);
  };
  const step = (): Promise<FollowStep> => {
    const next = previousStep.then(async () => {
      while (afterCommits.size >= AFTER_COMMIT_IN_FLIGHT) await Promise.race(afterCommits);
      return followOnce(options.prisma, options.reaction, { batchSize, afterCommit: track });
    });
    previousStep = next.catch(() => {});
    return next;
  };
  const lookAgainIn = (ms: number) => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = null;
      wake();
    }, ms);
    timer.unref();
  };
  const noteHeldBack = (heldBack: boolean) => {
    if (!heldBack) {
      heldBackSince = null;
      warned = false;
      return;
    }
    heldBackSince ??= Date.now();
    if (!warned && Date.now() - heldBackSince >= HELD_BACK_WARNING_MS) {
      warned = true;
      log().warn(
        { heldBackMs: Date.now() - heldBackSince },
        `${options.reaction.consumer}: committed events wait behind a write transaction that has been running for over a minute (see pg_stat_activity); they are reacted to once it ends`,
      );
    }
  };
  let lastStepAt = 0;
  let backlog = false;
  const run = async () => {
    while (wanted && !stopped) {
      const sinceLastStep = Date.now() - lastStepAt;
      if (!backlog && sinceLastStep < WOKEN_STEP_INTERVAL_MS) {
        await new Promise((resolve) => setTimeout(resolve, WOKEN_STEP_INTERVAL_MS - sinceLastStep));
        if (stopped) return;
      }
      wanted = false;
      backlog = false;
      lastStepAt = Date.now();
      let outcome: FollowStep;
      try {
        outcome = await step();
      } catch (error) {
        log().error({ err: error }, `${options.reaction.consumer}: the event log could not be followed; trying again`);
        lookAgainIn(pollMs ?? 1_000);
        return;
      }
      noteHeldBack(outcome.heldBack);
      if (outcome.more) {
        wanted = true;
        backlog = true;
      } else if (!outcome.claimed || outcome.heldBack) {
        lookAgainIn(retryMs);
        retryMs = Math.min(retryMs * 2, pollMs ?? 1_000);
      } else {
        retryMs = RETRY_MS;
      }
    }
  };
  const wake = () => {
    if (stopped) return;
    wanted = true;
    loop ??= run().finally(() => {
      loop = null;
      // Woken while the last step was already committing: go round again.
      if (wanted) wake();
    });
  };
  const poll = pollMs === null ? null : setInterval(wake, pollMs);
  poll?.unref();
  wake();

  return {
    wake,
    async caughtUp() {
      for (let round = 0; round < 1_000; round += 1) {
        const outcome = await step();
        if (!outcome.claimed || outcome.heldBack) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        } else if (outcome.read === 0) {
          if (afterCommits.size === 0) return;
          await Promise.all(afterCommits);
        }
      }
      throw new Error(`${options.reaction.consumer}: the event log did not settle`);
    },
    async stop() {
      stopped = true;
      if (poll) clearInterval(poll);
      if (timer) clearTimeout(timer);
      await loop;
      await previousStep;
      while (afterCommits.size > 0) await Promise.all(afterCommits);
    },
  };
}

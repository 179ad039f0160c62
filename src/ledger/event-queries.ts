// Reading the event log: lists for the `events` query (newest first, like Stripe's events
// endpoint), and a wallet's events as they commit, for the `walletUpdated` subscription. Both
// see only the wallets of the caller's scope.
import { authorize, walletsInScope } from "./access.ts";
import type { LedgerContext, Scope } from "./context.ts";
import { NotFoundError, ValidationError } from "./errors.ts";
import { EVENT_TYPES, isEventType, type EventType, type LoggedEvent } from "./events.ts";
import { requireWalletInScope } from "./queries.ts";
import { requireId } from "./input.ts";
import { WalletEventReader } from "./wallet-event-reader.ts";

export interface EventFilter {
  walletId?: string | null;
  types?: readonly string[] | null;
  /** Events before this position (the cursor of the previous page), newest first. */
  beforePosition?: bigint | null;
  limit: number;
}

/** Fails with ValidationError when a type is not one of EVENT_TYPES. */
export function validEventTypes(types: readonly string[] | null | undefined): EventType[] | null {
  if (!types?.length) return null;
  const unknown = types.filter((type) => !isEventType(type));
  if (unknown.length > 0) {
    throw new ValidationError(`unknown event type ${unknown.map((type) => JSON.stringify(type)).join(", ")}`, [
      { path: ["types"], message: `must be among ${EVENT_TYPES.join(", ")}` },
    ]);
  }
  return types as EventType[];
}

/** Events of the scope, newest first; with a wallet, that wallet's alone (NotFoundError outside the scope). */
export async function listEvents(ctx: LedgerContext, scope: Scope, filter: EventFilter): Promise<LoggedEvent[]> {
  authorize(scope, "read");
  const types = validEventTypes(filter.types);
  if (filter.walletId) await requireWalletInScope(ctx, scope, requireId(filter.walletId, "Wallet"));
  return ctx.prisma.event.findMany({
    where: {
      tenantId: scope.tenantId,
      livemode: scope.livemode,
      ...(scope.customerId ? { wallet: walletsInScope(scope) } : {}),
      ...(filter.walletId ? { walletId: filter.walletId } : {}),
      ...(types ? { type: { in: types } } : {}),
      ...(filter.beforePosition != null ? { position: { lt: filter.beforePosition } } : {}),
    },
    orderBy: { position: "desc" },
    take: filter.limit,
  });
}

export interface WatchOptions {
  /** The last sequence the client saw: the events after it are replayed first. Null: only events from now on. */
  afterSequence?: bigint | null;
  /** Ends the stream when aborted (the client left, its token was revoked…): `next` then answers done. */
  signal?: AbortSignal;
}

/**
 * The wallet's committed events in sequence order: those after `afterSequence` first (a replay
 * from the log), then each new one as it commits, without gap or repeat. Without
 * `afterSequence`, only events committed from now on. New events are read once per wallet and
 * process and shared by its streams (wallet-event-reader.ts); a replay reads its own pages, a
 * page at a time as the client takes them. The stream holds at most a page of events its client
 * has not taken. Fails with NotFoundError outside the scope.
 */
export async function watchWalletEvents(
  ctx: LedgerContext,
  scope: Scope,
  walletId: string,
  options: WatchOptions = {},
): Promise<AsyncIterableIterator<LoggedEvent>> {
  authorize(scope, "read");
  requireId(walletId, "Wallet");
  const wallet = await ctx.prisma.wallet.findFirst({
    where: { id: walletId, ...walletsInScope(scope) },
    select: { lastEventSequence: true },
  });
  if (!wallet) throw new NotFoundError("Wallet", walletId);
  return new WalletEventStream(ctx, walletId, wallet.lastEventSequence, options.afterSequence ?? wallet.lastEventSequence, options.signal);
}

class WalletEventStream implements AsyncIterableIterator<LoggedEvent> {
  /** Events read for the client and not yet taken: at most a page. */
  private unread: LoggedEvent[] = [];
  private readonly reader: WalletEventReader;
  private readonly leave: () => void;
  private stopped = false;
  private wake: (() => void) | null = null;

  constructor(
    ctx: LedgerContext,
    walletId: string,
    latestSequence: bigint,
    /** The last sequence handed to the client (or put in `unread`). */
    private last: bigint,
    private readonly signal?: AbortSignal,
  ) {
    ({ reader: this.reader, leave: this.leave } = WalletEventReader.join(ctx, walletId, latestSequence, () => this.wake?.()));
    signal?.addEventListener("abort", this.stop, { once: true });
    if (signal?.aborted) this.stop();
  }

  async next(): Promise<IteratorResult<LoggedEvent>> {
    while (!this.stopped) {
      const event = this.unread.shift();
      if (event) return { value: event, done: false };
      const shared = this.reader.eventsAfter(this.last);
      // Behind the reader's window: a replay page of its own.
      const page = shared ?? (await this.reader.replayPage(this.last));
      if (this.stopped) break;
      if (page.length > 0) {
        this.unread = page;
        this.last = page.at(-1)!.sequence;
        continue;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        // A notice may have been handled while the page was read.
        if (this.stopped || this.reader.latest > this.last) resolve();
      });
      this.wake = null;
    }
    return { value: undefined, done: true };
  }

  async return(): Promise<IteratorResult<LoggedEvent>> {
    this.stop();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<LoggedEvent> {
    return this;
  }

  /** Lets go of the reader and of the unread events, and ends a `next` under way. */
  private readonly stop = (): void => {
    if (this.stopped) return;
    this.stopped = true;
    this.unread = [];
    this.leave();
    this.signal?.removeEventListener("abort", this.stop);
    this.wake?.();
  };
}

// One reader per wallet per process for the `walletUpdated` streams watching it: when the event
// feed says the wallet's log grew, the reader reads the new events once and every stream of the
// wallet takes them from the reader's window of recent events. So a commit costs one read
// however many streams watch the wallet, and a wallet nobody watches costs nothing.
//
// A stream behind the window (a replay from an old sequence, or a client slower than the last
// WINDOW events) reads its own pages from the log, one page at a time and only when its client
// has taken the previous one; those replay reads take turns, at most REPLAY_READS_AT_ONCE per
// process, so that replays never hold the whole connection pool (health checks and money
// commands always find a connection). A reader reads only because a commit happened (or every
// RECHECK_MS, in case a notice was lost), never because a client asks: a client that reads
// nothing cannot make the gateway read more.
import type { LedgerContext } from "./context.ts";
import type { EventFeed } from "./event-feed.ts";
import type { LoggedEvent } from "./events.ts";
import { log } from "../observability/logger.ts";

/** Events per read, for the reader and for a replay alike. */
export const PAGE = 100;
/** Recent events each reader keeps for its streams: a stream further behind reads for itself. */
const WINDOW = 2 * PAGE;
/** Read the log again this often even without a notice: a lost notice delays, never loses. */
const RECHECK_MS = 5_000;
/** Replay pages read at once in a process, whatever the number of streams replaying. */
const REPLAY_READS_AT_ONCE = 2;

/** A page of the wallet's events after `afterSequence`, oldest first. */
function eventsAfter(ctx: LedgerContext, walletId: string, afterSequence: bigint, limit: number): Promise<LoggedEvent[]> {
  return ctx.prisma.event.findMany({ where: { walletId, sequence: { gt: afterSequence } }, orderBy: { sequence: "asc" }, take: limit });
}

/** The readers of one process (one event feed and database), by wallet, and its replay turns. */
class WalletEventReaders {
  readonly byWallet = new Map<string, WalletEventReader>();
  private replaysRunning = 0;
  private readonly replaysWaiting: (() => void)[] = [];

  constructor(readonly ctx: LedgerContext) {}

  /** A page of the wallet's log after `afterSequence`, read in turn with the process's other replays. */
  async replayPage(walletId: string, afterSequence: bigint): Promise<LoggedEvent[]> {
    if (this.replaysRunning >= REPLAY_READS_AT_ONCE) await new Promise<void>((resolve) => this.replaysWaiting.push(resolve));
    else this.replaysRunning += 1;
    try {
      return await eventsAfter(this.ctx, walletId, afterSequence, PAGE);
    } finally {
      // The turn passes straight to the next waiting replay, if any.
      const next = this.replaysWaiting.shift();
      if (next) next();
      else this.replaysRunning -= 1;
    }
  }
}

const NO_FEED: EventFeed = { publish: () => {}, subscribe: () => () => {}, close: async () => {} };
/** By event feed, then by database client: one set of readers per process (per app, in tests). */
const readersOf = new WeakMap<EventFeed, WeakMap<object, WalletEventReaders>>();

function readersFor(ctx: LedgerContext): WalletEventReaders {
  const feed = ctx.eventFeed ?? NO_FEED;
  let byDatabase = readersOf.get(feed);
  if (!byDatabase) readersOf.set(feed, (byDatabase = new WeakMap()));
  let readers = byDatabase.get(ctx.prisma);
  if (!readers) byDatabase.set(ctx.prisma, (readers = new WalletEventReaders(ctx)));
  return readers;
}

/** What a stream learns from its reader: that the window moved on. */
export type ReaderListener = () => void;

/**
 * The reader of a wallet's events in this process, shared by its streams. `join` with the
 * wallet's latest sequence as just read: the reader starts there (or is already past it).
 */
export class WalletEventReader {
  /** The latest sequence read; the window ends there. */
  private head: bigint;
  /** The last events read, contiguous and in order, ending at `head`; at most WINDOW. */
  private window: LoggedEvent[] = [];
  private readonly listeners = new Set<ReaderListener>();
  private readonly unsubscribe: () => void;
  private readonly recheck: NodeJS.Timeout;
  private reading = false;
  /** Set when the log may hold events after `head` that the read under way will not return. */
  private stale = false;

  static join(
    ctx: LedgerContext,
    walletId: string,
    latestSequence: bigint,
    listener: ReaderListener,
  ): { reader: WalletEventReader; leave: () => void } {
    const readers = readersFor(ctx);
    let reader = readers.byWallet.get(walletId);
    if (!reader)
      readers.byWallet.set(walletId, (reader = new WalletEventReader(readers, walletId, latestSequence, ctx.eventFeed ?? NO_FEED)));
    reader.listeners.add(listener);
    const joined = reader;
    return { reader: joined, leave: () => joined.leave(listener) };
  }

  private constructor(
    private readonly readers: WalletEventReaders,
    private readonly walletId: string,
    latestSequence: bigint,
    feed: EventFeed,
  ) {
    this.head = latestSequence;
    // Listening before the first read: an event committed meanwhile is read, or noticed.
    this.unsubscribe = feed.subscribe(walletId, (sequence) => {
      if (sequence > this.head) this.refresh();
    });
    this.recheck = setInterval(() => this.refresh(), RECHECK_MS);
    this.recheck.unref();
    this.refresh();
  }

  /** The latest sequence this reader has read. */
  get latest(): bigint {
    return this.head;
  }

  /**
   * Events after `sequence` from the window, oldest first and at most a page; [] when there are
   * none yet; null when the window no longer holds the next one (the stream reads for itself).
   */
  eventsAfter(sequence: bigint): LoggedEvent[] | null {
    if (sequence >= this.head) return [];
    const first = this.window[0];
    if (!first || first.sequence > sequence + 1n) return null;
    const from = Number(sequence + 1n - first.sequence);
    return this.window.slice(from, from + PAGE);
  }

  /** A page of the log after `sequence`, read for one stream that is behind the window. */
  replayPage(sequence: bigint): Promise<LoggedEvent[]> {
    return this.readers.replayPage(this.walletId, sequence);
  }

  private leave(listener: ReaderListener): void {
    this.listeners.delete(listener);
    if (this.listeners.size > 0 || this.readers.byWallet.get(this.walletId) !== this) return;
    this.readers.byWallet.delete(this.walletId);
    this.unsubscribe();
    clearInterval(this.recheck);
  }

  /** Reads what was committed after `head`, once, whoever asks and however often meanwhile. */
  private refresh(): void {
    if (this.reading) {
      this.stale = true;
      return;
    }
    this.reading = true;
    void this.readNewEvents().finally(() => (this.reading = false));
  }

  private async readNewEvents(): Promise<void> {
    do {
      this.stale = false;
      let page: LoggedEvent[];
      try {
        page = await eventsAfter(this.readers.ctx, this.walletId, this.head, PAGE);
      } catch (error) {
        // The next notice or recheck reads again; the streams wait meanwhile.
        log().error({ err: error }, "reading a wallet's new events failed");
        return;
      }
      if (page.length === PAGE) this.stale = true;
      if (page.length === 0) continue;
      this.window.push(...page);
      if (this.window.length > WINDOW) this.window.splice(0, this.window.length - WINDOW);
      this.head = page.at(-1)!.sequence;
      for (const listener of this.listeners) listener();
    } while (this.stale && this.listeners.size > 0);
  }
}

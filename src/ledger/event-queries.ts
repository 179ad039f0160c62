// Reading the event log: lists for the `events` query (newest first, like Stripe's events
// endpoint), and a wallet's events as they commit, for the `walletUpdated` subscription. Both
// see only the wallets of the caller's scope.
import { authorize, walletsInScope } from "./access.ts";
import type { LedgerContext, Scope } from "./context.ts";
import { NotFoundError, ValidationError } from "./errors.ts";
import { EVENT_TYPES, isEventType, type EventType, type LoggedEvent } from "./events.ts";
import { requireWalletInScope } from "./queries.ts";
import { requireId } from "./transaction.ts";

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

/** A page of the wallet's events after `afterSequence`, oldest first. */
function eventsAfter(ctx: LedgerContext, walletId: string, afterSequence: bigint, limit: number): Promise<LoggedEvent[]> {
  return ctx.prisma.event.findMany({ where: { walletId, sequence: { gt: afterSequence } }, orderBy: { sequence: "asc" }, take: limit });
}

const PAGE = 100;
/** Read the log again this often even without a notice: a lost notice delays, never loses. */
const RECHECK_MS = 5_000;

/**
 * The wallet's committed events in sequence order: those after `afterSequence` first (a replay
 * from the log), then each new one as it commits, without gap or repeat. Without
 * `afterSequence`, only events committed from now on. The stream reads the log itself; the
 * event feed only says when to read it. Fails with NotFoundError outside the scope.
 */
export async function watchWalletEvents(ctx: LedgerContext, scope: Scope, walletId: string, afterSequence?: bigint | null): Promise<AsyncIterableIterator<LoggedEvent>> {
  authorize(scope, "read");
  requireId(walletId, "Wallet");
  const wallet = await ctx.prisma.wallet.findFirst({ where: { id: walletId, ...walletsInScope(scope) }, select: { lastEventSequence: true } });
  if (!wallet) throw new NotFoundError("Wallet", walletId);
  return new WalletEventStream(ctx, walletId, afterSequence ?? wallet.lastEventSequence);
}

class WalletEventStream implements AsyncIterableIterator<LoggedEvent> {
  private readonly unread: LoggedEvent[] = [];
  private readonly unsubscribe: () => void;
  /** Set when the log may hold events after `last`: at first, and on each notice. */
  private stale = true;
  private stopped = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly ctx: LedgerContext,
    private readonly walletId: string,
    private last: bigint,
  ) {
    // Listening before the first read: an event committed meanwhile is read, or noticed.
    this.unsubscribe =
      ctx.eventFeed?.subscribe(walletId, (sequence) => {
        if (sequence <= this.last) return;
        this.stale = true;
        this.wake?.();
      }) ?? (() => {});
  }

  async next(): Promise<IteratorResult<LoggedEvent>> {
    while (!this.stopped) {
      const event = this.unread.shift();
      if (event) return { value: event, done: false };
      if (this.stale) {
        this.stale = false;
        const page = await eventsAfter(this.ctx, this.walletId, this.last, PAGE);
        if (page.length === PAGE) this.stale = true;
        if (page.length > 0) this.last = page.at(-1)!.sequence;
        this.unread.push(...page);
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, RECHECK_MS);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
      this.stale = true;
    }
    return { value: undefined, done: true };
  }

  async return(): Promise<IteratorResult<LoggedEvent>> {
    this.stopped = true;
    this.unsubscribe();
    this.wake?.();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<LoggedEvent> {
    return this;
  }
}

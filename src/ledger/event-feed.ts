// Tells whoever watches a wallet (the `walletUpdated` subscription) that its event log grew, once
// the events have committed. A notice carries only the wallet and its latest sequence: watchers
// read the events themselves from the log, from the last sequence they saw, so a notice lost,
// late or repeated can delay a watcher but never make it skip or repeat an event. In process by
// default; across gateway processes through Redis pub/sub (src/events/redis-event-feed.ts).
import type { EventNotice } from "./events.ts";
import { log } from "../observability/logger.ts";

export type SequenceListener = (sequence: bigint) => void;

export interface EventFeed {
  /** Tells the wallet's watchers, in every process the feed reaches. Never throws. */
  publish(walletId: string, sequence: bigint): void;
  /** Calls `listener` with each sequence published for the wallet; answers the unsubscribe. */
  subscribe(walletId: string, listener: SequenceListener): () => void;
  close(): Promise<void>;
}

/** Watchers of this process, by wallet: what every feed delivers to. */
export class WalletWatchers {
  private readonly byWallet = new Map<string, Set<SequenceListener>>();

  add(walletId: string, listener: SequenceListener): () => void {
    let listeners = this.byWallet.get(walletId);
    if (!listeners) this.byWallet.set(walletId, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.byWallet.get(walletId) === listeners) this.byWallet.delete(walletId);
    };
  }

  has(walletId: string): boolean {
    return this.byWallet.has(walletId);
  }

  notify(walletId: string, sequence: bigint): void {
    for (const listener of this.byWallet.get(walletId) ?? []) {
      try {
        listener(sequence);
      } catch (error) {
        log().error({ err: error }, "a wallet watcher failed");
      }
    }
  }
}

/** The feed of one process: enough when one gateway serves every subscriber. */
export function createInProcessEventFeed(): EventFeed {
  const watchers = new WalletWatchers();
  return {
    publish: (walletId, sequence) => watchers.notify(walletId, sequence),
    subscribe: (walletId, listener) => watchers.add(walletId, listener),
    close: async () => {},
  };
}

/** Tells the feed, after commit, of the events a command wrote: the latest sequence per wallet. */
export function publishCommitted(ctx: { eventFeed?: EventFeed }, events: readonly EventNotice[]): void {
  if (!ctx.eventFeed || events.length === 0) return;
  const latest = new Map<string, bigint>();
  for (const event of events) {
    const seen = latest.get(event.walletId);
    if (seen === undefined || event.sequence > seen) latest.set(event.walletId, event.sequence);
  }
  for (const [walletId, sequence] of latest) ctx.eventFeed.publish(walletId, sequence);
}

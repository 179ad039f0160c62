// The event feed across gateway processes (REDIS_URL): a commit on one gateway wakes the
// `walletUpdated` subscribers of every gateway. One channel carries "<wallet id> <sequence>" for
// every wallet; each process hands a notice to its own watchers of that wallet, if any. Every
// process subscribes once, at start, so no notice is lost to a subscription still being set up.
//
// Notices only say when to read: subscribers read the events from the database. A notice lost
// while Redis is away delays a subscriber until its next periodic read (event-queries.ts), never
// loses an event; publishing never blocks or fails a command.
import { Redis } from "ioredis";
import { WalletWatchers, type EventFeed } from "../ledger/index.ts";
import { log } from "../observability/logger.ts";

export interface RedisEventFeedOptions {
  url: string;
  keyPrefix: string;
  warn?: (message: string) => void;
}

export interface RedisEventFeed extends EventFeed {
  /** Resolves once subscribed (true), or false when Redis has not answered within a few seconds. */
  ready(): Promise<boolean>;
}

export function createRedisEventFeed({ url, keyPrefix, warn = (message) => log().warn(message) }: RedisEventFeedOptions): RedisEventFeed {
  const channel = `${keyPrefix}wallet-events`;
  const watchers = new WalletWatchers();
  // A command while disconnected fails at once: publishing must not queue behind an outage.
  const publisher = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 2_000 });
  const subscriber = new Redis(url, { maxRetriesPerRequest: null });
  let failing = false;
  const report = (error: Error) => {
    if (failing) return;
    failing = true;
    warn(`event feed: Redis is unreachable (${error.message}); subscribers fall back to reading the event log every few seconds`);
  };
  publisher.on("error", report);
  subscriber.on("error", report);
  publisher.on("ready", () => (failing = false));
  subscriber.on("message", (from: string, message: string) => {
    if (from !== channel) return;
    const [walletId, sequence] = message.split(" ");
    if (!walletId || !sequence || !/^\d+$/.test(sequence) || !watchers.has(walletId)) return;
    watchers.notify(walletId, BigInt(sequence));
  });
  // ioredis subscribes again by itself after a reconnection.
  const subscribed = subscriber.subscribe(channel).then(
    () => true,
    (error: Error) => {
      report(error);
      return false;
    },
  );
  return {
    publish(walletId, sequence) {
      publisher.publish(channel, `${walletId} ${sequence}`).then(() => (failing = false), report);
    },
    subscribe: (walletId, listener) => watchers.add(walletId, listener),
    ready: () => Promise.race([subscribed, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3_000).unref())]),
    async close() {
      await Promise.allSettled([publisher.quit(), subscriber.quit()]);
    },
  };
}

// The event feed the settings ask for: through Redis when REDIS_URL is set, so that subscribers
// on any gateway hear of commits on every other; else within this process.
import type { HttpConfig } from "../config.ts";
import { createInProcessEventFeed, type EventFeed } from "../ledger/index.ts";
import { createRedisEventFeed } from "./redis-event-feed.ts";

export async function configuredEventFeed(config: Pick<HttpConfig, "redisUrl" | "redisKeyPrefix">): Promise<EventFeed> {
  if (!config.redisUrl) return createInProcessEventFeed();
  const feed = createRedisEventFeed({ url: config.redisUrl, keyPrefix: config.redisKeyPrefix });
  await feed.ready();
  return feed;
}

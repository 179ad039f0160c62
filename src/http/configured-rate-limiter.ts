// The rate limiter the settings ask for: none, one in memory, or one shared through Redis.
import type { HttpConfig } from "../config.ts";
import { createMemoryRateLimiter, type RateLimiter } from "./rate-limit.ts";
import { createRedisRateLimiter } from "./redis-rate-limiter.ts";

/** Null when RATE_LIMIT_PER_SECOND is 0. A Redis limiter is given a few seconds to connect. */
export async function configuredRateLimiter(config: HttpConfig): Promise<RateLimiter | null> {
  if (!config.rateLimit) return null;
  if (!config.redisUrl) return createMemoryRateLimiter(config.rateLimit);
  const limiter = createRedisRateLimiter({ url: config.redisUrl, keyPrefix: config.redisKeyPrefix, limit: config.rateLimit });
  await limiter.ready();
  return limiter;
}

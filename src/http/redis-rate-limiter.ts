// Rate limits shared by every gateway process through Redis (REDIS_URL). The GCRA step of
// rate-limit.ts runs as one Lua script, so concurrent requests on any number of processes read
// and move a token's TAT atomically, timed by Redis' own clock rather than each process's.
//
// When Redis cannot be reached the gateway fails open: requests are allowed, and a warning is
// logged once when Redis stops answering and once when it answers again. Refusing every request
// because a rate limiter is down would turn a Redis outage into a gateway outage.
import { Redis } from "ioredis";
import type { RateDecision, RateLimit, RateLimiter } from "./rate-limit.ts";
import { log } from "../observability/logger.ts";

// KEYS[1]: the token's key. ARGV[1]: emission interval in µs; ARGV[2]: burst.
// Returns {1, 0} when allowed, {0, µs until it would be} when not.
const GCRA_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local next_tat = tat + interval
local allow_at = next_tat - interval * burst
if now < allow_at then
  return {0, math.ceil(allow_at - now)}
end
redis.call('SET', KEYS[1], string.format('%.0f', next_tat), 'PX', math.max(1, math.ceil((next_tat - now) / 1000)))
return {1, 0}
`;

export interface RedisRateLimiterOptions {
  url: string;
  keyPrefix: string;
  limit: RateLimit;
  /** Where the outage warnings go; the log by default. */
  warn?: (message: string) => void;
}

export interface RedisRateLimiter extends RateLimiter {
  /** Resolves once connected (true), or false when Redis has not answered within a few seconds. */
  ready(): Promise<boolean>;
}

type GcraClient = Redis & { gatewayGcra(key: string, intervalMicros: string, burst: string): Promise<[number, number]> };

export function createRedisRateLimiter({
  url,
  keyPrefix,
  limit,
  warn = (message: string) => log().warn(message),
}: RedisRateLimiterOptions): RedisRateLimiter {
  const client = new Redis(url, {
    // A command while disconnected fails at once instead of waiting in a queue: requests must
    // not stall behind an unreachable Redis.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 500,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  }) as GcraClient;
  client.defineCommand("gatewayGcra", { numberOfKeys: 1, lua: GCRA_SCRIPT });

  let failing = false;
  const failed = (reason: unknown) => {
    if (failing) return;
    failing = true;
    warn(`rate limits are not enforced until Redis answers again (failing open): ${(reason as Error)?.message ?? reason}`);
  };
  // ioredis reports connection trouble as events; without a listener it prints them itself.
  client.on("error", failed);

  const intervalMicros = (1_000_000 / limit.perSecond).toFixed(3);
  const burst = String(limit.burst);
  return {
    async take(key): Promise<RateDecision> {
      try {
        const [allowed, retryAfterMicros] = await client.gatewayGcra(`${keyPrefix}rate:${key}`, intervalMicros, burst);
        if (failing) {
          failing = false;
          warn("Redis answers again: rate limits are enforced");
        }
        return allowed === 1 ? { allowed: true } : { allowed: false, retryAfterMs: retryAfterMicros / 1000 };
      } catch (error) {
        failed(error);
        return { allowed: true };
      }
    },
    ready() {
      if (client.status === "ready") return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          client.off("ready", onReady);
          resolve(false);
        }, 3_000);
        const onReady = () => {
          clearTimeout(timer);
          resolve(true);
        };
        client.once("ready", onReady);
      });
    },
    async close() {
      client.disconnect();
    },
  };
}

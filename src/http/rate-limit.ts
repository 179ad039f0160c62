// Rate limits per API token, by GCRA (the generic cell rate algorithm): each token has a
// "theoretical arrival time" (TAT) that every allowed request pushes one emission interval
// (1 / rate) further. A request is allowed while the TAT stays within `burst` intervals of now,
// so a quiet token may send `burst` requests at once, then `rate` per second. One number per
// token, so the same arithmetic runs in memory here and atomically in Redis
// (redis-rate-limiter.ts).

export interface RateLimit {
  /** Sustained requests per second (may be fractional). */
  perSecond: number;
  /** Requests a quiet token may send at once. */
  burst: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface RateLimiter {
  /** Counts one request against the key's allowance. Never throws: a limiter that cannot decide allows. */
  take(key: string): Promise<RateDecision>;
  close(): Promise<void>;
}

/** The next TAT, or how long until the request would be allowed. Times in milliseconds. */
export function gcra(
  tat: number | undefined,
  now: number,
  limit: RateLimit,
): { allowed: true; tat: number } | { allowed: false; retryAfterMs: number } {
  const interval = 1000 / limit.perSecond;
  const next = Math.max(tat ?? now, now) + interval;
  const allowAt = next - interval * limit.burst;
  if (now < allowAt) return { allowed: false, retryAfterMs: allowAt - now };
  return { allowed: true, tat: next };
}

/** A limiter for one process (the default without REDIS_URL). */
export function createMemoryRateLimiter(limit: RateLimit, now: () => number = Date.now): RateLimiter {
  const tats = new Map<string, number>();
  let takenSinceSweep = 0;
  return {
    async take(key) {
      const at = now();
      // A TAT in the past means a full allowance, the same as no entry: forget those now and then,
      // so the map holds only tokens active in the last `burst / rate` seconds.
      if ((takenSinceSweep += 1) >= 10_000) {
        takenSinceSweep = 0;
        for (const [stale, tat] of tats) if (tat <= at) tats.delete(stale);
      }
      const decision = gcra(tats.get(key), at, limit);
      if (!decision.allowed) return decision;
      tats.set(key, decision.tat);
      return { allowed: true };
    },
    async close() {
      tats.clear();
    },
  };
}

/** Whole seconds for a Retry-After header: at least 1, so a client never retries at once. */
export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}

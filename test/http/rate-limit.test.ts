// Rate limits per token: GCRA's arithmetic, the in-memory limiter through app.fetch on a clock the
// test moves, and the Redis limiter: atomic under concurrency, shared by two gateway processes,
// and failing open when Redis cannot be reached.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.ts";
import { hashToken, issueToken } from "../../src/auth/tokens.ts";
import { ConfigError, loadHttpConfig } from "../../src/config.ts";
import { openDatabase } from "../../src/db/database.ts";
import { createMemoryRateLimiter, gcra } from "../../src/http/rate-limit.ts";
import { createRedisRateLimiter } from "../../src/http/redis-rate-limiter.ts";
import { useGateway } from "../support/app.ts";
import { createScratchPostgresDatabase, testDatabaseKind } from "../support/database.ts";
import { firstLine } from "../support/gateway-processes.ts";
import { TEST_REDIS_URL, redisAnswers } from "../support/redis.ts";

const gateway = useGateway();
const REDIS_URL = TEST_REDIS_URL;

describe("GCRA", () => {
  const limit = { perSecond: 2, burst: 3 };

  it("allows a burst at once, then one request per interval", () => {
    let tat: number | undefined;
    for (let i = 0; i < 3; i += 1) {
      const decision = gcra(tat, 1_000, limit);
      expect(decision.allowed).toBe(true);
      if (decision.allowed) tat = decision.tat;
    }
    expect(gcra(tat, 1_000, limit)).toEqual({ allowed: false, retryAfterMs: 500 });
    expect(gcra(tat, 1_499, limit).allowed).toBe(false);
    expect(gcra(tat, 1_500, limit).allowed).toBe(true);
  });

  it("gives a quiet key its whole burst back", () => {
    const after = gcra(undefined, 0, limit);
    expect(after.allowed && gcra(after.tat, 10_000, limit)).toEqual({ allowed: true, tat: 10_500 });
  });

  it("works for rates below one per second", () => {
    const slow = { perSecond: 0.01, burst: 1 };
    const first = gcra(undefined, 0, slow);
    expect(first.allowed && gcra(first.tat, 0, slow)).toEqual({ allowed: false, retryAfterMs: 100_000 });
  });
});

describe("settings", () => {
  it("default to 100 per second with bursts of 200, in memory", () => {
    expect(loadHttpConfig({})).toMatchObject({ rateLimit: { perSecond: 100, burst: 200 }, redisUrl: null });
  });

  it("turn rate limiting off with 0 and refuse nonsense", () => {
    expect(loadHttpConfig({ RATE_LIMIT_PER_SECOND: "0" }).rateLimit).toBeNull();
    expect(loadHttpConfig({ RATE_LIMIT_PER_SECOND: "0.5", RATE_LIMIT_BURST: "3" }).rateLimit).toEqual({ perSecond: 0.5, burst: 3 });
    for (const env of [
      { RATE_LIMIT_PER_SECOND: "-1" },
      { RATE_LIMIT_PER_SECOND: "fast" },
      { RATE_LIMIT_BURST: "0" },
      { REDIS_URL: "http://127.0.0.1:6379" },
    ]) {
      expect(() => loadHttpConfig(env), JSON.stringify(env)).toThrow(ConfigError);
    }
  });
});

/** Families and a request each, with how each answers 429. */
const FAMILIES: { name: string; request(token: string): Request; shape(body: any): void }[] = [
  {
    name: "GraphQL",
    request: (token) =>
      new Request("http://gateway.test/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: "{ viewer { livemode } }" }),
      }),
    shape: (body) =>
      expect(body.errors[0]).toMatchObject({
        message: expect.stringMatching(/^too many requests with this token: retry after \d+ seconds?$/),
        extensions: { code: "RATE_LIMITED" },
      }),
  },
  {
    name: "Wren",
    request: (token) => get("/api/credits/balance", token),
    shape: (body) => expect(body.error).toMatch(/^too many requests/),
  },
  {
    name: "customer deposits",
    request: (token) => get("/v1/customers/alice", token),
    shape: (body) => expect(body.error).toMatchObject({ type: "rate_limit_error", code: "rate_limited" }),
  },
  {
    name: "Orb",
    request: (token) => get("/customers/external_customer_id/alice/credits", token),
    shape: (body) =>
      expect(body).toMatchObject({ status: 429, type: expect.stringMatching(/#429-too-many-requests$/), title: "Too many requests" }),
  },
  {
    name: "commerce",
    request: (token) => get("/v1/commerce/billing/wallets", token),
    shape: (body) => expect(body).toMatchObject({ name: "RATE_LIMIT_REACHED" }),
  },
];

function get(path: string, token: string): Request {
  return new Request(`http://gateway.test${path}`, { headers: { authorization: `Bearer ${token}` } });
}

describe("in memory, per token", () => {
  let now = 0;
  let app: App;
  beforeAll(() => {
    app = createApp({
      db: gateway.db,
      ledger: gateway.ledger,
      http: { rateLimiter: createMemoryRateLimiter({ perSecond: 1, burst: 2 }, () => now) },
    });
  });

  it("answers 429 with Retry-After past the burst, in each family's shape, until the token has waited", async () => {
    const token = await gateway.issue("acme");
    for (const family of FAMILIES) {
      now += 10_000; // a quiet token: its whole burst again
      // Answered (a customer not found is still an answer), not refused.
      expect((await app.fetch(family.request(token))).status, family.name).not.toBe(429);
      expect((await app.fetch(family.request(token))).status, family.name).not.toBe(429);
      const refused = await app.fetch(family.request(token));
      expect(refused.status, family.name).toBe(429);
      expect(refused.headers.get("retry-after"), family.name).toBe("1");
      family.shape(await refused.json());
      now += 999;
      expect((await app.fetch(family.request(token))).status, family.name).toBe(429);
      now += 1;
      expect((await app.fetch(family.request(token))).status, family.name).not.toBe(429);
    }
  });

  it("counts each token on its own", async () => {
    const [first, second] = [await gateway.issue("acme"), await gateway.issue("acme")];
    now += 10_000;
    for (let i = 0; i < 2; i += 1) await app.fetch(FAMILIES[0]!.request(first));
    expect((await app.fetch(FAMILIES[0]!.request(first))).status).toBe(429);
    expect((await app.fetch(FAMILIES[0]!.request(second))).status).toBe(200);
  });

  it("does not count requests without a valid token or preflights", async () => {
    const token = await gateway.issue("acme");
    now += 10_000;
    for (let i = 0; i < 5; i += 1) {
      expect((await app.fetch(FAMILIES[0]!.request("bg_live_not-a-token"))).status).toBe(403);
      expect((await app.fetch(new Request("http://gateway.test/graphql", { method: "OPTIONS" }))).status).toBe(204);
    }
    expect((await app.fetch(FAMILIES[0]!.request(token))).status).toBe(200);
  });
});

const redisReachable = await redisAnswers(REDIS_URL);
if (!redisReachable) console.warn(`\n*** Redis rate limit tests SKIPPED: no Redis at ${REDIS_URL} (set TEST_REDIS_URL). ***\n`);

describe.skipIf(!redisReachable)("in Redis", () => {
  it("lets exactly the burst through when requests race", async () => {
    const limiter = createRedisRateLimiter({ url: REDIS_URL, keyPrefix: `test:${randomUUID()}:`, limit: { perSecond: 0.01, burst: 5 } });
    try {
      expect(await limiter.ready()).toBe(true);
      const decisions = await Promise.all(Array.from({ length: 40 }, () => limiter.take("token-1")));
      expect(decisions.filter((decision) => decision.allowed)).toHaveLength(5);
      const refused = decisions.find((decision) => !decision.allowed);
      // Timed by Redis: the next request is due one interval (100 s) after the burst, give or take the race's duration.
      expect(refused).toMatchObject({ allowed: false, retryAfterMs: expect.any(Number) });
      expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(90_000);
      expect((refused as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(100_000);
      expect((await limiter.take("token-2")).allowed).toBe(true);
    } finally {
      await limiter.close();
    }
  });

  it("fails open, warning once, when Redis cannot be reached", async () => {
    const warnings: string[] = [];
    const limiter = createRedisRateLimiter({
      url: "redis://127.0.0.1:1",
      keyPrefix: "test:",
      limit: { perSecond: 0.01, burst: 1 },
      warn: (message) => warnings.push(message),
    });
    try {
      const app = createApp({ db: gateway.db, ledger: gateway.ledger, http: { rateLimiter: limiter } });
      for (let i = 0; i < 3; i += 1) expect((await app.fetch(FAMILIES[0]!.request(gateway.token))).status).toBe(200);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^rate limits are not enforced until Redis answers again \(failing open\)/);
    } finally {
      await limiter.close();
    }
  });

  describe("shared by two gateway processes", () => {
    const children: ChildProcess[] = [];
    const ports: number[] = [];
    let token: string;
    let dropDatabase: (() => Promise<void>) | null = null;

    beforeAll(async () => {
      const env: Record<string, string> = {
        REDIS_URL,
        REDIS_KEY_PREFIX: `test:${randomUUID()}:`,
        RATE_LIMIT_PER_SECOND: "0.01",
        RATE_LIMIT_BURST: "4",
      };
      if (testDatabaseKind === "postgres") {
        // Both processes on one database, as in production.
        const scratch = await createScratchPostgresDatabase();
        dropDatabase = scratch.drop;
        const db = await openDatabase({ databaseUrl: scratch.url, poolSize: 1 });
        token = await issueToken(db.prisma, { tenantSlug: "acme", test: false });
        await db.close();
        env.DATABASE_URL = scratch.url;
      } else {
        token = `bg_live_${randomUUID()}`;
        env.GATEWAY_TOKEN = token;
        env.GATEWAY_TOKEN_ID = randomUUID();
        expect(hashToken(token)).toHaveLength(64);
      }
      for (let i = 0; i < 2; i += 1) {
        const child = spawn(process.execPath, ["--import", "tsx", "test/support/gateway-process.ts"], {
          env: { ...process.env, ...env, DATABASE_URL: env.DATABASE_URL ?? "" },
          stdio: ["ignore", "pipe", "inherit"],
        });
        children.push(child);
        ports.push(await firstLine(child).then((line) => (JSON.parse(line) as { port: number }).port));
      }
    }, 120_000);

    afterAll(async () => {
      await Promise.all(
        children.map(
          (child) =>
            new Promise((resolve) => (child.exitCode !== null ? resolve(null) : (child.once("exit", resolve), child.kill("SIGTERM")))),
        ),
      );
      await dropDatabase?.();
    });

    const ask = (index: number, path = "/graphql") =>
      fetch(`http://127.0.0.1:${ports[index]}${path}`, {
        method: path === "/graphql" ? "POST" : "GET",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: path === "/graphql" ? JSON.stringify({ query: "{ viewer { livemode } }" }) : undefined,
      });

    it("counts the token's requests to either process against one allowance", async () => {
      // A burst of 4, then one request every 100 s: four answers, alternating between the processes.
      for (let i = 0; i < 4; i += 1) expect((await ask(i % 2)).status, `request ${i + 1}`).toBe(200);
      for (const index of [0, 1]) {
        const refused = await ask(index);
        expect(refused.status).toBe(429);
        expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(90);
        expect((await refused.json()).errors[0].extensions.code).toBe("RATE_LIMITED");
      }
      const wren = await ask(1, "/api/credits/balance");
      expect(wren.status).toBe(429);
      expect((await wren.json()).error).toMatch(/^too many requests/);
    });
  });
});

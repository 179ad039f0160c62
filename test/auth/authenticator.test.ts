// Authentication against the database, with the per-process cache in front of it: how many reads
// reach the database, how late a revocation made elsewhere takes effect, and last_used_at.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { TokenAuthenticator, type Authentication } from "../../src/auth/authenticator.ts";
import { revokeApiToken } from "../../src/auth/token-management.ts";
import { issueToken } from "../../src/auth/tokens.ts";
import type { Database } from "../../src/db/database.ts";
import type { PrismaClient } from "../../src/db/generated/client.ts";
import { systemScope } from "../../src/ledger/access.ts";
import { createTestDatabase } from "../support/database.ts";
import { TestClock } from "../support/ledger.ts";
import { redirectLogs } from "../../src/observability/logger.ts";

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.close());

/** The real client, counting the token reads and writes that reach the database. */
function counting(prisma: PrismaClient, options: { failWrites?: boolean } = {}) {
  const counts = { reads: 0, writes: 0 };
  const apiToken = {
    findUnique: (args: Parameters<PrismaClient["apiToken"]["findUnique"]>[0]) => {
      counts.reads += 1;
      return prisma.apiToken.findUnique(args);
    },
    updateMany: (args: Parameters<PrismaClient["apiToken"]["updateMany"]>[0]) => {
      counts.writes += 1;
      return options.failWrites ? Promise.reject(new Error("the database went away")) : prisma.apiToken.updateMany(args);
    },
  };
  const client = new Proxy(prisma, {
    get: (target, property, receiver) => (property === "apiToken" ? apiToken : Reflect.get(target, property, receiver)),
  });
  return { client: client as PrismaClient, counts };
}

async function newToken(): Promise<{ token: string; header: string; id: string; tenantId: string }> {
  const token = await issueToken(db.prisma, { tenantSlug: `tenant-${crypto.randomUUID().slice(0, 8)}`, test: false });
  const { id, tenantId } = await db.prisma.apiToken.findFirstOrThrow({
    where: { prefix: token.slice(0, 12) },
    orderBy: { createdAt: "desc" },
  });
  return { token, header: `Bearer ${token}`, id, tenantId };
}

function accepted(authentication: Authentication): boolean {
  return "viewer" in authentication;
}

/** Revokes as another gateway (or the CLI) would: in the database, unknown to this process's cache. */
function revokeElsewhere(token: { id: string; tenantId: string }) {
  return revokeApiToken({ prisma: db.prisma, now: () => new Date() }, systemScope(token.tenantId, true), token.id);
}

describe("authentication", () => {
  it("tells a missing header from a bad one without reading the database", async () => {
    const { client, counts } = counting(db.prisma);
    const authenticator = new TokenAuthenticator(client);
    expect(await authenticator.authenticate(null)).toEqual({ failure: "missing" });
    expect(await authenticator.authenticate("  ")).toEqual({ failure: "missing" });
    expect(await authenticator.authenticate("Basic dXNlcjpwYXNz")).toEqual({ failure: "invalid" });
    expect(counts.reads).toBe(0);
  });

  it("reads a token once within the cache time, and again after it", async () => {
    const clock = new TestClock(new Date());
    const { client, counts } = counting(db.prisma);
    const authenticator = new TokenAuthenticator(client, { cacheSeconds: 5, now: clock.now });
    const { header, tenantId } = await newToken();
    const first = await authenticator.authenticate(header);
    expect(first).toEqual({ viewer: expect.objectContaining({ tenantId, livemode: true, customerId: null, role: "admin" }) });
    await authenticator.authenticate(header);
    clock.advance(4_999);
    await authenticator.authenticate(header);
    expect(counts.reads).toBe(1);
    clock.advance(1);
    await authenticator.authenticate(header);
    expect(counts.reads).toBe(2);
  });

  it("refuses a token revoked elsewhere once the cache time is up, and not later", async () => {
    const clock = new TestClock(new Date());
    const authenticator = new TokenAuthenticator(db.prisma, { cacheSeconds: 5, now: clock.now });
    const token = await newToken();
    expect(accepted(await authenticator.authenticate(token.header))).toBe(true);
    await revokeElsewhere(token);
    clock.advance(4_999);
    // Within the bound, this process may still trust what it read.
    expect(accepted(await authenticator.authenticate(token.header))).toBe(true);
    clock.advance(1);
    expect(await authenticator.authenticate(token.header)).toEqual({ failure: "invalid" });
  });

  it("with a cache time of 0, reads every time and refuses a revoked token at once", async () => {
    const { client, counts } = counting(db.prisma);
    const authenticator = new TokenAuthenticator(client, { cacheSeconds: 0 });
    const token = await newToken();
    expect(accepted(await authenticator.authenticate(token.header))).toBe(true);
    await revokeElsewhere(token);
    expect(await authenticator.authenticate(token.header)).toEqual({ failure: "invalid" });
    expect(await authenticator.authenticate(token.header)).toEqual({ failure: "invalid" });
    expect(counts.reads).toBe(3);
  });

  it("refuses a token revoked through this process at once, even one being read as it was revoked", async () => {
    const clock = new TestClock(new Date());
    const authenticator = new TokenAuthenticator(db.prisma, { cacheSeconds: 60, now: clock.now });
    const token = await newToken();
    const reading = authenticator.authenticate(token.header);
    await revokeApiToken({ prisma: db.prisma, now: clock.now, authenticator }, systemScope(token.tenantId, true), token.id);
    await reading;
    expect(await authenticator.authenticate(token.header)).toEqual({ failure: "invalid" });
  });

  it("remembers unknown tokens for the cache time, and a flood of them never pushes a good token out", async () => {
    const clock = new TestClock(new Date());
    const { client, counts } = counting(db.prisma);
    const authenticator = new TokenAuthenticator(client, { cacheSeconds: 5, maxEntries: 10, now: clock.now });
    const { header } = await newToken();
    await authenticator.authenticate(header);
    const unknown = "Bearer bg_live_00000000-0000-0000-0000-000000000000";
    for (let attempt = 0; attempt < 3; attempt += 1) expect(await authenticator.authenticate(unknown)).toEqual({ failure: "invalid" });
    expect(counts.reads).toBe(2);
    for (let index = 0; index < 50; index += 1) await authenticator.authenticate(`Bearer bg_live_flood-${index}`);
    expect(counts.reads).toBe(52);
    expect(accepted(await authenticator.authenticate(header))).toBe(true);
    expect(counts.reads).toBe(52);
  });

  it("shares one read among concurrent first requests with one token", async () => {
    const { client, counts } = counting(db.prisma);
    const authenticator = new TokenAuthenticator(client);
    const { header } = await newToken();
    const answers = await Promise.all(Array.from({ length: 5 }, () => authenticator.authenticate(header)));
    expect(answers.every(accepted)).toBe(true);
    expect(counts.reads).toBe(1);
  });
});

describe("last_used_at", () => {
  it("is written on first use and then at most once a minute, after the request has its answer", async () => {
    const clock = new TestClock(new Date("2026-11-25T12:00:00.000Z"));
    const { client, counts } = counting(db.prisma);
    const authenticator = new TokenAuthenticator(client, { now: clock.now });
    const token = await newToken();
    const lastUsedAt = async () => (await db.prisma.apiToken.findUniqueOrThrow({ where: { id: token.id } })).lastUsedAt;
    expect(await lastUsedAt()).toBeNull();

    await authenticator.authenticate(token.header);
    await authenticator.settled();
    expect(await lastUsedAt()).toEqual(new Date("2026-11-25T12:00:00.000Z"));

    // Past the cache time, so read again from the database, but within the minute.
    clock.advance(30_000);
    await authenticator.authenticate(token.header);
    await authenticator.authenticate(token.header);
    await authenticator.settled();
    expect(counts.writes).toBe(1);
    expect(await lastUsedAt()).toEqual(new Date("2026-11-25T12:00:00.000Z"));

    clock.advance(30_000);
    await authenticator.authenticate(token.header);
    await authenticator.settled();
    expect(counts.writes).toBe(2);
    expect(await lastUsedAt()).toEqual(new Date("2026-11-25T12:01:00.000Z"));
  });

  it("when it cannot be written, the request still succeeds and the failure is logged", async () => {
    const { client } = counting(db.prisma, { failWrites: true });
    const authenticator = new TokenAuthenticator(client);
    const { header } = await newToken();
    const logged: string[] = [];
    redirectLogs((line) => logged.push(line));
    try {
      expect(accepted(await authenticator.authenticate(header))).toBe(true);
      await authenticator.settled();
      expect(logged.map((line) => JSON.parse(line))).toEqual([
        expect.objectContaining({ level: "error", msg: "could not record when an API token was last used", err: expect.any(Object) }),
      ]);
    } finally {
      redirectLogs(null);
    }
  });
});

// Checking a request's token without a database round trip on the hot path. The database holds
// the truth; each process keeps what it read for `cacheSeconds` (TOKEN_CACHE_SECONDS, default 5):
// tokens it accepted and, as many again, hashes it refused, each kept apart and bounded, so a
// flood of bad tokens reaches the database once per distinct token and interval and never
// pushes good ones out. Hence the bound: a token revoked in another process (another gateway,
// the CLI) is refused here at most `cacheSeconds` later; one revoked through this process is
// forgotten at once. Concurrent first requests with one token share one read.
//
// `last_used_at` is written at most once a minute per token, after the request has its answer
// (never awaited by it; a failure is logged), and only when the stored time is a minute old, so
// many processes together still write it about once a minute.
import type { PrismaClient } from "../db/generated/client.ts";
import { systemClock } from "../ledger/index.ts";
import { TokenCache, type KnownToken } from "./token-cache.ts";
import { hashToken, type Viewer } from "./tokens.ts";
import { log } from "../observability/logger.ts";

export type Authentication = { viewer: Viewer } | { failure: "missing" | "invalid" };

export const DEFAULT_TOKEN_CACHE_SECONDS = 5;
const DEFAULT_MAX_ENTRIES = 5_000;
const LAST_USED_EVERY_MS = 60_000;

export interface TokenAuthenticatorOptions {
  /** How long a token's check is trusted without the database; 0 reads it for every request. */
  cacheSeconds?: number;
  /** Accepted tokens kept, and refused hashes kept (each). */
  maxEntries?: number;
  now?: () => Date;
}

export class TokenAuthenticator {
  private readonly cache: TokenCache;
  private readonly now: () => Date;
  private readonly reading = new Map<string, Promise<KnownToken | null>>();
  /** Moves on each `forget`, so that a read begun before it cannot refill the cache. */
  private generation = 0;
  private readonly recording = new Set<Promise<void>>();

  constructor(
    private readonly prisma: PrismaClient,
    options: TokenAuthenticatorOptions = {},
  ) {
    this.now = options.now ?? systemClock;
    this.cache = new TokenCache({
      ttlMs: (options.cacheSeconds ?? DEFAULT_TOKEN_CACHE_SECONDS) * 1000,
      maxEntries: options.maxEntries ?? DEFAULT_MAX_ENTRIES,
      now: () => this.now().getTime(),
    });
  }

  /** Reads `Authorization: Bearer <token>`; a token that is unknown or revoked is invalid. */
  async authenticate(authorization: string | null): Promise<Authentication> {
    if (!authorization?.trim()) return { failure: "missing" };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) return { failure: "invalid" };
    const token = await this.find(hashToken(match[1]!));
    if (!token) return { failure: "invalid" };
    this.recordUse(token);
    return {
      viewer: { tokenId: token.id, tenantId: token.tenantId, livemode: token.livemode, customerId: token.customerId, role: token.role },
    };
  }

  /** Drops what this process knows of a token, e.g. because it was just revoked here. */
  forget(tokenHash: string): void {
    this.generation += 1;
    this.reading.delete(tokenHash);
    this.cache.forget(tokenHash);
  }

  /** Resolves once the `last_used_at` writes under way are done (before closing the database). */
  async settled(): Promise<void> {
    await Promise.all([...this.recording]);
  }

  private find(tokenHash: string): Promise<KnownToken | null> {
    const known = this.cache.lookUp(tokenHash);
    if (known === "refused") return Promise.resolve(null);
    if (known) return Promise.resolve(known);
    let read = this.reading.get(tokenHash);
    if (!read) {
      const started = this.read(tokenHash).finally(() => {
        if (this.reading.get(tokenHash) === started) this.reading.delete(tokenHash);
      });
      this.reading.set(tokenHash, started);
      read = started;
    }
    return read;
  }

  private async read(tokenHash: string): Promise<KnownToken | null> {
    const generation = this.generation;
    const row = await this.prisma.apiToken.findUnique({
      where: { tokenHash },
      select: { id: true, tenantId: true, livemode: true, customerId: true, role: true, lastUsedAt: true, revokedAt: true },
    });
    const token =
      row && !row.revokedAt
        ? {
            id: row.id,
            tenantId: row.tenantId,
            livemode: row.livemode,
            customerId: row.customerId,
            role: row.role,
            lastUsedAt: row.lastUsedAt,
          }
        : null;
    if (generation === this.generation) {
      if (token) this.cache.accept(tokenHash, token);
      else this.cache.refuse(tokenHash);
    }
    return token;
  }

  private recordUse(token: KnownToken): void {
    const now = this.now();
    if (token.lastUsedAt && now.getTime() - token.lastUsedAt.getTime() < LAST_USED_EVERY_MS) return;
    // Moved forward before the write, so the requests that follow do not write again.
    token.lastUsedAt = now;
    const write = this.prisma.apiToken
      .updateMany({
        where: { id: token.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: new Date(now.getTime() - LAST_USED_EVERY_MS) } }] },
        data: { lastUsedAt: now },
      })
      .then(
        () => {},
        (error: unknown) => log().error({ err: error }, "could not record when an API token was last used"),
      )
      .finally(() => this.recording.delete(write));
    this.recording.add(write);
  }
}

// What this process recently learnt from the database about token hashes: accepted tokens and
// refused ones, each for a short time and in bounded number. Accepted and refused tokens are kept
// apart, so that a flood of bad tokens cannot push the good ones out.
import type { Role } from "../ledger/index.ts";

/** An accepted token, as read from the database. */
export interface KnownToken {
  id: string;
  tenantId: string;
  livemode: boolean;
  customerId: string | null;
  role: Role;
  /** When the token was last recorded as used; moved forward by this process as it records. */
  lastUsedAt: Date | null;
}

export interface TokenCacheOptions {
  /** How long an entry is trusted; 0 keeps nothing. */
  ttlMs: number;
  /** Entries of each kind; beyond it the least recently used goes. */
  maxEntries: number;
  now: () => number;
}

export class TokenCache {
  private readonly accepted: ExpiringLru<KnownToken>;
  private readonly refused: ExpiringLru<true>;

  constructor(options: TokenCacheOptions) {
    this.accepted = new ExpiringLru(options);
    this.refused = new ExpiringLru(options);
  }

  /** The token behind a hash, "refused" for one known to be unknown or revoked, or undefined. */
  lookUp(tokenHash: string): KnownToken | "refused" | undefined {
    return this.accepted.get(tokenHash) ?? (this.refused.get(tokenHash) ? "refused" : undefined);
  }

  accept(tokenHash: string, token: KnownToken): void {
    this.refused.delete(tokenHash);
    this.accepted.set(tokenHash, token);
  }

  refuse(tokenHash: string): void {
    this.accepted.delete(tokenHash);
    this.refused.set(tokenHash, true);
  }

  forget(tokenHash: string): void {
    this.accepted.delete(tokenHash);
    this.refused.delete(tokenHash);
  }

  get size(): { accepted: number; refused: number } {
    return { accepted: this.accepted.size, refused: this.refused.size };
  }
}

/** A Map in least-recently-used order (a read moves an entry to the end), with an expiry per entry. */
class ExpiringLru<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(private readonly options: TokenCacheOptions) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.options.now()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V): void {
    if (this.options.ttlMs <= 0 || this.options.maxEntries <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.options.now() + this.options.ttlMs });
    while (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

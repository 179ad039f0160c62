// The token cache's bounds: how many entries, and for how long.
import { describe, expect, it } from "vitest";
import { TokenCache, type KnownToken } from "../../src/auth/token-cache.ts";

function token(id: string): KnownToken {
  return { id, tenantId: "tenant", livemode: true, customerId: null, role: "admin", lastUsedAt: null };
}

function cache(options: { ttlMs?: number; maxEntries?: number } = {}) {
  let now = 0;
  const tokens = new TokenCache({ ttlMs: options.ttlMs ?? 5_000, maxEntries: options.maxEntries ?? 3, now: () => now });
  return { tokens, advance: (ms: number) => (now += ms) };
}

describe("the token cache", () => {
  it("keeps at most maxEntries accepted tokens, dropping the least recently used", () => {
    const { tokens } = cache({ maxEntries: 3 });
    for (const id of ["a", "b", "c"]) tokens.accept(id, token(id));
    expect(tokens.lookUp("a")).toMatchObject({ id: "a" });
    tokens.accept("d", token("d"));
    expect(tokens.size).toEqual({ accepted: 3, refused: 0 });
    expect(tokens.lookUp("b")).toBeUndefined();
    expect(["a", "c", "d"].map((id) => (tokens.lookUp(id) as KnownToken | undefined)?.id)).toEqual(["a", "c", "d"]);
  });

  it("trusts an entry for its time and not a millisecond more", () => {
    const { tokens, advance } = cache({ ttlMs: 5_000 });
    tokens.accept("a", token("a"));
    tokens.refuse("bad");
    advance(4_999);
    expect(tokens.lookUp("a")).toMatchObject({ id: "a" });
    expect(tokens.lookUp("bad")).toBe("refused");
    advance(1);
    expect(tokens.lookUp("a")).toBeUndefined();
    expect(tokens.lookUp("bad")).toBeUndefined();
    expect(tokens.size).toEqual({ accepted: 0, refused: 0 });
  });

  it("keeps nothing when its time is 0", () => {
    const { tokens } = cache({ ttlMs: 0 });
    tokens.accept("a", token("a"));
    tokens.refuse("bad");
    expect(tokens.lookUp("a")).toBeUndefined();
    expect(tokens.lookUp("bad")).toBeUndefined();
    expect(tokens.size).toEqual({ accepted: 0, refused: 0 });
  });

  it("keeps refused hashes apart, so that a flood of them never pushes an accepted token out", () => {
    const { tokens } = cache({ maxEntries: 3 });
    for (const id of ["a", "b", "c"]) tokens.accept(id, token(id));
    for (let index = 0; index < 100; index += 1) tokens.refuse(`bad-${index}`);
    expect(tokens.size).toEqual({ accepted: 3, refused: 3 });
    expect(tokens.lookUp("bad-99")).toBe("refused");
    expect(tokens.lookUp("bad-0")).toBeUndefined();
    expect(["a", "b", "c"].every((id) => tokens.lookUp(id) !== undefined)).toBe(true);
  });

  it("forgets a token of either kind at once", () => {
    const { tokens } = cache();
    tokens.accept("a", token("a"));
    tokens.forget("a");
    expect(tokens.lookUp("a")).toBeUndefined();
    tokens.refuse("a");
    tokens.accept("a", token("a"));
    expect(tokens.lookUp("a")).toMatchObject({ id: "a" });
  });
});

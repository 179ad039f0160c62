// Parsed GraphQL documents are kept by their text so a repeated operation is not parsed again, but
// the cache is bounded by the text it holds: a client sending long, distinct documents cannot make
// the gateway keep them (each 300,000-character operation used to be kept for an hour, 1,024 of them).
import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { CACHED_SOURCE_BUDGET, LONGEST_CACHED_SOURCE, boundedDocumentCaches } from "../../src/graphql/document-cache.ts";
import { useGateway } from "../support/app.ts";

const gateway = useGateway();

describe("the parsed-document cache", () => {
  it("keeps an operation of ordinary length, and not one longer than the bound", () => {
    const { documentCache } = boundedDocumentCaches();
    const ordinary = "{ viewer { livemode } }";
    documentCache.set(ordinary, parse(ordinary));
    expect(documentCache.get(ordinary)).toBeDefined();
    const long = `query L${"x".repeat(LONGEST_CACHED_SOURCE)} { viewer { livemode } }`;
    documentCache.set(long, parse(long));
    expect(documentCache.get(long)).toBeUndefined();
  });

  it("drops the least recently used documents once their text adds up to the budget", () => {
    const { documentCache } = boundedDocumentCaches();
    const source = (i: number) => `query Q${i}${"x".repeat(LONGEST_CACHED_SOURCE - 64)} { viewer { livemode } }`;
    const fitting = Math.floor(CACHED_SOURCE_BUDGET / source(0).length);
    for (let i = 0; i < fitting * 2; i += 1) {
      documentCache.set(source(i), parse(source(i)));
      // The first stays in use, so it stays.
      documentCache.get(source(0));
    }
    expect(documentCache.get(source(0))).toBeDefined();
    expect(documentCache.get(source(1))).toBeUndefined();
    expect(documentCache.get(source(fitting * 2 - 1))).toBeDefined();
  });

  it("still answers long operations, parsed each time", async () => {
    const query = `query Long${"x".repeat(LONGEST_CACHED_SOURCE * 2)} { viewer { livemode } }`;
    for (let i = 0; i < 2; i += 1) {
      const answer = await gateway.graphql(query);
      expect(answer.data).toEqual({ viewer: { livemode: true } });
    }
  });
});

// Yoga keeps the documents it parsed (and the parse errors), keyed by their source text, so that
// a repeated operation is neither parsed nor validated again. Its own cache keeps 1,024 sources
// of any length for an hour: a client sending distinct documents near the body limit would keep a
// gigabyte. This one keeps sources up to LONGEST_CACHED_SOURCE characters, the least recently used
// dropped once they add up to CACHED_SOURCE_BUDGET; longer documents are parsed every time.
import type { DocumentNode } from "graphql";

/** Characters of one cached source: a client's real operations are a few thousand. */
export const LONGEST_CACHED_SOURCE = 32_768;
/** Characters of all the sources one cache keeps. */
export const CACHED_SOURCE_BUDGET = 1_048_576;

interface SourceCache<T> {
  get(source: string): T | undefined;
  set(source: string, value: T): void;
}

/** A least-recently-used cache bounded by the length of its keys (a Map keeps insertion order). */
function sourceCache<T>(): SourceCache<T> {
  const entries = new Map<string, T>();
  let characters = 0;
  return {
    get(source) {
      const value = entries.get(source);
      if (value !== undefined) {
        entries.delete(source);
        entries.set(source, value);
      }
      return value;
    },
    set(source, value) {
      if (source.length > LONGEST_CACHED_SOURCE) return;
      if (entries.delete(source)) characters -= source.length;
      entries.set(source, value);
      characters += source.length;
      for (const oldest of entries.keys()) {
        if (characters <= CACHED_SOURCE_BUDGET) break;
        entries.delete(oldest);
        characters -= oldest.length;
      }
    },
  };
}

/** For Yoga's `parserAndValidationCache`: validation results are kept per cached document, so they are bounded with it. */
export function boundedDocumentCaches() {
  return { documentCache: sourceCache<DocumentNode>(), errorCache: sourceCache<unknown>() };
}

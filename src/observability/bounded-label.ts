// A label whose values come from outside (a client's operation names, the methods it sends, the
// paths Stripe is asked for) must not grow /metrics without bound: each distinct value is a series
// on every scrape, and Prometheus keeps it. Values are bounded twice: in length (a longer one is
// counted as LONG_LABEL) and in number (once `most` distinct values are seen, later ones count as
// OTHER_LABEL). The set of values seen holds at most `most` strings of at most `longest` characters.

/** Where values past the length bound are counted. */
export const LONG_LABEL = "(long)";
/** Where values past the count bound are counted. */
export const OTHER_LABEL = "other";

export function boundedLabel(bounds: { most: number; longest: number }): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (value.length > bounds.longest) return LONG_LABEL;
    if (seen.has(value)) return value;
    if (seen.size >= bounds.most) return OTHER_LABEL;
    seen.add(value);
    return value;
  };
}

/** The methods HTTP defines (RFC 9110, and PATCH): a request with another is counted as OTHER_LABEL. */
const HTTP_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"]);

export function methodLabel(method: string): string {
  return HTTP_METHODS.has(method) ? method : OTHER_LABEL;
}

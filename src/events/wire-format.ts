// One number type and one timestamp format wherever an event leaves the gateway (webhook bodies,
// GraphQL's Event.payload, and so the walletUpdated stream): payloads are built in SQL functions
// and in TypeScript, which write times differently (`2026-12-07T05:00:00.123456+00:00` from jsonb,
// `2026-12-07T05:00:00.123Z` from a Date). Here every time becomes ISO 8601 UTC with milliseconds
// and `Z`, and every ledger sequence a decimal string, like amounts. Values are found by name, not
// by look: a client's own `metadata` and text (references, descriptions) pass untouched.

/** Keys whose value is a time: createdAt, expiresAt, effectiveAt, terminatedAt, … */
const TIME_KEY = /At$/;

/** Keys whose value is a ledger sequence (bigint): always a string of digits on the wire. */
const SEQUENCE_KEY = /^(sequence|lastSequence|lastEventSequence|afterSequence)$/;

/** The client's own JSON, passed as given. */
const OPAQUE_KEYS = new Set(["metadata"]);

/** A time as the wire carries it: `2026-12-07T05:00:00.123Z`. */
export function wireTime(time: Date | string): string {
  const date = time instanceof Date ? time : new Date(time);
  return Number.isNaN(date.getTime()) ? String(time) : date.toISOString();
}

/** A sequence as the wire carries it: a decimal string. */
export function wireSequence(sequence: bigint | number | string): string {
  return String(sequence);
}

/** The payload with every time and sequence in the one wire format; the input is not changed. */
export function wirePayload<T>(payload: T): T {
  return normalise(payload, null) as T;
}

function normalise(value: unknown, key: string | null): unknown {
  if (key !== null && OPAQUE_KEYS.has(key)) return value;
  if (Array.isArray(value)) return value.map((item) => normalise(item, null));
  if (value instanceof Date) return wireTime(value);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, normalise(inner, name)]));
  }
  if (key === null) return value;
  if (TIME_KEY.test(key) && typeof value === "string") return wireTime(value);
  if (SEQUENCE_KEY.test(key) && (typeof value === "number" || typeof value === "bigint")) return wireSequence(value);
  return value;
}

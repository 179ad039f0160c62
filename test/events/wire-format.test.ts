// Event payloads leave the gateway in one format, whichever writer built them: times as ISO 8601
// UTC with milliseconds and `Z`, ledger sequences as decimal strings; a client's metadata and
// text pass as given.
import { describe, expect, it } from "vitest";
import { wirePayload } from "../../src/events/wire-format.ts";

describe("wirePayload", () => {
  it("writes jsonb's times and a Date alike, in UTC with milliseconds", () => {
    expect(
      wirePayload({
        operation: { createdAt: "2026-12-07T06:04:51.739123+00:00" },
        blocks: [{ expiresAt: "2026-12-08T01:00:00+01:00", effectiveAt: null }],
        topUp: { createdAt: new Date("2026-12-07T05:00:00.123Z") },
      }),
    ).toEqual({
      operation: { createdAt: "2026-12-07T06:04:51.739Z" },
      blocks: [{ expiresAt: "2026-12-08T00:00:00.000Z", effectiveAt: null }],
      topUp: { createdAt: "2026-12-07T05:00:00.123Z" },
    });
  });

  it("writes sequences as decimal strings, like amounts", () => {
    expect(wirePayload({ sequence: 4, entries: [{ sequence: "2", amount: "-5" }], wallet: { lastSequence: 9n, scale: 2 } })).toEqual({
      sequence: "4",
      entries: [{ sequence: "2", amount: "-5" }],
      wallet: { lastSequence: "9", scale: 2 },
    });
  });

  it("passes the client's metadata and text as given", () => {
    const payload = {
      wallet: { metadata: { dueAt: "2026-01-01T00:00:00+02:00", sequence: 3 }, name: "2026-01-01T00:00:00+02:00" },
      operation: { reference: "2026-01-01T00:00:00+02:00" },
    };
    expect(wirePayload(payload)).toEqual(payload);
  });

  it("leaves the payload it was given unchanged", () => {
    const payload = { operation: { createdAt: "2026-12-07T06:04:51.739123+00:00" } };
    wirePayload(payload);
    expect(payload.operation.createdAt).toBe("2026-12-07T06:04:51.739123+00:00");
  });
});

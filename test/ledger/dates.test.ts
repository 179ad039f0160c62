// The one strict reader of client date-times (parseIsoDateTime), and the range the ledger keeps.
import { describe, expect, it } from "vitest";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { holdCredits } from "../../src/ledger/commands/hold.ts";
import { parseIsoDateTime } from "../../src/ledger/dates.ts";
import { ValidationError } from "../../src/ledger/errors.ts";
import { useLedger } from "../support/ledger.ts";

const ledger = useLedger();

function refusal(text: unknown): ValidationError {
  try {
    parseIsoDateTime(text, "expires_at");
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]!.path).toEqual(["expires_at"]);
    return error as ValidationError;
  }
  throw new Error(`${String(text)} was accepted`);
}

describe("parseIsoDateTime", () => {
  it.each([
    ["2026-01-31T12:00:00Z", "2026-01-31T12:00:00.000Z"],
    ["2026-01-31t12:00:00z", "2026-01-31T12:00:00.000Z"],
    ["2026-01-31T12:00Z", "2026-01-31T12:00:00.000Z"],
    ["2026-01-31T13:00:00+01:00", "2026-01-31T12:00:00.000Z"],
    ["2026-01-31T00:30:00-05:30", "2026-01-31T06:00:00.000Z"],
    ["2026-01-31T12:00:00.5Z", "2026-01-31T12:00:00.500Z"],
    ["2026-01-31T12:00:00.123456789Z", "2026-01-31T12:00:00.123Z"],
    ["2026-01-31", "2026-01-31T00:00:00.000Z"],
    ["2024-02-29T23:59:59.999Z", "2024-02-29T23:59:59.999Z"],
    ["2000-02-29", "2000-02-29T00:00:00.000Z"],
    ["1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"],
    ["9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"],
    ["1970-01-01T01:00:00+01:00", "1970-01-01T00:00:00.000Z"],
  ])("reads %s as %s", (text, instant) => {
    expect(parseIsoDateTime(text, "expires_at").toISOString()).toBe(instant);
  });

  it.each([
    ["2099-02-30", /2099-02-30 does not exist/],
    ["2099-02-29T00:00:00Z", /is not a calendar date/],
    ["2100-02-29", /is not a calendar date/],
    ["2026-04-31", /is not a calendar date/],
    ["2026-13-01", /is not a calendar date/],
    ["2026-00-10", /is not a calendar date/],
    ["2026-01-00", /is not a calendar date/],
    ["2026-01-31T24:00:00Z", /is not a time of day/],
    ["2026-01-31T23:60:00Z", /is not a time of day/],
    ["2026-12-31T23:59:60Z", /is not a time of day/],
    ["2026-01-31T12:00:00+24:00", /offset/],
    ["2026-01-31T12:00:00+01:60", /offset/],
  ])("refuses %s, which names no real instant", (text, message) => {
    expect(refusal(text).message).toMatch(message);
  });

  it.each([
    ["a time without a zone", "2026-01-31T12:00:00", /time zone/],
    ["a space for the T", "2026-01-31 12:00:00Z", /ISO 8601/],
    ["the basic format", "20260131T120000Z", /ISO 8601/],
    ["one-digit fields", "2026-1-31", /ISO 8601/],
    ["a US date", "01/31/2026", /ISO 8601/],
    ["words", "next tuesday", /ISO 8601/],
    ["an RFC 2822 date", "Sat, 31 Jan 2026 12:00:00 GMT", /ISO 8601/],
    ["an expanded year", "+002026-01-31T12:00:00Z", /ISO 8601/],
    ["an offset without a colon", "2026-01-31T12:00:00+0100", /ISO 8601/],
    ["a Unix timestamp", 1_769_860_800, /string/],
    ["nothing", "", /ISO 8601/],
  ])("refuses %s", (_, text, message) => {
    expect(refusal(text).message).toMatch(message);
  });

  it.each([
    ["before 1970", "1969-12-31T23:59:59.999Z"],
    ["before 1970 once its offset is applied", "1970-01-01T00:30:00+01:00"],
    ["after 9999", "9999-12-31T23:00:00-01:00"],
    ["in year 0", "0000-01-01"],
  ])("refuses an instant %s", (_, text) => {
    expect(refusal(text).message).toMatch(/years 1970 to 9999/);
  });
});

describe("dates given to commands", () => {
  it("are refused outside the years 1970 to 9999 and when invalid, writing nothing", async () => {
    const wallet = await ledger.newWallet();
    const far = new Date(Date.UTC(10_000, 0, 1));
    const before = new Date(Date.UTC(1969, 11, 31));
    for (const [field, attempt] of [
      ["expiresAt", deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, expiresAt: far })],
      ["effectiveAt", deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, effectiveAt: before })],
      ["expiresAt", deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, expiresAt: new Date("not a date") })],
      ["expiresAt", holdCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, expiresAt: far })],
    ] as const) {
      const error = await attempt.catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]!.path).toEqual([field]);
    }
    expect(await ledger.db.prisma.operation.count({ where: { walletId: wallet.id } })).toBe(1);
  });
});

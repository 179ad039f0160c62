// The one reader of date-times from clients, for every transport. JavaScript's Date parser
// accepts far too much: it rolls 2099-02-30 over to March 2, reads "2024-01-01 10:00" in the
// server's own time zone, and takes formats no standard defines. This reader takes ISO 8601's
// extended format only (the RFC 3339 profile, plus a plain date meaning its midnight UTC), checks
// that the calendar fields name a real day and time, and keeps instants in the years 1970 to 9999.
import { ValidationError } from "./errors.ts";

/** 1970-01-01T00:00:00.000Z: nothing the ledger records is older. */
export const EARLIEST_INSTANT = Date.UTC(1970, 0, 1);
/** 9999-12-31T23:59:59.999Z: the last instant with a four-digit year. */
export const LATEST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

// YYYY-MM-DD, optionally followed by Thh:mm, :ss, .fraction and a zone (Z or ±hh:mm; required
// with a time, which is checked below for a clearer message).
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|([+-])(\d{2}):(\d{2}))?)?$/;

const EXAMPLE = "such as 2026-01-31T12:00:00Z, 2026-01-31T13:00:00+01:00 or 2026-01-31";

function invalid(field: string, message: string): never {
  throw new ValidationError(`${field} ${message}`, [{ path: [field], message }]);
}

/**
 * Reads an ISO 8601 date-time (`2026-01-31T12:00:00Z`, `…T12:00:00.250+01:00`, `…T12:00Z`) or
 * date (`2026-01-31`, midnight UTC). A time needs its zone. Fractions beyond milliseconds are
 * cut off, as the ledger keeps milliseconds.
 * Fails with ValidationError naming `field` for anything else: another format, a day or time that
 * does not exist (2099-02-30, 24:00, 23:59:60), an offset past ±23:59, or an instant outside the
 * years 1970 to 9999.
 */
export function parseIsoDateTime(text: unknown, field: string): Date {
  if (typeof text !== "string") invalid(field, `must be an ISO 8601 date-time string, ${EXAMPLE}`);
  const match = text.length <= 40 ? ISO_DATE_TIME.exec(text) : null;
  if (!match) invalid(field, `must be an ISO 8601 date-time, ${EXAMPLE}`);
  const [, year, month, day, hour, minute = "00", second = "00", fraction = "", zone, sign, offsetHours = "0", offsetMinutes = "0"] = match;
  // Without a zone the instant would depend on where the server runs.
  if (hour !== undefined && zone === undefined) invalid(field, "must give its time zone: Z or an offset such as +01:00");

  const fields = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour ?? "0"),
    minute: Number(minute),
    second: Number(second),
  };
  const millisecond = Number(fraction.slice(0, 3).padEnd(3, "0"));
  const local = new Date(0);
  local.setUTCFullYear(fields.year, fields.month - 1, fields.day);
  local.setUTCHours(fields.hour, fields.minute, fields.second, millisecond);
  // Date rolls impossible fields over (February 30 becomes March 2, 24:00 the next day): the
  // fields must come back as they went in. The time first, as its overflow moves the day too.
  const roundTrip = {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
  };
  if (roundTrip.hour !== fields.hour || roundTrip.minute !== fields.minute || roundTrip.second !== fields.second) {
    invalid(field, `is not a time of day: ${hour}:${minute}:${second} does not exist`);
  }
  if (roundTrip.year !== fields.year || roundTrip.month !== fields.month || roundTrip.day !== fields.day) {
    invalid(field, `is not a calendar date: ${year}-${month}-${day} does not exist`);
  }
  if (Number(offsetHours) > 23 || Number(offsetMinutes) > 59) invalid(field, "has an offset past ±23:59");

  const offsetMs = (sign === "-" ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  const instant = local.getTime() - offsetMs;
  if (instant < EARLIEST_INSTANT || instant > LATEST_INSTANT) invalid(field, "must be in the years 1970 to 9999");
  return new Date(instant);
}

// Money is an integer count of minor units (cents for USD, whole credits for a unit of scale 0),
// held as bigint end to end. Decimal strings are converted exactly, digit by digit: no floats.
import { ValidationError } from "./errors.ts";

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;
const INTEGER = /^-?\d+$/;
/** The largest figure any bigint column holds (PostgreSQL bigint is 2^63 − 1): balances, blocks, overdrafts. */
export const LEDGER_MAX = 2n ** 63n - 1n;
/**
 * The largest single amount a request may name. Half the column range, so that one amount added
 * to or taken from any figure the ledger holds never overflows the arithmetic on the way (SQL
 * computes `balance - amount` before it checks anything); whether the result itself fits is
 * checked where entries are appended (WalletLedger.append).
 */
export const MAX_MINOR_UNITS = 2n ** 62n;

function outOfRange(field: string): never {
  throw new ValidationError(`${field} is out of range: at most ${MAX_MINOR_UNITS} minor units either way`, [
    { path: [field], message: `must be between -${MAX_MINOR_UNITS} and ${MAX_MINOR_UNITS}` },
  ]);
}

/**
 * Reads an amount of minor units given as a bigint, an integer string or a safe integer number.
 * Throws ValidationError for fractions, unsafe numbers, non-numbers and values past MAX_MINOR_UNITS.
 */
export function parseMinorUnits(value: unknown, field: string): bigint {
  let amount: bigint;
  if (typeof value === "bigint") amount = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) amount = BigInt(value);
  else if (typeof value === "string" && INTEGER.test(value.trim())) {
    // Digits past what any amount has are refused before BigInt spends time on them.
    if (value.trim().replace(/^-?0*/, "").length > 19) outOfRange(field);
    amount = BigInt(value.trim());
  } else throw new ValidationError(`${field} must be a whole number of minor units`, [{ path: [field], message: "must be an integer" }]);
  if (amount > MAX_MINOR_UNITS || amount < -MAX_MINOR_UNITS) outOfRange(field);
  return amount;
}

/** Requires amount > 0; the usual guard for money movements. */
export function requirePositive(amount: bigint, field: string): bigint {
  if (amount <= 0n) throw new ValidationError(`${field} must be greater than 0`, [{ path: [field], message: "must be greater than 0" }]);
  return amount;
}

/**
 * Converts a decimal string in major units ("12.34") to minor units at `scale` (1234n at scale 2).
 * More fractional digits than the scale can hold is an error, never a rounding.
 */
export function decimalToMinorUnits(decimal: string, scale: number, field: string): bigint {
  const match = DECIMAL.exec(decimal.trim());
  if (!match) throw new ValidationError(`${field} must be a decimal number`, [{ path: [field], message: "must be a decimal string" }]);
  const [, sign, whole, fraction = ""] = match;
  const significant = fraction.replace(/0+$/, "");
  if (significant.length > scale) {
    throw new ValidationError(`${field} has more than ${scale} decimal places`, [{ path: [field], message: `at most ${scale} decimal places` }]);
  }
  if (whole!.replace(/^0+/, "").length + scale > 19) outOfRange(field);
  const minor = BigInt(whole! + significant.padEnd(scale, "0"));
  return parseMinorUnits(sign ? -minor : minor, field);
}

/** Formats minor units as a decimal string in major units: 1234n at scale 2 is "12.34". */
export function formatMinorUnits(amount: bigint, scale: number): string {
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale > 0 ? `.${digits.slice(digits.length - scale)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

const ISO_CURRENCIES = new Set(Intl.supportedValuesOf("currency"));
const CUSTOM_UNIT = /^[A-Z][A-Z0-9_]{1,31}$/;

/**
 * The number of minor-unit digits of a currency. ISO 4217 codes take their standard scale
 * (USD 2, JPY 0, KWD 3) unless one is given; a custom credit unit ("CREDITS") takes the given
 * scale, 0 by default.
 */
export function currencyScale(currency: string, requestedScale?: number | null): number {
  if (!CUSTOM_UNIT.test(currency)) {
    throw new ValidationError("currency must be an ISO 4217 code or an upper-case unit name", [
      { path: ["currency"], message: "must match [A-Z][A-Z0-9_]{1,31}" },
    ]);
  }
  if (requestedScale != null) {
    if (!Number.isInteger(requestedScale) || requestedScale < 0 || requestedScale > 18) {
      throw new ValidationError("scale must be an integer from 0 to 18", [{ path: ["scale"], message: "must be 0 to 18" }]);
    }
    return requestedScale;
  }
  if (ISO_CURRENCIES.has(currency)) {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  }
  return 0;
}

export function minBigInt(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

export function sumBigInt(values: Iterable<bigint>): bigint {
  let total = 0n;
  for (const value of values) total += value;
  return total;
}

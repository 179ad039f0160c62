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
  else if (typeof value === "string" && INTEGER.test(value)) {
    // Digits past what any amount has are refused before BigInt spends time on them.
    if (value.replace(/^-?0*/, "").length > 19) outOfRange(field);
    amount = BigInt(value);
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
  const match = DECIMAL.exec(decimal);
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

/**
 * ISO 4217's active codes (list one as published 2026-01-01) and their minor units. Null: the
 * standard gives no minor unit (precious metals, bond-market units, SDR, testing, "no currency").
 * Withdrawn codes (HRK, BGN, ANG, SLL, ZWL, CUC, …) are not here: new wallets are not opened in them.
 */
const ISO_4217: Readonly<Record<string, number | null>> = {
  AED: 2, AFN: 2, ALL: 2, AMD: 2, AOA: 2, ARS: 2, AUD: 2, AWG: 2, AZN: 2, BAM: 2, BBD: 2, BDT: 2,
  BHD: 3, BIF: 0, BMD: 2, BND: 2, BOB: 2, BOV: 2, BRL: 2, BSD: 2, BTN: 2, BWP: 2, BYN: 2, BZD: 2,
  CAD: 2, CDF: 2, CHE: 2, CHF: 2, CHW: 2, CLF: 4, CLP: 0, CNY: 2, COP: 2, COU: 2, CRC: 2, CUP: 2,
  CVE: 2, CZK: 2, DJF: 0, DKK: 2, DOP: 2, DZD: 2, EGP: 2, ERN: 2, ETB: 2, EUR: 2, FJD: 2, FKP: 2,
  GBP: 2, GEL: 2, GHS: 2, GIP: 2, GMD: 2, GNF: 0, GTQ: 2, GYD: 2, HKD: 2, HNL: 2, HTG: 2, HUF: 2,
  IDR: 2, ILS: 2, INR: 2, IQD: 3, IRR: 2, ISK: 0, JMD: 2, JOD: 3, JPY: 0, KES: 2, KGS: 2, KHR: 2,
  KMF: 0, KPW: 2, KRW: 0, KWD: 3, KYD: 2, KZT: 2, LAK: 2, LBP: 2, LKR: 2, LRD: 2, LSL: 2, LYD: 3,
  MAD: 2, MDL: 2, MGA: 2, MKD: 2, MMK: 2, MNT: 2, MOP: 2, MRU: 2, MUR: 2, MVR: 2, MWK: 2, MXN: 2,
  MXV: 2, MYR: 2, MZN: 2, NAD: 2, NGN: 2, NIO: 2, NOK: 2, NPR: 2, NZD: 2, OMR: 3, PAB: 2, PEN: 2,
  PGK: 2, PHP: 2, PKR: 2, PLN: 2, PYG: 0, QAR: 2, RON: 2, RSD: 2, RUB: 2, RWF: 0, SAR: 2, SBD: 2,
  SCR: 2, SDG: 2, SEK: 2, SGD: 2, SHP: 2, SLE: 2, SOS: 2, SRD: 2, SSP: 2, STN: 2, SVC: 2, SYP: 2,
  SZL: 2, THB: 2, TJS: 2, TMT: 2, TND: 3, TOP: 2, TRY: 2, TTD: 2, TWD: 2, TZS: 2, UAH: 2, UGX: 0,
  USD: 2, USN: 2, UYI: 0, UYU: 2, UYW: 4, UZS: 2, VED: 2, VES: 2, VND: 0, VUV: 0, WST: 2, XAD: 2,
  XAF: 0, XCD: 2, XCG: 2, XOF: 0, XPF: 0, YER: 2, ZAR: 2, ZMW: 2, ZWG: 2,
  XAG: null, XAU: null, XBA: null, XBB: null, XBC: null, XBD: null, XDR: null, XPD: null, XPT: null, XSU: null, XTS: null, XUA: null, XXX: null,
};

const CUSTOM_UNIT = /^[A-Z][A-Z0-9_]{1,31}$/;
const MAX_SCALE = 18;

/** A unit of the tenant's own, such as CREDITS: its code and how many minor-unit digits it has. */
export interface CustomUnit {
  code: string;
  scale: number;
}

/** What a wallet is kept in: the `currency` column (an ISO code or a custom unit's code) and its scale. */
export interface WalletUnit {
  currency: string;
  scale: number;
}

/** The ISO 4217 minor unit of `code` (USD 2, JPY 0, KWD 3), or null when it is no ISO currency with one. */
export function isoMinorUnit(code: string): number | null {
  return Object.hasOwn(ISO_4217, code) ? ISO_4217[code]! : null;
}

function unitError(path: string[], message: string): never {
  throw new ValidationError(`${path.join(".")} ${message}`, [{ path, message }]);
}

/**
 * The number of minor-unit digits of an ISO 4217 currency: USD 2, JPY 0, KWD 3.
 * Fails with ValidationError for anything else, custom units included.
 */
export function currencyScale(currency: string, field = "currency"): number {
  const text = typeof currency === "string" ? currency : "";
  if (!Object.hasOwn(ISO_4217, text)) {
    if (isoMinorUnit(text.toUpperCase()) !== null) unitError([field], `must be an ISO 4217 code in upper case: ${text.toUpperCase()}`);
    if (CUSTOM_UNIT.test(text)) unitError([field], `${text} is not an ISO 4217 currency; for a unit of your own, give customUnit: { code, scale } instead`);
    unitError([field], "must be an ISO 4217 currency code such as USD");
  }
  const scale = ISO_4217[text];
  if (scale == null) {
    unitError([field], `${text} has no minor unit in ISO 4217; hold it as a customUnit under a code of your own, such as ${text}_UNITS`);
  }
  return scale;
}

/**
 * What a new wallet is kept in: an ISO 4217 `currency` at the standard's scale, or an explicit
 * `customUnit` — never a guess between the two, so that a typo ("US", "XYZ") is an error rather
 * than a wallet of made-up credits. A custom unit's code is 2 to 32 upper-case letters, digits and
 * '_' starting with a letter, and never an ISO 4217 code; its scale is 0 to 18.
 * Fails with ValidationError.
 */
export function walletUnit(input: { currency?: string | null; customUnit?: CustomUnit | null }): WalletUnit {
  const { currency, customUnit } = input;
  if (currency != null && customUnit != null) unitError(["customUnit"], "cannot be given with currency: a wallet holds one or the other");
  if (customUnit != null) {
    const { code, scale } = customUnit;
    if (typeof code !== "string" || !CUSTOM_UNIT.test(code)) {
      unitError(["customUnit", "code"], "must be 2 to 32 upper-case letters, digits or '_', starting with a letter");
    }
    if (Object.hasOwn(ISO_4217, code)) {
      const instead = ISO_4217[code] == null ? `choose another code, such as ${code}_UNITS` : "give it as currency, or choose another code";
      unitError(["customUnit", "code"], `${code} is an ISO 4217 code: ${instead}`);
    }
    if (!Number.isInteger(scale) || scale < 0 || scale > MAX_SCALE) unitError(["customUnit", "scale"], `must be an integer from 0 to ${MAX_SCALE}`);
    return { currency: code, scale };
  }
  if (currency == null) unitError(["currency"], "is required: an ISO 4217 code, or give customUnit for a unit of your own");
  return { currency, scale: currencyScale(currency) };
}

export function minBigInt(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

export function sumBigInt(values: Iterable<bigint>): bigint {
  let total = 0n;
  for (const value of values) total += value;
  return total;
}

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
    throw new ValidationError(`${field} has more than ${scale} decimal places`, [
      { path: [field], message: `at most ${scale} decimal places` },
    ]);
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
 * Listed by minor units, most currencies having two.
 */
const ISO_4217: ReadonlyMap<string, number | null> = new Map(
  Object.entries({
    2: `
      AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD
      CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS
      GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD
      LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB
      PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP
      SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XAD XCD XCG YER ZAR ZMW
      ZWG`,
    0: `
      BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF`,
    3: `
      BHD IQD JOD KWD LYD OMR TND`,
    4: `
      CLF UYW`,
    none: `
      XAG XAU XBA XBB XBC XBD XDR XPD XPT XSU XTS XUA XXX`,
  }).flatMap(([minorUnits, codes]) =>
    codes
      .trim()
      .split(/\s+/)
      .map((code) => [code, minorUnits === "none" ? null : Number(minorUnits)] as const),
  ),
);

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
  return ISO_4217.get(code) ?? null;
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
  if (!ISO_4217.has(text)) {
    if (isoMinorUnit(text.toUpperCase()) !== null) unitError([field], `must be an ISO 4217 code in upper case: ${text.toUpperCase()}`);
    if (CUSTOM_UNIT.test(text))
      unitError([field], `${text} is not an ISO 4217 currency; for a unit of your own, give customUnit: { code, scale } instead`);
    unitError([field], "must be an ISO 4217 currency code such as USD");
  }
  const scale = ISO_4217.get(text);
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
    if (ISO_4217.has(code)) {
      const instead =
        ISO_4217.get(code) == null ? `choose another code, such as ${code}_UNITS` : "give it as currency, or choose another code";
      unitError(["customUnit", "code"], `${code} is an ISO 4217 code: ${instead}`);
    }
    if (!Number.isInteger(scale) || scale < 0 || scale > MAX_SCALE)
      unitError(["customUnit", "scale"], `must be an integer from 0 to ${MAX_SCALE}`);
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

// What credits cost when a wallet holds credits priced in money (a commerce wallet's
// `rate_amount`): charges are whole minor units of the charge currency, rounded half-even;
// everything else is exact decimal arithmetic, never floating point.
import { Prisma } from "../db/generated/client.ts";
import { currencyScale, formatMinorUnits } from "../ledger/index.ts";

export interface Pricing {
  /** What one minor unit of credit costs, in major units of `chargeCurrency`, as a decimal string. */
  unitPrice: string;
  chargeCurrency: string;
}

function minorUnitsPerMajor(currency: string): Prisma.Decimal {
  return new Prisma.Decimal(10).pow(currencyScale(currency));
}

/** The charge, in minor units of the charge currency, for `credits` minor units of credit. */
export function chargeFor(credits: bigint, pricing: Pricing): bigint {
  const exact = new Prisma.Decimal(credits.toString()).mul(pricing.unitPrice).mul(minorUnitsPerMajor(pricing.chargeCurrency));
  return BigInt(exact.toDecimalPlaces(0, Prisma.Decimal.ROUND_HALF_EVEN).toFixed(0));
}

/** The fewest credits whose charge is at least `charge`. */
export function creditsCosting(charge: bigint, pricing: Pricing): bigint {
  const perCredit = new Prisma.Decimal(pricing.unitPrice).mul(minorUnitsPerMajor(pricing.chargeCurrency));
  let credits = BigInt(new Prisma.Decimal(charge.toString()).div(perCredit).toDecimalPlaces(0, Prisma.Decimal.ROUND_UP).toFixed(0));
  while (chargeFor(credits, pricing) < charge) credits += 1n;
  return credits;
}

/**
 * Pricing for credits kept in minor units of `creditScale` digits, one whole credit costing
 * `rate` major units of `chargeCurrency`: a minor unit of credit costs rate / 10^creditScale, exactly.
 */
export function pricingAtRate(rate: string, creditScale: number, chargeCurrency: string): Pricing {
  const [whole = "0", fraction = ""] = rate.split(".");
  const digits = `${whole}${fraction}`.replace(/^0+(?=\d)/, "");
  const places = fraction.length + creditScale;
  const padded = digits.padStart(places + 1, "0");
  const unitPrice = `${padded.slice(0, padded.length - places)}.${padded.slice(padded.length - places)}`.replace(/\.?0+$/, "") || "0";
  return { unitPrice, chargeCurrency };
}

/** What `credits` minor units of credit are worth, in major units of the charge currency, as a decimal string. */
export function valueOf(credits: bigint, pricing: Pricing): string {
  return formatMinorUnits(chargeFor(credits, pricing), currencyScale(pricing.chargeCurrency));
}

// What credits cost when a wallet holds credits priced in money (a commerce wallet's
// `rate_amount`): charges are whole minor units of the charge currency, rounded half-even;
// everything else is exact decimal arithmetic, never floating point.
import { Prisma } from "../db/generated/client.ts";
import { currencyScale } from "../ledger/money.ts";

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

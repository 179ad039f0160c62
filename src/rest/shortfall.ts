// The ledger counts a shortfall in minor units (100000 for USD 1000); a vendor's caller wrote
// major units. Its message is retold in those, so "1000 requested, 24.25 available" reads in the
// units of the request.
import { type Wallet, InsufficientCreditsError, formatMinorUnits } from "../ledger/index.ts";

/** 100000n at scale 2 is "1000"; 2425n is "24.25". */
function inMajorUnits(amount: bigint, scale: number): string {
  const text = formatMinorUnits(amount, scale);
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/** Runs a ledger command on `wallet`; an InsufficientCreditsError comes out told in major units of `unit`. */
export async function shortfallInMajorUnits<T>(
  wallet: Pick<Wallet, "scale" | "currency">,
  command: () => Promise<T>,
  unit = wallet.currency,
): Promise<T> {
  try {
    return await command();
  } catch (error) {
    if (!(error instanceof InsufficientCreditsError)) throw error;
    const retold = new InsufficientCreditsError(error.requested, error.available);
    retold.message = `insufficient credits: ${inMajorUnits(error.requested, wallet.scale)} ${unit} requested, ${inMajorUnits(error.available, wallet.scale)} available`;
    throw retold;
  }
}

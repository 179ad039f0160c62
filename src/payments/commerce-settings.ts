// A commerce billing wallet's settings as the ledger keeps them, in the wallet's metadata under
// `commerce`: its unit (credits in millionths), the money one credit costs, and its rules. The REST
// shim (src/rest/commerce/) writes and shows them; the interval top-up job (src/jobs/) runs them.
import type { Wallet } from "../ledger/index.ts";
import { pricingAtRate, type Pricing } from "./pricing.ts";

export const CREDIT_UNIT = "BILLING_CREDITS";
export const CREDIT_SCALE = 6;

export interface CommerceSettings {
  currency_code: string;
  rate_amount: string;
  applies_to: unknown;
  recurring_transaction_rules: unknown[];
  expiration_at: string | null;
}

export function settingsOf(wallet: Wallet): CommerceSettings {
  return (
    ((wallet.metadata ?? {}) as { commerce?: CommerceSettings }).commerce ?? {
      currency_code: "USD",
      rate_amount: "1",
      applies_to: null,
      recurring_transaction_rules: [],
      expiration_at: null,
    }
  );
}

/** What one minor unit of credit (a millionth) costs at the wallet's `rate_amount` per credit. */
export function pricingOf(settings: Pick<CommerceSettings, "currency_code" | "rate_amount">): Pricing {
  return pricingAtRate(settings.rate_amount, CREDIT_SCALE, settings.currency_code);
}

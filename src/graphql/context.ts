import type { Viewer } from "../auth/tokens.ts";
import type { LedgerContext } from "../ledger/context.ts";
import type { StripeAccess } from "../payments/stripe-client.ts";

export interface GraphQLContext {
  viewer: Viewer;
  ledger: LedgerContext;
  /** Null when STRIPE_SECRET_KEY is not set. */
  payments: StripeAccess | null;
}

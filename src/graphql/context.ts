import type { TokenAuthenticator } from "../auth/authenticator.ts";
import type { Viewer } from "../auth/tokens.ts";
import type { LedgerContext } from "../ledger/context.ts";
import type { StripeAccess } from "../payments/stripe-client.ts";

export interface GraphQLContext {
  viewer: Viewer;
  ledger: LedgerContext;
  /** Null when STRIPE_SECRET_KEY is not set. */
  payments: StripeAccess | null;
  /** Told when a token is revoked here, so that it is refused at once. */
  tokens: TokenAuthenticator;
}

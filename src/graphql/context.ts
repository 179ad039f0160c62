import { getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { TokenAuthenticator } from "../auth/authenticator.ts";
import type { OpenStreams } from "../events/open-streams.ts";
import type { Viewer } from "../auth/tokens.ts";
import { graphqlLedger, type RequestLedgers } from "../db/read-routing.ts";
import type { LedgerContext } from "../ledger/index.ts";
import type { StripeAccess } from "../payments/stripe-client.ts";
import type { UrlPolicy } from "../webhooks/url-policy.ts";

export interface GraphQLContext {
  viewer: Viewer;
  /**
   * The ledger this operation reads and writes through, chosen once per operation by
   * `useReadRouting`: a query's reads go to the read replica when there is one; a mutation,
   * the payload it returns included, works on the primary.
   */
  ledger: LedgerContext;
  /** Null when STRIPE_SECRET_KEY is not set. */
  payments: StripeAccess | null;
  /** Told when a token is revoked here, so that it is refused at once. */
  tokens: TokenAuthenticator;
  /** Where webhook endpoints may point (WEBHOOK_ALLOW_PRIVATE). */
  webhookUrlPolicy: UrlPolicy;
  /** The `walletUpdated` streams open in this process, and their limits. */
  streams: OpenStreams;
}

/**
 * Gives each operation its ledger (src/db/read-routing.ts) once the document is parsed and
 * validated, before any resolver runs. Until then the context holds the primary's.
 */
export function useReadRouting(ledgers: RequestLedgers): Plugin<GraphQLContext> {
  return {
    onExecute({ args, extendContext }) {
      const operation = getOperationAST(args.document, args.operationName)?.operation;
      extendContext({ ledger: graphqlLedger(ledgers, operation) });
    },
  };
}

// The GraphQL endpoint: Yoga over the Pothos schema, GraphiQL for browsers. Unexpected errors
// are masked (no stack traces or SQL reach a client) and logged once, by Yoga; ours keep their
// message and code and are logged at debug level only, since they are answers, not faults.
// Body size, CORS, authentication and rate limits are the HTTP edge's (src/app.ts); what one
// operation may ask for is checked here (query-limits.ts).
import { GraphQLError } from "graphql";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { createGraphQLError, createLogger, createYoga, maskError, type YogaLogger } from "graphql-yoga";
import type { TokenAuthenticator } from "../auth/authenticator.ts";
import type { Viewer } from "../auth/tokens.ts";
import type { GraphQLLimits } from "../config.ts";
import { isDatabaseUnavailable } from "../http/database-unavailable.ts";
import { ServiceUnavailableError } from "../http/errors.ts";
import type { RequestLedgers } from "../http/read-routing.ts";
import type { StripeAccess } from "../payments/stripe-client.ts";
import type { UrlPolicy } from "../webhooks/url-policy.ts";
import { LedgerError } from "../ledger/errors.ts";
import { useReadRouting, type GraphQLContext } from "./context.ts";
import { useQueryLimits } from "./query-limits.ts";
import { schema } from "./schema.ts";

const FIRST_QUERY = `# Welcome to Billing Gateway. Send your token as a header: {"Authorization": "Bearer <token>"}
query Wallets {
  viewer { livemode tenant { slug } }
  wallets(first: 10) {
    totalCount
    edges { node { id currency balance { available total used frozen } } }
  }
}
`;

export function createGraphQLHandler(ledgers: RequestLedgers, payments: StripeAccess | null, tokens: TokenAuthenticator, limits: GraphQLLimits, webhookUrlPolicy: UrlPolicy) {
  return createYoga<{ viewer: Viewer }, GraphQLContext>({
    schema,
    graphqlEndpoint: "/graphql",
    landingPage: false,
    // Yoga's default CORS echoes any Origin with credentials; the edge answers CORS instead.
    cors: false,
    // The edge has limited the body already; Yoga's own limit would pipe every body again.
    maxRequestBodySize: false,
    plugins: [useQueryLimits(limits), useReadRouting(ledgers)],
    logging: errorsAreLoggedOnce(createLogger()),
    graphiql: { title: "Billing Gateway", defaultQuery: FIRST_QUERY },
    // GraphiQL's scripts are served inline, not from a CDN: it works on a closed network too.
    renderGraphiQL,
    context: ({ viewer }) => ({ viewer, ledger: ledgers.primary, payments, tokens, webhookUrlPolicy }),
    maskedErrors: {
      maskError(error, message, isDev) {
        const original = (error as { originalError?: unknown }).originalError ?? error;
        if (original instanceof LedgerError) {
          return new GraphQLError(original.message, { extensions: { code: original.code } });
        }
        // GraphQL's own errors (bad queries, bad variables) are for the client to see. Checked by
        // name: `graphql` can be loaded twice (ESM and CommonJS), and instanceof would then lie.
        if (isGraphQLError(error) && (!error.originalError || isGraphQLError(error.originalError))) return error;
        if (isDatabaseUnavailable(original)) {
          const unavailable = new ServiceUnavailableError();
          // Yoga's own error class: Yoga takes the status from `http` and strips it from the answer.
          return createGraphQLError(unavailable.message, { extensions: { code: unavailable.code, http: { status: unavailable.status } } });
        }
        return maskError(error, message, isDev);
      },
    },
  });
}

export type GraphQLHandler = ReturnType<typeof createGraphQLHandler>;

/**
 * Yoga logs the original of every error maskError replaces, stack included. Ours (a wallet not
 * found, a malformed id) and clients hanging up are expected: those go to debug, the rest stay errors.
 */
function errorsAreLoggedOnce(logger: YogaLogger): YogaLogger {
  // A client that hangs up mid-request aborts it: nothing went wrong here.
  const deliberate = (error: unknown) =>
    error instanceof LedgerError || (error as { originalError?: unknown } | null)?.originalError instanceof LedgerError || (error as Error | null)?.name === "AbortError";
  return { ...logger, error: (...args: unknown[]) => (deliberate(args[0]) ? logger.debug(...args) : logger.error(...args)) };
}

function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === "GraphQLError";
}

// The GraphQL endpoint: Yoga over the Pothos schema, GraphiQL for browsers. Unexpected errors
// are masked (no stack traces or SQL reach a client) and logged once, by Yoga; ours keep their
// message and code and are logged at debug level only, since they are answers, not faults.
// Body size, CORS, authentication and rate limits are the HTTP edge's (src/app.ts); what one
// operation may ask for is checked here (query-limits.ts).
import { GraphQLError } from "graphql";
import { createGraphQLError, createYoga, maskError, type YogaLogger } from "graphql-yoga";
import { log, rootLogger } from "../observability/logger.ts";
import { OpenStreams } from "../events/open-streams.ts";
import type { TokenAuthenticator } from "../auth/authenticator.ts";
import type { Viewer } from "../auth/tokens.ts";
import type { GraphQLLimits } from "../config.ts";
import { isDatabaseUnavailable } from "../db/database-unavailable.ts";
import { ServiceUnavailableError } from "../http/errors.ts";
import type { RequestLedgers } from "../db/read-routing.ts";
import type { StripeAccess } from "../payments/stripe-client.ts";
import type { UrlPolicy } from "../webhooks/url-policy.ts";
import { LedgerError } from "../ledger/index.ts";
import { useReadRouting, type GraphQLContext } from "./context.ts";
import { useCompiledExecution } from "./compiled-execution.ts";
import { boundedDocumentCaches } from "./document-cache.ts";
import { useGraphiQLPage } from "./graphiql.ts";
import { useOperationMetrics } from "./metrics-plugin.ts";
import { useQueryLimits } from "./query-limits.ts";
import { schema } from "./schema.ts";

export function createGraphQLHandler(
  ledgers: RequestLedgers,
  payments: StripeAccess | null,
  tokens: TokenAuthenticator,
  limits: GraphQLLimits,
  webhookUrlPolicy: UrlPolicy,
) {
  const streams = new OpenStreams(limits.streams, tokens);
  return createYoga<{ viewer: Viewer }, GraphQLContext>({
    schema,
    graphqlEndpoint: "/graphql",
    landingPage: false,
    // Yoga's default CORS echoes any Origin with credentials; the edge answers CORS instead.
    cors: false,
    // The edge has limited the body already; Yoga's own limit would pipe every body again.
    maxRequestBodySize: false,
    // Parsed documents are kept by their text, bounded in size (document-cache.ts).
    parserAndValidationCache: boundedDocumentCaches(),
    // GraphiQL is served by the first plugin (graphiql.ts): Yoga's own page cannot be compressed or cached.
    graphiql: false,
    plugins: [useGraphiQLPage(), useQueryLimits(limits), useReadRouting(ledgers), useOperationMetrics(), useCompiledExecution()],
    logging: errorsAreLoggedOnce(yogaLogger()),
    context: ({ viewer }) => ({ viewer, ledger: ledgers.primary, payments, tokens, webhookUrlPolicy, streams }),
    maskedErrors: {
      maskError(error, message, isDev) {
        const original = (error as { originalError?: unknown }).originalError ?? error;
        if (original instanceof LedgerError) {
          // Yoga's own error class: one of its own is an answer, not a fault, even where no data
          // comes with it (a subscription refused), which Yoga would otherwise answer 500.
          return createGraphQLError(original.message, { extensions: { code: original.code } });
        }
        // GraphQL's own errors (bad queries, bad variables) are for the client to see. Checked by
        // name: `graphql` can be loaded twice (ESM and CommonJS), and instanceof would then lie.
        if (isGraphQLError(error) && (!error.originalError || isGraphQLError(error.originalError))) return error;
        if (isDatabaseUnavailable(original)) {
          const unavailable = new ServiceUnavailableError();
          // Yoga's own error class: Yoga takes the status and headers from `http` and strips it from the answer.
          return createGraphQLError(unavailable.message, {
            extensions: { code: unavailable.code, http: { status: unavailable.status, headers: unavailable.headers() } },
          });
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
    error instanceof LedgerError ||
    (error as { originalError?: unknown } | null)?.originalError instanceof LedgerError ||
    (error as Error | null)?.name === "AbortError";
  return { ...logger, error: (...args: unknown[]) => (deliberate(args[0]) ? logger.debug(...args) : logger.error(...args)) };
}

/** Yoga's messages in the gateway's log, with the request's id: an error as `err`, the rest as the message. */
function yogaLogger(): YogaLogger {
  const at =
    (level: "debug" | "info" | "warn" | "error") =>
    (...args: unknown[]) => {
      // Yoga writes a few debug lines per request: nothing is made of them at higher levels.
      if (!rootLogger.isLevelEnabled(level)) return;
      const error = args.find((arg) => arg instanceof Error);
      const message = args
        .filter((arg) => !(arg instanceof Error))
        .map(String)
        .join(" ");
      log()[level]({ ...(error ? { err: error } : {}), source: "graphql" }, message || (error as Error | undefined)?.message || "");
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === "GraphQLError";
}

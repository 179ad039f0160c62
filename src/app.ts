// Builds the gateway's HTTP application as one fetch handler, so tests call `app.fetch(request)`
// in process and the server only has to listen.
//
// Every request passes the same edge, in this order: CORS preflights are answered (no token
// needed); a declared body over the limit is refused before it is read; the token is
// authenticated and counted against its rate limit; a body of undeclared length is read,
// counting bytes, up to the limit; then the route answers. Whatever fails on the way, the database included, is answered
// in the route family's error shape (GraphQL, each REST vendor, the Stripe webhook, the gateway's
// own paths) with no internals, and logged once. With a read replica, GraphQL queries and REST
// GETs read from it, everything else from the primary (src/db/read-routing.ts).
import { createServerAdapter } from "@whatwg-node/server";
import { TokenAuthenticator } from "./auth/authenticator.ts";
import type { Viewer } from "./auth/tokens.ts";
import { DEFAULT_HTTP_CONFIG, loadWebhookConfig, type GraphQLLimits } from "./config.ts";
import type { Database } from "./db/database.ts";
import { wantsGraphiQL } from "./graphql/graphiql.ts";
import { readinessCheck } from "./db/readiness.ts";
import { createGraphQLHandler } from "./graphql/yoga.ts";
import { boundedRequest, refuseDeclaredOversize } from "./http/body-limit.ts";
import { CONSOLE_PATH, isConsoleFile, serveConsoleFile } from "./http/console-page.ts";
import { createCors } from "./http/cors.ts";
import { isDatabaseUnavailable } from "./db/database-unavailable.ts";
import {
  EdgeError,
  MethodNotAllowedError,
  RateLimitedError,
  ServiceUnavailableError,
  ShuttingDownError,
  UnsupportedMediaTypeError,
} from "./http/errors.ts";
import { retryAfterSeconds, type RateLimiter } from "./http/rate-limit.ts";
import { requestLedgers, restLedger } from "./db/read-routing.ts";
import { gatewayError, gatewayFamily, graphqlFamily, stripeWebhookFamily, type RouteFamily } from "./http/route-family.ts";
import { endingWhen } from "./lifecycle/event-streams.ts";
import { log } from "./observability/logger.ts";
import { observeDebitStatement, observeLedgerOperation, registry, watchDatabasePools } from "./observability/metrics.ts";
import { identifyTenant, observeRequest, type Answered } from "./observability/request-observation.ts";
import { createInProcessEventFeed, DebitBatches, DEFAULT_DEBIT_BATCH_LIMITS, type LedgerContext } from "./ledger/index.ts";
import type { StripeAccess } from "./payments/stripe-client.ts";
import { handleStripeWebhook } from "./payments/webhooks.ts";
import { commerceApi } from "./rest/commerce/routes.ts";
import { openApiDocument } from "./rest/openapi.ts";
import { orbApi } from "./rest/orb/routes.ts";
import { createRestRouter, pathParams } from "./rest/router.ts";
import { velobaseApi } from "./rest/velobase/routes.ts";
import { wrenApi } from "./rest/wren/routes.ts";
import type { UrlPolicy } from "./webhooks/url-policy.ts";

export interface AppOptions {
  /** Its read replica, if any (`db.replica`), serves standalone reads. */
  db: Database;
  /** The ledger on the primary: writes, and reads that must see them. */
  ledger: LedgerContext;
  /** Stripe, when STRIPE_SECRET_KEY is set; without it top-ups answer "payments not configured". */
  payments?: StripeAccess | null;
  /** Checks tokens (and caches what it read); by default one on the ledger's clock, trusting an answer 5 s. */
  tokens?: TokenAuthenticator;
  /** The edge's limits; each one left out takes its default (config.ts). */
  http?: Partial<HttpOptions>;
  /** When set, GET /metrics wants it as a Bearer token; otherwise /metrics is open. */
  metricsToken?: string | null;
  /**
   * How far a stopping gateway has got (server.ts). Once `notReady` aborts (the signal), /readyz
   * answers 503 so that load balancers stop sending, and everything else is still served. Once
   * `refusing` aborts (after the drain delay), a request that still arrives is answered 503
   * SHUTTING_DOWN with `Connection: close`, in its family's shape, before any work, and open event
   * streams end (src/lifecycle/event-streams.ts).
   */
  stopping?: { notReady: AbortSignal; refusing: AbortSignal };
  /** Where webhook endpoints may point; by default as WEBHOOK_ALLOW_PRIVATE says. */
  webhookUrlPolicy?: UrlPolicy;
}

export interface HttpOptions {
  maxBodyBytes: number;
  corsOrigins: string[];
  graphql: GraphQLLimits;
  /** Per-token rate limits; null (the default here) for none. server.ts passes the configured one. */
  rateLimiter: RateLimiter | null;
}

/** Where a request goes: its family, the methods its path takes, and its handler. */
interface Target {
  /** The route's pattern, for logs and metrics. */
  route: string;
  family: RouteFamily;
  methods: string[];
  /** Whether this request needs a token (and so counts against the token's rate limit). */
  needsToken: boolean;
  handle(request: Request, viewer: Viewer | null): Promise<Response>;
}

/** A GET route of the gateway's own that needs no token (health, metrics, pages, the API document). */
function publicGet(route: string, handle: Target["handle"]): Target {
  return { route, family: gatewayFamily, methods: ["GET"], needsToken: false, handle };
}

export function createApp({
  db,
  ledger,
  payments = null,
  http = {},
  tokens = new TokenAuthenticator(ledger.prisma, { now: ledger.now }),
  metricsToken = null,
  stopping = { notReady: new AbortController().signal, refusing: new AbortController().signal },
  webhookUrlPolicy = { allowPrivate: loadWebhookConfig().allowPrivate },
}: AppOptions) {
  const options: HttpOptions = {
    maxBodyBytes: http.maxBodyBytes ?? DEFAULT_HTTP_CONFIG.maxBodyBytes,
    corsOrigins: http.corsOrigins ?? DEFAULT_HTTP_CONFIG.corsOrigins,
    graphql: http.graphql ?? DEFAULT_HTTP_CONFIG.graphql,
    rateLimiter: http.rateLimiter ?? null,
  };
  // Every ledger command is counted on /metrics, whoever built the context.
  ledger.onOperation ??= observeLedgerOperation;
  // Subscriptions hear of this process's commits at least (server.ts may give one across processes).
  ledger.eventFeed ??= createInProcessEventFeed();
  // Debits that arrive together share a statement and a commit (server.ts passes the configured limits).
  ledger.debitBatches ??= new DebitBatches(ledger.prisma, DEFAULT_DEBIT_BATCH_LIMITS, observeDebitStatement);
  const ledgers = requestLedgers(ledger, db.replica);
  const graphql = createGraphQLHandler(ledgers, payments, tokens, options.graphql, webhookUrlPolicy);
  const findRestRoute = createRestRouter([wrenApi, velobaseApi, orbApi, commerceApi]);
  const cors = createCors(options.corsOrigins);
  const readiness = readinessCheck(db);
  watchDatabasePools(db);

  function target(request: Request, url: URL): Target | null {
    if (isConsoleFile(url.pathname)) {
      // The wallet console's page and files are public; what it shows comes from /graphql, with a token.
      return publicGet(CONSOLE_PATH, (forwarded) => serveConsoleFile(forwarded, url.pathname));
    }
    switch (url.pathname) {
      case "/":
        // People who open the gateway's address see the console.
        return publicGet("/", async () => new Response(null, { status: 302, headers: { location: CONSOLE_PATH } }));
      case "/healthz":
        // Liveness: the process answers and reaches its database.
        return publicGet(url.pathname, async () => {
          await db.prisma.$queryRaw`SELECT 1`;
          return Response.json({ status: "ok", database: db.kind });
        });
      case "/readyz":
        // Readiness: the database answers and has every migration this code needs.
        return publicGet(url.pathname, async () => {
          if (stopping.notReady.aborted)
            return Response.json(
              { status: "not ready", reason: "shutting down" },
              { status: 503, headers: new ShuttingDownError().headers() },
            );
          const readiness = await checkReadiness();
          return Response.json(
            readiness.ready ? { status: "ready", database: db.kind } : { status: "not ready", reason: readiness.reason },
            { status: readiness.ready ? 200 : 503 },
          );
        });
      case "/metrics":
        return publicGet(url.pathname, async (forwarded) => {
          if (metricsToken && forwarded.headers.get("authorization") !== `Bearer ${metricsToken}`) {
            return gatewayError(401, "UNAUTHENTICATED", "/metrics wants the METRICS_TOKEN as a Bearer token");
          }
          return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType } });
        });
      case "/graphql":
        return {
          route: url.pathname,
          family: graphqlFamily,
          methods: ["GET", "POST"],
          // GraphiQL loads without a token; every operation needs one.
          needsToken: !wantsGraphiQL(request),
          handle: (forwarded, viewer) => {
            if (forwarded.method === "POST") requireJson(forwarded);
            return Promise.resolve(graphql.fetch(forwarded, { viewer: viewer as Viewer }));
          },
        };
      case "/openapi.json":
        return publicGet(url.pathname, async () => Response.json(openApiDocument));
      case "/webhooks/stripe":
        // Stripe signs its events; the signature, not a token, is what this route trusts.
        return {
          route: url.pathname,
          family: stripeWebhookFamily,
          methods: ["POST"],
          needsToken: false,
          handle: async (forwarded) => {
            const answer = await handleStripeWebhook(
              { ledger, payments },
              await forwarded.text(),
              forwarded.headers.get("stripe-signature"),
            );
            return Response.json(answer.body, { status: answer.status });
          },
        };
    }
    const rest = findRestRoute(request.method, url.pathname);
    if (!rest) return null;
    return {
      route: rest.template,
      family: rest.vendor,
      methods: rest.methods,
      needsToken: true,
      handle: (forwarded, viewer) => {
        // Only called for one of the path's methods, so there is a route for it.
        const { route, captures } = rest.route!;
        return route.handle({
          request: forwarded,
          url,
          params: pathParams(captures),
          viewer: viewer!,
          ledger: restLedger(ledgers, forwarded.method),
          payments,
        });
      },
    };
  }

  async function answer(request: Request, route: Target): Promise<Response> {
    if (!route.methods.includes(request.method)) throw new MethodNotAllowedError(request.method, route.methods);
    refuseDeclaredOversize(request, options.maxBodyBytes);
    let viewer: Viewer | null = null;
    if (route.needsToken) {
      const authentication = await tokens.authenticate(request.headers.get("authorization"));
      if ("failure" in authentication) return route.family.unauthenticated(authentication.failure);
      viewer = authentication.viewer;
      identifyTenant(viewer.tenantId);
      const decision = await options.rateLimiter?.take(viewer.tokenId);
      if (decision && !decision.allowed) throw new RateLimitedError(retryAfterSeconds(decision.retryAfterMs));
    }
    return route.handle(await boundedRequest(request, options.maxBodyBytes), viewer);
  }

  async function respond(request: Request): Promise<Answered> {
    const url = new URL(request.url);
    const route = target(request, url);
    if (!route)
      return {
        route: UNMATCHED_ROUTE,
        response: cors.decorate(request, gatewayError(404, "NOT_FOUND", `no route for ${request.method} ${url.pathname}`)),
      };
    if (stopping.refusing.aborted)
      return { route: route.route, response: cors.decorate(request, failureAnswer(route.family, new ShuttingDownError())) };
    if (request.method === "OPTIONS") return { route: route.route, response: cors.preflight(request, route.methods) };
    try {
      return { route: route.route, response: endingWhen(stopping.refusing, cors.decorate(request, await answer(request, route))) };
    } catch (error) {
      // The client hung up mid-request: nobody reads an answer, and nothing failed here to log.
      if (request.signal?.aborted) return { route: route.route, response: new Response(null, { status: CLIENT_CLOSED_REQUEST }) };
      return { route: route.route, response: cors.decorate(request, failureAnswer(route.family, error)) };
    }
  }

  // Readiness is asked every few seconds by each orchestrator; one check at a time is plenty.
  let readinessInFlight: ReturnType<typeof readiness> | null = null;
  function checkReadiness() {
    readinessInFlight ??= readiness().finally(() => (readinessInFlight = null));
    return readinessInFlight;
  }

  return createServerAdapter((request: Request) => observeRequest(request, () => respond(request)));
}

/** The route label of a path no route matches: one value, however many paths are tried. */
const UNMATCHED_ROUTE = "(unmatched)";

export type App = ReturnType<typeof createApp>;

/** What proxies log for a request whose client went away before the answer (nginx's 499). */
const CLIENT_CLOSED_REQUEST = 499;

/** The family's answer to a failure, with the headers an edge failure carries (Retry-After, Allow…). */
function failureAnswer(family: RouteFamily, error: unknown): Response {
  let failure = error;
  if (!(error instanceof EdgeError) && isDatabaseUnavailable(error)) {
    log().error({ reason: (error as Error).message }, "a request failed: the database is unreachable");
    failure = new ServiceUnavailableError();
  }
  const response = family.failure(failure);
  if (failure instanceof EdgeError) for (const [name, value] of Object.entries(failure.headers())) response.headers.set(name, value);
  return response;
}

/** A GraphQL POST carries JSON (`application/json`, or the GraphQL-over-HTTP response type's JSON). */
function requireJson(request: Request): void {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json" && type !== "application/graphql-response+json") throw new UnsupportedMediaTypeError(type);
}

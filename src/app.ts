// Builds the gateway's HTTP application as one fetch handler, so tests call `app.fetch(request)`
// in process and the server only has to listen.
import { createServerAdapter } from "@whatwg-node/server";
import { TokenAuthenticator } from "./auth/authenticator.ts";
import type { Database } from "./db/database.ts";
import { createGraphQLHandler } from "./graphql/yoga.ts";
import type { LedgerContext } from "./ledger/context.ts";
import type { StripeAccess } from "./payments/stripe-client.ts";
import { handleStripeWebhook } from "./payments/webhooks.ts";
import { createRestHandler } from "./rest/router.ts";
import { commerceApi } from "./rest/commerce/routes.ts";
import { openApiDocument } from "./rest/openapi.ts";
import { orbApi } from "./rest/orb/routes.ts";
import { velobaseApi } from "./rest/velobase/routes.ts";
import { wrenApi } from "./rest/wren/routes.ts";

export interface AppOptions {
  db: Database;
  ledger: LedgerContext;
  /** Stripe, when STRIPE_SECRET_KEY is set; without it top-ups answer "payments not configured". */
  payments?: StripeAccess | null;
  /** Checks tokens (and caches what it read); by default one on the ledger's clock, trusting an answer 5 s. */
  tokens?: TokenAuthenticator;
}

export function createApp({ db, ledger, payments = null, tokens = new TokenAuthenticator(ledger.prisma, { now: ledger.now }) }: AppOptions) {
  const graphql = createGraphQLHandler(ledger, payments, tokens);
  const rest = createRestHandler({ ledger, payments, tokens }, [wrenApi, velobaseApi, orbApi, commerceApi]);
  return createServerAdapter(async (request: Request) => {
    const url = new URL(request.url);
    if (url.pathname === "/healthz" && request.method === "GET") {
      await db.prisma.$queryRaw`SELECT 1`;
      return Response.json({ status: "ok", database: db.kind });
    }
    if (url.pathname === "/graphql") {
      // GraphiQL loads without a token; every operation needs one.
      if (wantsGraphiQL(request)) return graphql.fetch(request, { viewer: null as never });
      const authentication = await tokens.authenticate(request.headers.get("authorization"));
      if ("failure" in authentication) return unauthenticated(authentication.failure);
      return graphql.fetch(request, { viewer: authentication.viewer });
    }
    if (url.pathname === "/openapi.json" && request.method === "GET") return Response.json(openApiDocument);
    // Stripe signs its events; the signature, not a token, is what this route trusts.
    if (url.pathname === "/webhooks/stripe" && request.method === "POST") {
      const answer = await handleStripeWebhook({ ledger, payments }, await request.text(), request.headers.get("stripe-signature"));
      return Response.json(answer.body, { status: answer.status });
    }
    const answered = await rest(request);
    if (answered) return answered;
    return Response.json({ error: { message: `no route for ${request.method} ${url.pathname}`, code: "NOT_FOUND" } }, { status: 404 });
  });
}

export type App = ReturnType<typeof createApp>;

function wantsGraphiQL(request: Request): boolean {
  return request.method === "GET" && !new URL(request.url).searchParams.has("query") && (request.headers.get("accept") ?? "").includes("text/html");
}

function unauthenticated(failure: "missing" | "invalid"): Response {
  const [status, message] =
    failure === "missing"
      ? [401, "Authentication required: send Authorization: Bearer <token>. Create one with `npm run --silent cli -- token create --tenant <slug>`."]
      : [403, "The token is not valid: it is unknown, revoked or malformed."];
  return Response.json({ errors: [{ message, extensions: { code: failure === "missing" ? "UNAUTHENTICATED" : "FORBIDDEN" } }] }, { status });
}

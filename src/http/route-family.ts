// A route family answers errors in one shape: each vendor of the REST shim has its own
// (src/rest/<vendor>/errors.ts), and so do GraphQL, the Stripe webhook and the gateway's own
// paths (below). Whatever fails in a request, authentication and the database included, is
// answered by its family, never with internals.
import { EdgeError } from "./errors.ts";
import { log } from "../observability/logger.ts";

export interface RouteFamily {
  /** The answer to a missing or invalid token. */
  unauthenticated(failure: "missing" | "invalid"): Response;
  /** The answer to anything a request fails with: an EdgeError, the family's own errors, or a bug (logged). */
  failure(error: unknown): Response;
}

/** GraphQL's shape: `{ errors: [{ message, extensions: { code } }] }`, with the HTTP status. */
export const graphqlFamily: RouteFamily = {
  unauthenticated(failure) {
    return failure === "missing"
      ? graphqlError(
          401,
          "UNAUTHENTICATED",
          "Authentication required: send Authorization: Bearer <token>. Create one with `npm run --silent cli -- token create --tenant <slug>`.",
        )
      : graphqlError(403, "FORBIDDEN", "The token is not valid: it is unknown, revoked or malformed.");
  },
  failure(error) {
    if (error instanceof EdgeError) return graphqlError(error.status, error.code, error.message);
    log().error({ err: error }, "unexpected error in a GraphQL request");
    return graphqlError(500, "INTERNAL_SERVER_ERROR", "Unexpected error.");
  },
};

function graphqlError(status: number, code: string, message: string): Response {
  return Response.json({ errors: [{ message, extensions: { code } }] }, { status });
}

/** Stripe reads only the status; the body says why, as `{ error }`. */
export const stripeWebhookFamily: RouteFamily = {
  unauthenticated: () => Response.json({ error: "the webhook is authenticated by its Stripe-Signature" }, { status: 400 }),
  failure(error) {
    if (error instanceof EdgeError) return Response.json({ error: error.message, code: error.code }, { status: error.status });
    log().error({ err: error }, "unexpected error in a Stripe webhook delivery");
    return Response.json({ error: "internal error" }, { status: 500 });
  },
};

/** The gateway's own paths (/healthz, /openapi.json) and unknown ones: `{ error: { message, code } }`. */
export const gatewayFamily: RouteFamily = {
  unauthenticated: (failure) =>
    gatewayError(
      failure === "missing" ? 401 : 403,
      failure === "missing" ? "UNAUTHENTICATED" : "FORBIDDEN",
      "a valid Bearer token is required",
    ),
  failure(error) {
    if (error instanceof EdgeError) return gatewayError(error.status, error.code, error.message);
    log().error({ err: error }, "unexpected error in a request");
    return gatewayError(500, "INTERNAL_SERVER_ERROR", "internal error");
  },
};

export function gatewayError(status: number, code: string, message: string): Response {
  return Response.json({ error: { message, code } }, { status });
}

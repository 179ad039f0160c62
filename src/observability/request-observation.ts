// Each request, seen from outside: an id (the caller's X-Request-Id when it is a sensible one,
// otherwise a new one), returned in X-Request-Id and written on every log line of the request;
// one access line when it is answered (method, route pattern, status, duration, tenant, never the
// token); and the HTTP metrics. Expected client errors (4xx) are info lines, not errors. Every
// 503 leaves with Retry-After (the README promises it), whichever route sent it: /readyz, a
// GraphQL answer, a Stripe webhook to a gateway without its secret.
import { randomUUID } from "node:crypto";
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from "../http/errors.ts";
import { methodLabel } from "./bounded-label.ts";
import { currentRequest, RequestContext, rootLogger, runInRequest } from "./logger.ts";
import { httpRequestsInFlight, observeHttpRequest } from "./metrics.ts";

/** What a caller may send as its request id: short, and nothing that could forge a log line. */
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export interface Answered {
  response: Response;
  /** The route's pattern (`/graphql`, `/v1/customers/{customer_id}`), not the path with its ids. */
  route: string;
}

export async function observeRequest(request: Request, answer: () => Promise<Answered>): Promise<Response> {
  const sent = request.headers.get("x-request-id");
  const requestId = sent && ACCEPTED_REQUEST_ID.test(sent) ? sent : randomUUID();
  const context = new RequestContext(requestId);
  const started = performance.now();
  httpRequestsInFlight.inc();
  try {
    const { response, route } = await runInRequest(context, answer);
    const seconds = (performance.now() - started) / 1000;
    observeHttpRequest(methodLabel(request.method), route, response.status, seconds);
    // The tenant, once known, is on the request's logger already (identifyTenant).
    const level = response.status >= 500 ? "warn" : "info";
    if (rootLogger.isLevelEnabled(level))
      context.logger[level](
        { method: request.method, route, status: response.status, durationMs: Math.round(seconds * 10_000) / 10 },
        "request",
      );
    response.headers.set("x-request-id", requestId);
    // Every 503 says when to retry: those that know better (shutting down, 1 s) have said so.
    if (response.status === 503 && !response.headers.has("retry-after"))
      response.headers.set("retry-after", String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    return response;
  } finally {
    httpRequestsInFlight.dec();
  }
}

/** Notes the request's tenant once its token is accepted: on the access line and every later line. */
export function identifyTenant(tenantId: string): void {
  currentRequest()?.identify(tenantId);
}

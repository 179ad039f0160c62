// Each request, seen from outside: an id (the caller's X-Request-Id when it is a sensible one,
// otherwise a new one), returned in X-Request-Id and written on every log line of the request;
// one access line when it is answered (method, route pattern, status, duration, tenant, never the
// token); and the HTTP metrics. Expected client errors (4xx) are info lines, not errors. Every
// 503 leaves with Retry-After (the README promises it), whichever route sent it: /readyz, a
// GraphQL answer, a Stripe webhook to a gateway without its secret.
import { randomUUID } from "node:crypto";
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from "../http/errors.ts";
import { methodLabel } from "./bounded-label.ts";
import { currentRequest, rootLogger, runInRequest, type RequestContext } from "./logger.ts";
import { httpRequestDuration, httpRequests, httpRequestsInFlight } from "./metrics.ts";

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
  const context: RequestContext = { requestId, logger: rootLogger.child({ requestId }), tenantId: null };
  const started = performance.now();
  httpRequestsInFlight.inc();
  try {
    const { response, route } = await runInRequest(context, answer);
    const seconds = (performance.now() - started) / 1000;
    const labels = { method: methodLabel(request.method), route, status: String(response.status) };
    httpRequests.inc(labels);
    httpRequestDuration.observe(labels, seconds);
    // The tenant, once known, is on the request's logger already (identifyTenant).
    const line = { method: request.method, route, status: response.status, durationMs: Math.round(seconds * 10_000) / 10 };
    if (response.status >= 500) context.logger.warn(line, "request");
    else context.logger.info(line, "request");
    response.headers.set("x-request-id", requestId);
    // Every 503 says when to retry: those that know better (shutting down, 1 s) have said so.
    if (response.status === 503 && !response.headers.has("retry-after")) response.headers.set("retry-after", String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    return response;
  } finally {
    httpRequestsInFlight.dec();
  }
}

/** Notes the request's tenant once its token is accepted: on the access line and every later line. */
export function identifyTenant(tenantId: string): void {
  const context = currentRequest();
  if (!context) return;
  context.tenantId = tenantId;
  context.logger = context.logger.child({ tenantId });
}

// Failures the HTTP edge answers itself, around a route's handler: too large, too many, a path
// that cannot be decoded, a database that does not answer. Each route family writes them in its
// own error shape (src/rest/<vendor>/errors.ts, src/http/route-families.ts); the edge adds the
// headers they carry.

export abstract class EdgeError extends Error {
  abstract readonly status: number;
  /** Stable machine-readable code, e.g. PAYLOAD_TOO_LARGE. */
  abstract readonly code: string;
  /** Headers the answer carries, e.g. Retry-After. */
  headers(): Record<string, string> {
    return {};
  }
}

export class PayloadTooLargeError extends EdgeError {
  readonly status = 413;
  readonly code = "PAYLOAD_TOO_LARGE";
  constructor(readonly limitBytes: number) {
    super(`the request body is larger than the limit of ${limitBytes} bytes`);
  }
  // The rest of the body is never read: closing the connection after the answer is the only way
  // to stop the client sending it.
  override headers(): Record<string, string> {
    return { connection: "close" };
  }
}

export class RateLimitedError extends EdgeError {
  readonly status = 429;
  readonly code = "RATE_LIMITED";
  constructor(readonly retryAfterSeconds: number) {
    super(`too many requests with this token: retry after ${retryAfterSeconds} second${retryAfterSeconds === 1 ? "" : "s"}`);
  }
  override headers(): Record<string, string> {
    return { "retry-after": String(this.retryAfterSeconds) };
  }
}

/**
 * Seconds a client is asked to wait after a 503: every 503 the gateway sends says when to retry
 * (the edge adds this to any that does not say otherwise, see request-observation.ts).
 */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** The database did not answer; nothing was changed by this request. */
export class ServiceUnavailableError extends EdgeError {
  readonly status = 503;
  readonly code = "SERVICE_UNAVAILABLE";
  constructor() {
    super("the service is temporarily unavailable: retry shortly");
  }
  override headers(): Record<string, string> {
    return { "retry-after": String(UNAVAILABLE_RETRY_AFTER_SECONDS) };
  }
}

/** The gateway is stopping: the request was not started, and another gateway (or this one, restarted) will take it. */
export class ShuttingDownError extends EdgeError {
  readonly status = 503;
  readonly code = "SHUTTING_DOWN";
  constructor() {
    super("the gateway is shutting down: nothing was done; retry, another instance will answer");
  }
  override headers(): Record<string, string> {
    return { "retry-after": "1", connection: "close" };
  }
}

/** A path segment that is not valid percent-encoding (e.g. `%ZZ`) names nothing. */
export class MalformedPathError extends EdgeError {
  readonly status = 400;
  readonly code = "MALFORMED_PATH";
  constructor() {
    super("the request path is not valid percent-encoding");
  }
}

export class MethodNotAllowedError extends EdgeError {
  readonly status = 405;
  readonly code = "METHOD_NOT_ALLOWED";
  constructor(
    method: string,
    readonly allowed: string[],
  ) {
    super(`${method} is not allowed on this path; use ${allowed.join(" or ")}`);
  }
  override headers(): Record<string, string> {
    return { allow: this.allowed.join(", ") };
  }
}

/**
 * GraphQL operations are sent as JSON. A form or multipart POST is what a browser sends across
 * origins without asking first, so it is refused rather than executed.
 */
export class UnsupportedMediaTypeError extends EdgeError {
  readonly status = 415;
  readonly code = "UNSUPPORTED_MEDIA_TYPE";
  constructor(received: string) {
    super(`GraphQL requests are POSTed as application/json (got ${received || "no Content-Type"})`);
  }
}

// CORS for browsers on the origins listed in CORS_ORIGINS, and no other: an origin outside the
// list is never echoed, and with no list no response carries CORS headers at all. Tokens travel
// as bearer headers, never cookies, so credentials are never allowed.

export const CORS_ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key";
/** How long a browser may reuse a preflight's answer. */
export const CORS_MAX_AGE_SECONDS = 600;

export interface Cors {
  /** The answer to OPTIONS on a path that takes `methods`; no token is needed for it. */
  preflight(request: Request, methods: string[]): Response;
  /** Adds the CORS headers a listed origin gets to an answer (the answer itself, changed). */
  decorate(request: Request, response: Response): Response;
}

export function createCors(origins: string[]): Cors {
  const listed = new Set(origins);
  const allowedOrigin = (request: Request): string | null => {
    const origin = request.headers.get("origin");
    return origin !== null && listed.has(origin) ? origin : null;
  };
  return {
    preflight(request, methods) {
      const headers = new Headers({ allow: methods.join(", ") });
      const origin = allowedOrigin(request);
      if (origin) {
        headers.set("access-control-allow-origin", origin);
        headers.set("access-control-allow-methods", methods.join(", "));
        headers.set("access-control-allow-headers", CORS_ALLOWED_HEADERS);
        headers.set("access-control-max-age", String(CORS_MAX_AGE_SECONDS));
      }
      if (listed.size > 0) headers.set("vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
      return new Response(null, { status: 204, headers });
    },
    decorate(request, response) {
      if (listed.size === 0) return response;
      // The answer differs by Origin, so a shared cache must not hand one origin's to another.
      response.headers.append("vary", "Origin");
      const origin = allowedOrigin(request);
      if (origin) {
        response.headers.set("access-control-allow-origin", origin);
        response.headers.set("access-control-expose-headers", "Retry-After");
      }
      return response;
    },
  };
}

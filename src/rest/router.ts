// The REST shim's routing: each vendor family brings a route table and its own error shapes;
// handlers parse, call the ledger, and shape the response. No money logic lives here.
import type { TokenAuthenticator } from "../auth/authenticator.ts";
import type { Viewer } from "../auth/tokens.ts";
import type { LedgerContext } from "../ledger/context.ts";
import type { StripeAccess } from "../payments/stripe-client.ts";

export interface RestCall {
  request: Request;
  url: URL;
  /** Path parameters, in the order of the route's capture groups. */
  params: string[];
  viewer: Viewer;
  ledger: LedgerContext;
  payments: StripeAccess | null;
}

export interface RestRoute {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: RegExp;
  handle(call: RestCall): Promise<Response>;
}

export interface VendorApi {
  routes: RestRoute[];
  /** The vendor's answer to a missing or invalid token. */
  unauthenticated(failure: "missing" | "invalid"): Response;
  /** The vendor's answer to anything a handler throws. */
  failure(error: unknown): Response;
}

/** Returns a handler that answers the vendors' paths, or null for a path none of them has. */
export function createRestHandler(
  { ledger, payments, tokens }: { ledger: LedgerContext; payments: StripeAccess | null; tokens: TokenAuthenticator },
  vendors: VendorApi[],
) {
  return async (request: Request): Promise<Response | null> => {
    const url = new URL(request.url);
    for (const vendor of vendors) {
      for (const route of vendor.routes) {
        const match = route.path.exec(url.pathname);
        if (!match || route.method !== request.method) continue;
        const authentication = await tokens.authenticate(request.headers.get("authorization"));
        if ("failure" in authentication) return vendor.unauthenticated(authentication.failure);
        try {
          return await route.handle({ request, url, params: match.slice(1).map(decodeURIComponent), viewer: authentication.viewer, ledger, payments });
        } catch (error) {
          return vendor.failure(error);
        }
      }
    }
    return null;
  };
}

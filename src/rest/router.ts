// The REST shim's routing: each vendor family brings a route table and its own error shapes;
// handlers parse, call the ledger, and shape the response. No money logic lives here, and no
// authentication or error handling either: the HTTP edge (src/app.ts) does those for every
// family alike.
import type { Viewer } from "../auth/tokens.ts";
import { MalformedPathError } from "../http/errors.ts";
import type { RouteFamily } from "../http/route-family.ts";
import type { LedgerContext } from "../ledger/context.ts";
import type { StripeAccess } from "../payments/stripe-client.ts";

export interface RestCall {
  request: Request;
  url: URL;
  /** Path parameters, in the order of the route's capture groups. */
  params: string[];
  viewer: Viewer;
  /** A GET's reads from the read replica when there is one; the other methods' is the primary's (src/http/read-routing.ts). */
  ledger: LedgerContext;
  payments: StripeAccess | null;
}

export interface RestRoute {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: RegExp;
  handle(call: RestCall): Promise<Response>;
}

/** A vendor's paths, and its answers to a missing or invalid token and to anything a handler throws. */
export interface VendorApi extends RouteFamily {
  routes: RestRoute[];
}

export interface RestMatch {
  vendor: VendorApi;
  /** The methods the path takes. */
  methods: string[];
  /** The route for the request's method, with its path's captures; null when the path takes other methods. */
  route: { route: RestRoute; captures: string[] } | null;
}

/** Finds the vendor whose paths include this one; null for a path none of them has. */
export function createRestRouter(vendors: VendorApi[]) {
  return (method: string, pathname: string): RestMatch | null => {
    for (const vendor of vendors) {
      const matching = vendor.routes.flatMap((route) => {
        const match = route.path.exec(pathname);
        return match ? [{ route, captures: match.slice(1) }] : [];
      });
      if (matching.length === 0) continue;
      return {
        vendor,
        methods: [...new Set(matching.map(({ route }) => route.method))],
        route: matching.find(({ route }) => route.method === method) ?? null,
      };
    }
    return null;
  };
}

/** Decodes path parameters; a segment that is not valid percent-encoding (`%ZZ`) is a MalformedPathError. */
export function pathParams(captures: string[]): string[] {
  try {
    return captures.map(decodeURIComponent);
  } catch {
    throw new MalformedPathError();
  }
}

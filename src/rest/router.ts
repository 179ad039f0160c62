// The REST shim's routing: each vendor family brings a route table and its own error shapes;
// handlers parse, call the ledger, and shape the response. No money logic lives here, and no
// authentication or error handling either: the HTTP edge (src/app.ts) does those for every
// family alike.
import type { Viewer } from "../auth/tokens.ts";
import { MalformedPathError } from "../http/errors.ts";
import type { RouteFamily } from "../http/route-family.ts";
import type { LedgerContext } from "../ledger/index.ts";
import type { StripeAccess } from "../payments/stripe-client.ts";
import type { z } from "zod";
import { readBody } from "./json.ts";
import { queryObject, readWith, fieldsObject, type Fields, type Read } from "./schema.ts";

export interface RestCall {
  request: Request;
  url: URL;
  /** Path parameters, in the order of the route's capture groups. */
  params: string[];
  viewer: Viewer;
  /** A GET's reads from the read replica when there is one; the other methods' is the primary's (src/db/read-routing.ts). */
  ledger: LedgerContext;
  payments: StripeAccess | null;
}

type Method = "GET" | "POST" | "PUT" | "DELETE";

/** A request body: its schema for /openapi.json, and the reader that validates it. */
export interface RequestBody<T> {
  schema: z.ZodType;
  read(raw: Record<string, unknown>): T;
  /** Whether the vendor also takes application/x-www-form-urlencoded. */
  form?: boolean;
}

/** What /openapi.json says of a status: a description, and the body's schema. */
export interface Answer {
  description: string;
  schema: z.ZodType;
}

export interface RouteDocs {
  /** The OpenAPI path template, e.g. `/v1/customers/{customer_id}`. */
  template: string;
  summary: string;
  body: RequestBody<unknown> | null;
  query: Fields;
  responses: Record<string, Answer>;
}

export interface RestRoute {
  method: Method;
  path: RegExp;
  docs: RouteDocs;
  handle(call: RestCall): Promise<Response>;
}

/** A body read from `fields`, each checked and converted by its reader. */
export function requestBody<F extends Fields>(fields: F, options: { form?: boolean } = {}): RequestBody<Read<F>> {
  const schema = fieldsObject(fields);
  return { schema, read: (raw) => readWith(schema, raw), form: options.form };
}

/**
 * A route declared with its request and response schemas: the query and body are read (and
 * refused in the vendor's shape) before the handler runs, which gets them typed.
 */
export function restRoute<B = undefined, Q extends Fields = Record<never, never>>(declaration: {
  method: Method;
  path: string;
  summary: string;
  body?: RequestBody<B>;
  query?: Q;
  responses: Record<string, Answer>;
  handle(call: RestCall, input: { body: B; query: Read<Q> }): Promise<Response>;
}): RestRoute {
  const { body, query = {} as Q } = declaration;
  const querySchema = fieldsObject(query);
  return {
    method: declaration.method,
    path: new RegExp(`^${declaration.path.replace(/\{[^}]+\}/g, "([^/]+)")}$`),
    docs: {
      template: declaration.path,
      summary: declaration.summary,
      body: (body as RequestBody<unknown> | undefined) ?? null,
      query,
      responses: declaration.responses,
    },
    async handle(call) {
      const readQuery = readWith(querySchema, queryObject(call.url));
      const readBodyFields = body ? body.read(await readBody(call.request, { allowForm: body.form })) : (undefined as B);
      return declaration.handle(call, { body: readBodyFields, query: readQuery });
    },
  };
}

/** A vendor's paths, and its answers to a missing or invalid token and to anything a handler throws. */
export interface VendorApi extends RouteFamily {
  routes: RestRoute[];
}

export interface RestMatch {
  vendor: VendorApi;
  /** The methods the path takes. */
  methods: string[];
  /** The path's pattern, e.g. `/v1/customers/{customer_id}`: what logs and metrics name it by. */
  template: string;
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
        template: matching[0]!.route.docs.template,
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

// The REST shim described as OpenAPI 3.1, served at GET /openapi.json. Nothing here is written by
// hand: each vendor's route table declares its request fields and response schemas
// (src/rest/<vendor>/schemas.ts), the same ones that read its requests, and this file lays them
// out as paths and components. A test sends real requests and validates every response against
// the schema documented here; another checks the document with an OpenAPI validator.
import { z } from "zod";
import { commerceApi } from "./commerce/routes.ts";
import type { JsonSchema } from "./fields.ts";
import { orbApi } from "./orb/routes.ts";
import type { RestRoute, VendorApi } from "./router.ts";
import { documentedSchemas } from "./schema.ts";
import { velobaseApi } from "./velobase/routes.ts";
import { wrenApi } from "./wren/routes.ts";

export const documentedVendors: VendorApi[] = [wrenApi, velobaseApi, orbApi, commerceApi];

const COMPONENTS = "#/components/schemas/";

/** `POST /v1/billing/freeze` is `postV1BillingFreeze`: unique, as each path takes a method once. */
function operationId(route: RestRoute): string {
  const words = route.docs.template
    .replace(/\{[^}]+\}/g, "")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1));
  return route.method.toLowerCase() + words.join("") + (route.docs.template.endsWith("}") ? "ById" : "");
}

function reference(schema: z.ZodType): JsonSchema {
  const id = documentedSchemas.get(schema)?.id;
  if (!id) throw new Error("every documented schema is named: a response or body has no component id");
  return { $ref: `${COMPONENTS}${id}` };
}

/** Zod writes JavaScript's safe-integer bounds on every integer; amounts are bigint and have none. */
function withoutSafeIntegerBounds(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutSafeIntegerBounds);
  if (typeof schema !== "object" || schema === null) return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if ((key === "minimum" || key === "maximum") && Math.abs(value as number) === Number.MAX_SAFE_INTEGER) continue;
    if (key === "$id" || key === "$schema") continue;
    copy[key] = withoutSafeIntegerBounds(value);
  }
  return copy;
}

function parameters(route: RestRoute) {
  const inPath = [...route.docs.template.matchAll(/\{([^}]+)\}/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  const inQuery = Object.entries(route.docs.query).map(([name, field]) => {
    const { description, ...schema } = field.schema;
    return { name, in: "query", required: field.required, schema, ...(description ? { description } : {}) };
  });
  return [...inPath, ...inQuery];
}

function operation(route: RestRoute) {
  const id = operationId(route);
  const { body } = route.docs;
  if (body && !documentedSchemas.has(body.schema))
    documentedSchemas.add(body.schema, { id: `${id[0]!.toUpperCase()}${id.slice(1)}Request` });
  const contentTypes = body?.form ? ["application/json", "application/x-www-form-urlencoded"] : ["application/json"];
  const params = parameters(route);
  return {
    operationId: id,
    summary: route.docs.summary,
    security: [{ bearer: [] }],
    ...(params.length ? { parameters: params } : {}),
    ...(body
      ? {
          requestBody: {
            required: true,
            content: Object.fromEntries(contentTypes.map((type) => [type, { schema: reference(body.schema) }])),
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(route.docs.responses).map(([status, answer]) => [
        status,
        { description: answer.description, content: { "application/json": { schema: reference(answer.schema) } } },
      ]),
    ),
  };
}

function buildDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of documentedVendors.flatMap((vendor) => vendor.routes)) {
    (paths[route.docs.template] ??= {})[route.method.toLowerCase()] = operation(route);
  }
  const { schemas } = z.toJSONSchema(documentedSchemas, {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "any",
    uri: (id) => `${COMPONENTS}${id}`,
  });
  return {
    openapi: "3.1.0",
    info: { title: "Billing Gateway REST shim", version: "1.0.0", description: "Vendor-compatible paths over the Billing Gateway ledger." },
    // Relative: the paths are on the gateway that served this document, wherever it is deployed.
    servers: [{ url: "/", description: "The gateway that served this document" }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: withoutSafeIntegerBounds(schemas) as Record<string, JsonSchema>,
    },
    paths,
  };
}

export const openApiDocument = buildDocument();

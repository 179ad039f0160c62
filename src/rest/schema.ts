// Request and response schemas, declared once per route: the route's fields (src/rest/fields.ts)
// become a zod object that reads each request, and the same object, with the response shapes,
// becomes /openapi.json (src/rest/openapi.ts). A field's reader throws ValidationError; zod
// carries it as the issue's cause, and the first one is thrown as it was, so each vendor's error
// mapping (src/rest/<vendor>/errors.ts) answers it in that vendor's shape.
import { z } from "zod";
import { ValidationError } from "../ledger/index.ts";
import type { Field } from "./fields.ts";

export type Fields = Record<string, Field<unknown>>;
export type Read<F extends Fields> = { [K in keyof F]: F[K] extends Field<infer T> ? T : never };

/** Every schema /openapi.json names, by id (its components). */
export const documentedSchemas = z.registry<{ id: string }>();

/** A schema listed in /openapi.json's components under `id`. */
export function named<S extends z.ZodType>(id: string, schema: S): S {
  documentedSchemas.add(schema, { id });
  return schema;
}

/** An instant as the shim writes it (toISOString), documented as an RFC 3339 date-time. */
export function dateTime() {
  return z.string().meta({ format: "date-time" });
}

/** The zod object that reads `fields`: each key's reader gets the raw value and the key as its name. */
export function fieldsObject<F extends Fields>(fields: F) {
  const shape = Object.fromEntries(
    Object.entries(fields).map(([name, declared]) => {
      const read = (value: unknown, ctx: z.RefinementCtx) => {
        try {
          return declared.read(value, name);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          ctx.addIssue({ code: "custom", message: error.message, params: { error } });
          return z.NEVER;
        }
      };
      const schema = declared.required ? z.unknown().transform(read) : z.unknown().optional().transform(read);
      return [name, schema.meta(declared.schema)];
    }),
  );
  return z.object(shape) as unknown as z.ZodType<Read<F>>;
}

/** Reads `input` with `schema`; the first failure is thrown as the ValidationError its field raised. */
export function readWith<T>(schema: z.ZodType<T>, input: Record<string, unknown>): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const [first] = result.error.issues;
  const raised = first?.code === "custom" ? (first.params as { error?: unknown } | undefined)?.error : undefined;
  if (raised instanceof ValidationError) throw raised;
  const path = (first?.path ?? []).map(String);
  throw new ValidationError(`${path.join(".") || "the request"} ${first?.message ?? "is invalid"}`, [
    { path, message: first?.message ?? "is invalid" },
  ]);
}

/** A query string as an object of its parameters' first values, for readWith. */
export function queryObject(url: URL): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  for (const [name, value] of url.searchParams)
    if (!Object.hasOwn(query, name)) Object.defineProperty(query, name, { value, enumerable: true, writable: true, configurable: true });
  return query;
}

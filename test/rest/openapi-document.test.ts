// /openapi.json is a valid OpenAPI 3.1 document (checked by an independent validator), and it
// lists every route of every vendor with the fields of its request body and of each response.
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { commerceApi } from "../../src/rest/commerce/routes.ts";
import { orbApi } from "../../src/rest/orb/routes.ts";
import { velobaseApi } from "../../src/rest/velobase/routes.ts";
import { wrenApi } from "../../src/rest/wren/routes.ts";
import { useGateway } from "../support/app.ts";
import { useHttp } from "../support/http.ts";

const gateway = useGateway();
const http = useHttp(gateway);

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  anyOf?: Schema[];
  oneOf?: Schema[];
  items?: Schema;
  additionalProperties?: unknown;
};
type Operation = {
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content: { "application/json": { schema: Schema } } }>;
};
type Document = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

const VENDORS = { wren: wrenApi, velobase: velobaseApi, orb: orbApi, commerce: commerceApi };

async function servedDocument(): Promise<Document> {
  const reply = await http.send("GET", "/openapi.json", { token: null });
  expect(reply.status).toBe(200);
  return reply.body as Document;
}

function resolve(document: Document, schema: Schema): Schema {
  return schema.$ref ? resolve(document, document.components.schemas[schema.$ref.replace("#/components/schemas/", "")]!) : schema;
}

/** Objects with no listed properties anywhere in `schema`, by where they are; free-form maps (additionalProperties) are declared as such. */
function unlistedObjects(document: Document, schema: Schema, where: string, seen = new Set<Schema>()): string[] {
  const resolved = resolve(document, schema);
  if (seen.has(resolved)) return [];
  seen.add(resolved);
  const variants = resolved.anyOf ?? resolved.oneOf;
  if (variants) return variants.flatMap((variant, index) => unlistedObjects(document, variant, `${where}|${index}`, seen));
  const types = [resolved.type].flat();
  if (types.includes("array"))
    return resolved.items ? unlistedObjects(document, resolved.items, `${where}[]`, seen) : [`${where}[] (no items)`];
  if (!types.includes("object")) return [];
  const properties = Object.entries(resolved.properties ?? {});
  if (properties.length === 0) return resolved.additionalProperties === undefined || resolved.additionalProperties === false ? [where] : [];
  return properties.flatMap(([name, property]) => unlistedObjects(document, property, `${where}.${name}`, seen));
}

describe("/openapi.json", () => {
  it("names its server as the gateway that served it, so generated clients call the paths relative to it", async () => {
    const document = (await servedDocument()) as Document & { servers?: { url: string }[] };
    expect(document.servers).toEqual([expect.objectContaining({ url: "/" })]);
  });

  it("is valid OpenAPI 3.1", async () => {
    const result = await new Validator().validate(await servedDocument());
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it.each(Object.entries(VENDORS))("lists every %s route, with the properties of its request body and responses", async (_, vendor) => {
    const document = await servedDocument();
    for (const route of vendor.routes) {
      const name = `${route.method} ${route.docs.template}`;
      // The template names the path the route answers.
      expect(route.path.test(route.docs.template.replace(/\{[^}]+\}/g, "some-id")), name).toBe(true);
      const operation = document.paths[route.docs.template]?.[route.method.toLowerCase()];
      expect(operation, `${name} is not documented`).toBeDefined();
      if (route.method === "POST" || route.method === "PUT") {
        const body = operation!.requestBody?.content["application/json"]?.schema;
        expect(body, `${name} has no request body schema`).toBeDefined();
        const resolved = resolve(document, body!);
        const variants = resolved.anyOf ?? [resolved];
        for (const variant of variants)
          expect(Object.keys(resolve(document, variant).properties ?? {}), `${name}'s body lists no properties`).not.toEqual([]);
        expect(unlistedObjects(document, body!, `${name} body`)).toEqual([]);
      }
      const statuses = Object.keys(operation!.responses);
      expect(
        statuses.some((status) => status.startsWith("2")),
        `${name} documents no success`,
      ).toBe(true);
      for (const status of statuses) {
        const schema = operation!.responses[status]!.content["application/json"].schema;
        expect(Object.keys(resolve(document, schema).properties ?? {}), `${name} ${status} lists no properties`).not.toEqual([]);
        expect(unlistedObjects(document, schema, `${name} ${status}`)).toEqual([]);
      }
    }
  });
});

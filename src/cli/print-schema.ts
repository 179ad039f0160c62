// `npm run schema:print`: writes the GraphQL schema the code builds to schema.graphql.
import fs from "node:fs";
import { printSchema } from "graphql";
import { schema } from "../graphql/schema.ts";

const target = new URL("../../schema.graphql", import.meta.url);
fs.writeFileSync(target, `${printSchema(schema)}\n`);
console.log(`wrote ${target.pathname}`);

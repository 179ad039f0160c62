import { builder } from "../builder.ts";
import { pageCap } from "./pagination.ts";
import { visibleCustomers } from "../visibility.ts";

export const CustomerRef = builder.prismaNode("Customer", {
  id: { field: "id" },
  findUnique: (id, ctx) => ({ id, ...visibleCustomers(ctx.viewer) }),
  fields: (t) => ({
    externalId: t.exposeString("externalId", { description: "The tenant's own id for the customer." }),
    name: t.exposeString("name", { nullable: true }),
    email: t.exposeString("email", { nullable: true }),
    metadata: t.expose("metadata", { type: "JSONObject" }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    wallets: t.relatedConnection("wallets", {
      cursor: "id",
      totalCount: true,
      maxSize: pageCap,
      query: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
    }),
  }),
});

import { builder } from "../builder.ts";
import { pageCap } from "./pagination.ts";
import { customersInScope } from "../../ledger/index.ts";

const PaymentMethodRef = builder
  .objectRef<{ id: string; brand: string | null; last4: string | null; expMonth: number | null; expYear: number | null }>("PaymentMethod")
  .implement({
    fields: (t) => ({
      id: t.exposeString("id"),
      brand: t.exposeString("brand", { nullable: true }),
      last4: t.exposeString("last4", { nullable: true }),
      expMonth: t.exposeInt("expMonth", { nullable: true }),
      expYear: t.exposeInt("expYear", { nullable: true }),
    }),
  });

export const CustomerRef = builder.prismaNode("Customer", {
  id: { field: "id" },
  findUnique: (id, ctx) => ({ id, ...customersInScope(ctx.viewer) }),
  fields: (t) => ({
    externalId: t.exposeString("externalId", { description: "The tenant's own id for the customer." }),
    name: t.exposeString("name", { nullable: true }),
    email: t.exposeString("email", { nullable: true }),
    metadata: t.expose("metadata", { type: "JSONObject" }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    paymentMethod: t.field({
      type: PaymentMethodRef,
      nullable: true,
      description: "The card top-ups charge, if one is on file.",
      resolve: (customer) =>
        customer.paymentMethodId
          ? {
              id: customer.paymentMethodId,
              brand: customer.cardBrand,
              last4: customer.cardLast4,
              expMonth: customer.cardExpMonth,
              expYear: customer.cardExpYear,
            }
          : null,
    }),
    wallets: t.relatedConnection("wallets", {
      cursor: "id",
      totalCount: true,
      maxSize: pageCap,
      query: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
    }),
  }),
});

// The root query fields: who the token is, and the entry points into its customers and wallets.
// Text filters go through the ledger's storable-text check: a NUL cannot name anything stored.
import { storableText, type WalletStatus, customersInScope, walletsInScope } from "../../ledger/index.ts";
import type { Viewer } from "../../auth/tokens.ts";
import type { Prisma } from "../../db/generated/client.ts";
import { builder } from "../builder.ts";
import { CustomerRef } from "./customer.ts";
import { ApiTokenRoleEnum, WalletStatusEnum } from "./enums.ts";
import { pageCap } from "./pagination.ts";
import { WalletRef } from "./wallet.ts";

const ViewerRef = builder.objectRef<Viewer>("Viewer").implement({
  description: "The tenant the token acts for.",
  fields: (t) => ({
    tenant: t.prismaField({
      type: "Tenant",
      resolve: (query, viewer, _args, ctx) => ctx.ledger.prisma.tenant.findUniqueOrThrow({ ...query, where: { id: viewer.tenantId } }),
    }),
    livemode: t.exposeBoolean("livemode", { description: "False for a test token: test data is kept apart." }),
    role: t.expose("role", { type: ApiTokenRoleEnum, description: "What the token may do." }),
    customer: t.prismaField({
      type: CustomerRef,
      nullable: true,
      description: "Set for a personal token, which acts for this customer alone.",
      resolve: (query, viewer, _args, ctx) =>
        viewer.customerId ? ctx.ledger.prisma.customer.findUnique({ ...query, where: { id: viewer.customerId } }) : null,
    }),
  }),
});

builder.prismaObject("Tenant", {
  fields: (t) => ({ slug: t.exposeString("slug"), name: t.exposeString("name") }),
});

builder.queryType({});

function walletFilter(
  viewer: Viewer,
  args: { customerExternalId?: string | null; currency?: string | null; status?: WalletStatus | null },
): Prisma.WalletWhereInput {
  return {
    ...walletsInScope(viewer),
    ...(args.customerExternalId ? { customer: { externalId: storableText(args.customerExternalId, "customerExternalId") } } : {}),
    ...(args.currency ? { currency: storableText(args.currency, "currency") } : {}),
    ...(args.status ? { status: args.status } : {}),
  };
}

builder.queryFields((t) => ({
  viewer: t.field({ type: ViewerRef, resolve: (_root, _args, ctx) => ctx.viewer }),
  customer: t.prismaField({
    type: CustomerRef,
    nullable: true,
    args: { externalId: t.arg.string({ required: true }) },
    resolve: (query, _root, { externalId }, ctx) =>
      ctx.ledger.prisma.customer.findFirst({
        ...query,
        where: { externalId: storableText(externalId, "externalId"), ...customersInScope(ctx.viewer) },
      }),
  }),
  customers: t.prismaConnection({
    type: CustomerRef,
    cursor: "id",
    maxSize: pageCap,
    totalCount: (_connection, _args, ctx) => ctx.ledger.prisma.customer.count({ where: customersInScope(ctx.viewer) }),
    resolve: (query, _root, args, ctx) => {
      return ctx.ledger.prisma.customer.findMany({
        ...query,
        where: customersInScope(ctx.viewer),
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      });
    },
  }),
  wallet: t.prismaField({
    type: WalletRef,
    nullable: true,
    args: { id: t.arg.globalID({ required: true, for: [WalletRef] }) },
    resolve: (query, _root, { id }, ctx) =>
      ctx.ledger.prisma.wallet.findFirst({ ...query, where: { id: id.id, ...walletsInScope(ctx.viewer) } }),
  }),
  wallets: t.prismaConnection({
    type: WalletRef,
    cursor: "id",
    maxSize: pageCap,
    args: {
      customerExternalId: t.arg.string(),
      currency: t.arg.string(),
      status: t.arg({ type: WalletStatusEnum }),
    },
    totalCount: (_connection, args, ctx) => ctx.ledger.prisma.wallet.count({ where: walletFilter(ctx.viewer, args) }),
    resolve: (query, _root, args, ctx) => {
      return ctx.ledger.prisma.wallet.findMany({
        ...query,
        where: walletFilter(ctx.viewer, args),
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      });
    },
  }),
}));

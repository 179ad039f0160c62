// An API token as its tenant's admins see it (never the token itself: only its hash is kept),
// and the list of them. Who sees which tokens is src/auth/token-management.ts.
import { apiTokenListFilter, apiTokensVisibleTo } from "../../auth/token-management.ts";
import { builder } from "../builder.ts";
import { ApiTokenRoleEnum } from "./enums.ts";
import { pageCap } from "./pagination.ts";

export const ApiTokenRef = builder.prismaNode("ApiToken", {
  id: { field: "id" },
  findUnique: (id, ctx) => ({ id, AND: [apiTokensVisibleTo(ctx.viewer)] }),
  fields: (t) => ({
    prefix: t.exposeString("prefix", { description: "The token's first characters, e.g. bg_live_1a2b, to tell it apart." }),
    role: t.expose("role", { type: ApiTokenRoleEnum }),
    customer: t.relation("customer", { nullable: true, description: "Set for a personal token, which acts for this customer alone." }),
    livemode: t.exposeBoolean("livemode", { description: "False for a test-mode token." }),
    name: t.exposeString("name", { nullable: true, description: "A label for people." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    lastUsedAt: t.expose("lastUsedAt", {
      type: "DateTime",
      nullable: true,
      description: "When a request last used it, to the minute; null if never.",
    }),
    revokedAt: t.expose("revokedAt", { type: "DateTime", nullable: true, description: "Set once revoked: it is refused from then on." }),
  }),
});

builder.queryField("apiTokens", (t) =>
  t.prismaConnection({
    type: ApiTokenRef,
    cursor: "id",
    maxSize: pageCap,
    description:
      "The tenant's API tokens, oldest first: both modes for a live admin token, test tokens for a test one. Admin tokens only; others get FORBIDDEN.",
    args: {
      includeRevoked: t.arg.boolean({ defaultValue: false }),
      livemode: t.arg.boolean({ description: "Only live (true) or test (false) tokens." }),
      role: t.arg({ type: ApiTokenRoleEnum }),
    },
    totalCount: (_connection, args, ctx) => ctx.ledger.prisma.apiToken.count({ where: apiTokenListFilter(ctx.viewer, args) }),
    resolve: (query, _root, args, ctx) =>
      ctx.ledger.prisma.apiToken.findMany({
        ...query,
        where: apiTokenListFilter(ctx.viewer, args),
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      }),
  }),
);

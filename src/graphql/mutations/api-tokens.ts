// Token management for admin tokens: the rules are src/auth/token-management.ts's.
import { createApiToken, revokeApiToken, type TokenContext } from "../../auth/token-management.ts";
import { ForbiddenError, NotFoundError, ValidationError } from "../../ledger/index.ts";
import { builder } from "../builder.ts";
import type { GraphQLContext } from "../context.ts";
import { ApiTokenRef } from "../types/api-token.ts";
import { ApiTokenRoleEnum } from "../types/enums.ts";

function tokenContext(ctx: GraphQLContext): TokenContext {
  return { prisma: ctx.ledger.prisma, now: ctx.ledger.now, authenticator: ctx.tokens };
}

builder.relayMutationField(
  "createApiToken",
  {
    inputFields: (t) => ({
      role: t.field({ type: ApiTokenRoleEnum, description: "Default: customer for a personal token, admin otherwise." }),
      customerExternalId: t.string({ description: "Makes a personal token, for this customer alone (created when new)." }),
      test: t.boolean({
        description: "A test-mode token. Default: the mode of the token asking; a test-mode token creates test tokens only.",
      }),
      name: t.string({ description: 'A label for people, e.g. "billing worker".' }),
    }),
  },
  {
    errors: { types: [ValidationError, ForbiddenError] },
    resolve: (_root, { input }, ctx) => createApiToken(tokenContext(ctx), ctx.viewer, input),
  },
  {
    outputFields: (t) => ({
      token: t.exposeString("token", {
        description: "The token itself, shown only now (only its SHA-256 is kept). Send it as `Authorization: Bearer <token>`.",
      }),
      apiToken: t.field({ type: ApiTokenRef, resolve: (result) => result.apiToken }),
    }),
  },
);

builder.relayMutationField(
  "revokeApiToken",
  {
    inputFields: (t) => ({
      id: t.globalID({ required: true, for: [ApiTokenRef] }),
    }),
  },
  {
    errors: { types: [NotFoundError, ForbiddenError] },
    resolve: (_root, { input }, ctx) => revokeApiToken(tokenContext(ctx), ctx.viewer, input.id.id),
  },
  {
    outputFields: (t) => ({
      apiToken: t.field({
        type: ApiTokenRef,
        description: "The token, revoked: refused from now on by this gateway, and by every other within TOKEN_CACHE_SECONDS.",
        resolve: (token) => token,
      }),
    }),
  },
);

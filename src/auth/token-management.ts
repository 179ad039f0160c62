// Managing a tenant's API tokens with a token: creating, listing and revoking, for admin tokens
// only (the `tokens` permission). Rules:
// - an admin token manages the tokens of its own tenant, never another's;
// - a live admin token creates live and test tokens, and sees and revokes both;
// - a test admin token creates, sees and revokes test tokens only: a test credential never mints,
//   or reaches, a live one;
// - revoking the token making the request is allowed (it works until the request ends);
// - revoking is idempotent: a revoked token stays revoked, with its first revocation time.
// Creation takes no idempotency key: the token is shown once and never kept, so a replay could
// not show it again. A retried creation makes a second token; the unused one shows no
// `lastUsedAt` and can be revoked.
import type { ApiToken, Prisma, PrismaClient } from "../db/generated/client.ts";
import { ForbiddenError, NotFoundError, allows, authorize, requireId, type Role, type Scope } from "../ledger/index.ts";
import type { TokenAuthenticator } from "./authenticator.ts";
import { mintToken } from "./tokens.ts";

export interface TokenContext {
  prisma: PrismaClient;
  now(): Date;
  /** This process's authenticator, told to forget a token the moment it is revoked. */
  authenticator?: TokenAuthenticator | null;
}

/** A test-mode admin asking for a live token. */
export class LiveTokenFromTestModeError extends ForbiddenError {
  constructor() {
    super("admin", "tokens");
    this.message = "a test-mode token may only create test tokens: create live tokens with a live admin token or the CLI";
  }
}

export interface CreateApiTokenInput {
  role?: Role | null;
  /** A personal token for this customer (created when new), in the new token's mode. */
  customerExternalId?: string | null;
  /** A test-mode token; by default the mode of the token asking. */
  test?: boolean | null;
  name?: string | null;
}

/**
 * Creates a token in the scope's tenant and returns it (shown only now) with its record.
 * Fails with ForbiddenError (not an admin token; a test-mode admin asking for a live token) and
 * ValidationError (a role that does not fit a team or personal token, a name or customer id too long).
 */
export async function createApiToken(
  ctx: TokenContext,
  scope: Scope,
  input: CreateApiTokenInput,
): Promise<{ token: string; apiToken: ApiToken }> {
  authorize(scope, "tokens");
  const livemode = input.test == null ? scope.livemode : !input.test;
  if (livemode && !scope.livemode) throw new LiveTokenFromTestModeError();
  return ctx.prisma.$transaction((tx) =>
    mintToken(tx, { tenantId: scope.tenantId, livemode, customerExternalId: input.customerExternalId, role: input.role, name: input.name }),
  );
}

export interface ApiTokenFilter {
  includeRevoked?: boolean | null;
  /** Only tokens of this mode; by default those the scope sees (a live admin sees both). */
  livemode?: boolean | null;
  role?: Role | null;
}

/**
 * The tokens a scope may see, as a Prisma filter: its tenant's, in both modes for a live admin,
 * test ones for a test admin, and none at all without the `tokens` permission, so that such an
 * id is simply not found.
 */
export function apiTokensVisibleTo(scope: Scope): Prisma.ApiTokenWhereInput {
  if (!allows(scope, "tokens")) return { tenantId: scope.tenantId, AND: [{ id: { in: [] } }] };
  return { tenantId: scope.tenantId, ...(scope.livemode ? {} : { livemode: false }) };
}

/** The filter for listing a scope's tokens. Fails with ForbiddenError for a token that is not an admin's. */
export function apiTokenListFilter(scope: Scope, filter: ApiTokenFilter = {}): Prisma.ApiTokenWhereInput {
  authorize(scope, "tokens");
  return {
    AND: [
      apiTokensVisibleTo(scope),
      filter.includeRevoked ? {} : { revokedAt: null },
      filter.livemode != null ? { livemode: filter.livemode } : {},
      filter.role ? { role: filter.role } : {},
    ],
  };
}

/** A scope's tokens, oldest first, with their customer's id. Fails with ForbiddenError for a token that is not an admin's. */
export function listApiTokens(
  ctx: TokenContext,
  scope: Scope,
  filter: ApiTokenFilter = {},
): Promise<(ApiToken & { customer: { externalId: string } | null })[]> {
  return ctx.prisma.apiToken.findMany({
    where: apiTokenListFilter(scope, filter),
    include: { customer: { select: { externalId: true } } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}

/**
 * Revokes a token the scope sees; from then on it is refused, by this process at once and by
 * every other within TOKEN_CACHE_SECONDS. A token already revoked is returned as it is.
 * Fails with ForbiddenError (not an admin token) and NotFoundError (no such token in the scope).
 */
export async function revokeApiToken(ctx: TokenContext, scope: Scope, id: string): Promise<ApiToken> {
  authorize(scope, "tokens");
  const where = { id: requireId(id, "api token"), AND: [apiTokensVisibleTo(scope)] };
  // Only a token not yet revoked is written, so its first revocation time is kept.
  await ctx.prisma.apiToken.updateMany({ where: { ...where, revokedAt: null }, data: { revokedAt: ctx.now() } });
  const token = await ctx.prisma.apiToken.findFirst({ where });
  if (!token) throw new NotFoundError("api token", id);
  ctx.authenticator?.forget(token.tokenHash);
  return token;
}

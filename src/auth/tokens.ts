// API tokens. A token belongs to a tenant, is live or test (`…_test_…`), has a role (what it may
// do: src/ledger/access.ts), and may be bound to one customer (a "personal" token) or act for the
// whole tenant (a "team" token). Only the SHA-256 of a token is stored; the token itself is shown
// once, when issued.
import { createHash, randomUUID } from "node:crypto";
import type { PrismaClient } from "../db/generated/client.ts";
import type { Role, Scope } from "../ledger/access.ts";
import { ValidationError } from "../ledger/errors.ts";

/** Who is calling: the token's scope, and the token itself. */
export interface Viewer extends Scope {
  tokenId: string;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export interface IssueTokenInput {
  tenantSlug: string;
  test: boolean;
  /** Bind the token to this customer (created if new). */
  customerExternalId?: string | null;
  /** Default `customer` for a personal token, `admin` for a team token. */
  role?: Role | null;
  /** A label for people. */
  name?: string | null;
  /** Token prefix, e.g. `wren` for `wren_test_<uuid>` tokens; default `bg`. */
  prefix?: string;
}

/** The role a new token gets: the one asked for, when it fits a team or personal token. */
export function tokenRole(role: Role | null | undefined, personal: boolean): Role {
  const chosen = role ?? (personal ? "customer" : "admin");
  if (personal && (chosen === "admin" || chosen === "write")) {
    throw new ValidationError(`a personal token cannot have the role ${chosen}: use customer or read`, [{ path: ["role"], message: "must be customer or read for a personal token" }]);
  }
  if (!personal && chosen === "customer") {
    throw new ValidationError("the customer role needs a customer", [{ path: ["customerExternalId"], message: "is required for the customer role" }]);
  }
  return chosen;
}

/** Issues a token, creating the tenant (and the customer) when new. Returns the token once. */
export async function issueToken(prisma: PrismaClient, input: IssueTokenInput): Promise<string> {
  const prefix = input.prefix ?? "bg";
  if (!/^[a-z][a-z0-9]{0,15}$/.test(prefix)) throw new Error("the token prefix must be 1 to 16 lower-case letters or digits");
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(input.tenantSlug)) throw new Error("the tenant slug must be lower-case letters, digits and '-'");
  const role = tokenRole(input.role, Boolean(input.customerExternalId));
  const tenant = await prisma.tenant.upsert({
    where: { slug: input.tenantSlug },
    create: { slug: input.tenantSlug, name: input.tenantSlug },
    update: {},
  });
  const livemode = !input.test;
  const customer = input.customerExternalId
    ? await prisma.customer.upsert({
        where: { tenantId_livemode_externalId: { tenantId: tenant.id, livemode, externalId: input.customerExternalId } },
        create: { tenantId: tenant.id, livemode, externalId: input.customerExternalId },
        update: {},
      })
    : null;
  const token = `${prefix}_${livemode ? "live" : "test"}_${randomUUID()}`;
  await prisma.apiToken.create({
    data: {
      tenantId: tenant.id,
      livemode,
      tokenHash: hashToken(token),
      prefix: token.slice(0, prefix.length + 6),
      customerId: customer?.id ?? null,
      role,
      name: input.name ?? null,
    },
  });
  return token;
}

export type Authentication = { viewer: Viewer } | { failure: "missing" | "invalid" };

/** Reads `Authorization: Bearer <token>`; a token that is unknown or revoked is invalid. */
export async function authenticate(prisma: PrismaClient, authorization: string | null): Promise<Authentication> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!authorization?.trim()) return { failure: "missing" };
  if (!match) return { failure: "invalid" };
  const token = await prisma.apiToken.findUnique({ where: { tokenHash: hashToken(match[1]!) } });
  if (!token || token.revokedAt) return { failure: "invalid" };
  return { viewer: { tokenId: token.id, tenantId: token.tenantId, livemode: token.livemode, customerId: token.customerId, role: token.role } };
}

// API tokens. A token belongs to a tenant, is live or test (`…_test_…`), has a role (what it may
// do: src/ledger/access.ts), and may be bound to one customer (a "personal" token) or act for the
// whole tenant (a "team" token). Only the SHA-256 of a token is stored; the token itself is shown
// once, when issued. Issuing is here; who may issue, list and revoke is token-management.ts, and
// checking a request's token is authenticator.ts.
import { createHash, randomUUID } from "node:crypto";
import type { ApiToken, PrismaClient } from "../db/generated/client.ts";
import { ValidationError, requiredText, upsertCustomer, validText, type Role, type Scope } from "../ledger/index.ts";

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
    throw new ValidationError(`a personal token cannot have the role ${chosen}: use customer or read`, [
      { path: ["role"], message: "must be customer or read for a personal token" },
    ]);
  }
  if (!personal && chosen === "customer") {
    throw new ValidationError("the customer role needs a customer", [
      { path: ["customerExternalId"], message: "is required for the customer role" },
    ]);
  }
  return chosen;
}

/**
 * Issues a token for the gateway's operator (the CLI, the demo tenant), creating the tenant (and
 * the customer) when new. Returns the token, shown only now.
 */
export async function issueToken(prisma: PrismaClient, input: IssueTokenInput): Promise<string> {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(input.tenantSlug)) throw new Error("the tenant slug must be lower-case letters, digits and '-'");
  const minted = await prisma.$transaction(async (tx) => {
    // createMany skips a tenant another process creates meanwhile, where upsert fails on the key.
    await tx.tenant.createMany({ data: [{ slug: input.tenantSlug, name: input.tenantSlug }], skipDuplicates: true });
    const tenant = await tx.tenant.findUniqueOrThrow({ where: { slug: input.tenantSlug } });
    return mintToken(tx, { ...input, tenantId: tenant.id, livemode: !input.test });
  });
  return minted.token;
}

export interface MintTokenInput {
  tenantId: string;
  livemode: boolean;
  customerExternalId?: string | null;
  role?: Role | null;
  name?: string | null;
  prefix?: string;
}

/** What `token_prefix` keeps of a token: its kind and mode, and enough of it to tell it apart. */
const SHOWN_CHARACTERS = 4;

/**
 * Writes a new token of the tenant, creating its customer when new; checks its input first, so
 * that bad input writes nothing. Fails with ValidationError.
 */
export async function mintToken(
  tx: Pick<PrismaClient, "customer" | "apiToken">,
  input: MintTokenInput,
): Promise<{ token: string; apiToken: ApiToken }> {
  const prefix = input.prefix ?? "bg";
  if (!/^[a-z][a-z0-9]{0,15}$/.test(prefix)) throw new Error("the token prefix must be 1 to 16 lower-case letters or digits");
  const customerExternalId = input.customerExternalId == null ? null : requiredText(input.customerExternalId, "customerExternalId");
  const role = tokenRole(input.role, customerExternalId !== null);
  const name = validText(input.name, "name", 255);
  const { tenantId, livemode } = input;
  const customer = customerExternalId ? await upsertCustomer(tx, { tenantId, livemode }, { externalId: customerExternalId }) : null;
  const kind = `${prefix}_${livemode ? "live" : "test"}_`;
  const token = `${kind}${randomUUID()}`;
  const apiToken = await tx.apiToken.create({
    data: {
      tenantId,
      livemode,
      tokenHash: hashToken(token),
      prefix: token.slice(0, kind.length + SHOWN_CHARACTERS),
      customerId: customer?.id ?? null,
      role,
      name,
    },
  });
  return { token, apiToken };
}

import type { Customer } from "../db/generated/client.ts";
import type { Scope } from "./context.ts";
import { invalid, requiredText, validMetadata, validText } from "./input.ts";
import type { Metadata, Tx } from "./wallet-ledger.ts";

/** The customer that owns a tenant's own ("team") wallet. */
export const TEAM_CUSTOMER = "__team__";

export interface CustomerInput {
  /** The tenant's own id for the customer, unique per tenant and mode. */
  externalId: string;
  name?: string | null;
  email?: string | null;
  metadata?: Metadata | null;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** Checks a customer's fields (ValidationError naming `customer.<field>`); every text must be storable. */
export function validCustomer(input: CustomerInput): CustomerInput {
  const externalId = requiredText(input.externalId, "customer.externalId", 255);
  const email = validEmail(input.email, "customer.email");
  return {
    externalId,
    name: validText(input.name, "customer.name", 255),
    email,
    metadata: input.metadata == null ? null : validMetadata(input.metadata, "customer.metadata"),
  };
}

/** An optional email address: storable, at most 320 characters, and shaped like one (something@somewhere). */
export function validEmail(value: string | null | undefined, field: string): string | null {
  const email = validText(value, field, 320);
  if (email != null && !EMAIL.test(email)) invalid(field, "is not an email address");
  return email;
}

/**
 * Finds the customer by external id or creates it; given name, email and metadata update it.
 * Safe under concurrency: the insert skips a customer another transaction created meanwhile
 * (ON CONFLICT DO NOTHING waits for it to commit), where Prisma's upsert would fail on the unique key.
 */
export async function upsertCustomer(
  tx: Pick<Tx, "customer">,
  scope: Pick<Scope, "tenantId" | "livemode">,
  input: CustomerInput,
): Promise<Customer> {
  const changes = {
    ...(input.name != null ? { name: input.name } : {}),
    ...(input.email != null ? { email: input.email } : {}),
    ...(input.metadata != null ? { metadata: input.metadata as object } : {}),
  };
  const key = { tenantId: scope.tenantId, livemode: scope.livemode, externalId: input.externalId };
  const { count } = await tx.customer.createMany({ data: [{ ...key, ...changes }], skipDuplicates: true });
  if (count === 0 && Object.keys(changes).length > 0)
    return tx.customer.update({ where: { tenantId_livemode_externalId: key }, data: changes });
  return tx.customer.findUniqueOrThrow({ where: { tenantId_livemode_externalId: key } });
}

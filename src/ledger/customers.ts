import type { Customer } from "../db/generated/client.ts";
import type { Scope } from "./context.ts";
import { ValidationError } from "./errors.ts";
import { validMetadata, validText } from "./input.ts";
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

export function validCustomer(input: CustomerInput): CustomerInput {
  if (!input.externalId || input.externalId.length > 255) {
    throw new ValidationError("customer externalId must be 1 to 255 characters", [{ path: ["customer", "externalId"], message: "must be 1 to 255 characters" }]);
  }
  if (input.email != null && !EMAIL.test(input.email)) {
    throw new ValidationError("customer email is not an email address", [{ path: ["customer", "email"], message: "is not an email address" }]);
  }
  return {
    externalId: input.externalId,
    name: validText(input.name, "name", 255),
    email: input.email ?? null,
    metadata: input.metadata == null ? null : validMetadata(input.metadata),
  };
}

/** Finds the customer by external id or creates it; given name, email and metadata update it. */
export function upsertCustomer(tx: Tx, scope: Scope, input: CustomerInput): Promise<Customer> {
  const changes = {
    ...(input.name != null ? { name: input.name } : {}),
    ...(input.email != null ? { email: input.email } : {}),
    ...(input.metadata != null ? { metadata: input.metadata as object } : {}),
  };
  return tx.customer.upsert({
    where: { tenantId_livemode_externalId: { tenantId: scope.tenantId, livemode: scope.livemode, externalId: input.externalId } },
    create: { tenantId: scope.tenantId, livemode: scope.livemode, externalId: input.externalId, ...changes },
    update: changes,
  });
}

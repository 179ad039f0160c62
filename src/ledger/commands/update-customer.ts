import type { Customer } from "../../db/generated/client.ts";
import { authorize, customersInScope } from "../access.ts";
import type { LedgerContext, Scope } from "../context.ts";
import { validEmail } from "../customers.ts";
import { IdempotencyConflictError, NotFoundError } from "../errors.ts";
import { runOnce, type KeyedRecords } from "../idempotency.ts";
import { invalid, isStorableText, validIdempotencyKey, validText } from "../input.ts";
import { hashRequest } from "../request-hash.ts";

export interface UpdateCustomerInput {
  scope: Scope;
  /** The tenant's own id for the customer; it is how the customer is found, never changed. */
  externalId: string;
  /** Null or "" clears it; undefined leaves it as it is. */
  name?: string | null;
  /** Null or "" clears it; undefined leaves it as it is. */
  email?: string | null;
  idempotencyKey?: string | null;
}

export interface CustomerUpdateResult {
  customer: Customer;
  replayed: boolean;
}

const CUSTOMER_UPDATE_KEY_INDEX = "customer_update_tenant_id_livemode_idempotency_key_key";

/**
 * Changes a customer's name or email; balances and wallets are untouched. With an idempotency key
 * the change is made once: the key again answers the customer as it is now (replayed), and other
 * input under it is an IdempotencyConflictError. Fails with ForbiddenError (not a role that
 * manages wallets), NotFoundError (no such customer in the scope) and ValidationError (nothing to
 * change, a name over 255 characters, an email that is not one or over 320 characters).
 */
export async function updateCustomer(ctx: LedgerContext, input: UpdateCustomerInput): Promise<CustomerUpdateResult> {
  authorize(input.scope, "manage");
  const externalId = input.externalId;
  if (typeof externalId !== "string" || !isStorableText(externalId) || externalId.length > 255) {
    throw new NotFoundError("Customer", String(externalId));
  }
  // "" clears a field as null does: a form's emptied input means "no name".
  const name = input.name === undefined ? undefined : validText(input.name || null, "name", 255);
  const email = input.email === undefined ? undefined : validEmail(input.email || null, "email");
  if (name === undefined && email === undefined) invalid("input", "must give a name or an email to change");
  const idempotencyKey = validIdempotencyKey(input.idempotencyKey);
  // Null cannot be hashed apart from "not given": a cleared field is hashed as such.
  const requestHash = hashRequest("customer_update", externalId, {
    name: name === null ? { clear: true } : name,
    email: email === null ? { clear: true } : email,
  });
  const scoped = { externalId, ...customersInScope(input.scope) };

  const records: KeyedRecords<{ requestHash: string; customerId: string }, CustomerUpdateResult> = {
    constraint: CUSTOMER_UPDATE_KEY_INDEX,
    find: (key) =>
      ctx.prisma.customerUpdate.findUnique({
        where: {
          tenantId_livemode_idempotencyKey: { tenantId: input.scope.tenantId, livemode: input.scope.livemode, idempotencyKey: key },
        },
      }),
    replay: async (earlier) => {
      if (earlier.requestHash !== requestHash) throw new IdempotencyConflictError(idempotencyKey ?? "");
      const customer = await ctx.prisma.customer.findFirst({ where: { id: earlier.customerId, ...customersInScope(input.scope) } });
      if (!customer) throw new NotFoundError("Customer", externalId);
      return { customer, replayed: true };
    },
  };

  return runOnce(idempotencyKey, records, async (replayEarlier) => {
    const earlier = await replayEarlier();
    if (earlier) return earlier;
    return ctx.prisma.$transaction(async (tx) => {
      const found = await tx.customer.findFirst({ where: scoped, select: { id: true } });
      if (!found) throw new NotFoundError("Customer", externalId);
      const customer = await tx.customer.update({
        where: { id: found.id },
        data: { ...(name !== undefined ? { name } : {}), ...(email !== undefined ? { email } : {}), updatedAt: ctx.now() },
      });
      if (idempotencyKey) {
        await tx.customerUpdate.create({
          data: {
            tenantId: input.scope.tenantId,
            livemode: input.scope.livemode,
            customerId: customer.id,
            idempotencyKey,
            requestHash,
            createdAt: ctx.now(),
          },
        });
      }
      return { customer, replayed: false };
    });
  });
}

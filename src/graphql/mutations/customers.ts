import { ForbiddenError, IdempotencyConflictError, NotFoundError, updateCustomer, ValidationError } from "../../ledger/index.ts";
import { builder } from "../builder.ts";
import { CustomerRef } from "../types/customer.ts";
import { IDEMPOTENCY_KEY_DESCRIPTION } from "./ledger-result.ts";

builder.relayMutationField(
  "updateCustomer",
  {
    description:
      "Changes a customer's name or email (a field left out stays as it is; null or an empty string clears it). Wallets and balances are untouched.",
    inputFields: (t) => ({
      externalId: t.string({ required: true, description: "The tenant's own id for the customer; it is not changed." }),
      name: t.string({ description: "At most 255 characters." }),
      email: t.string({ description: "An email address, at most 320 characters." }),
      idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
    }),
  },
  {
    errors: { types: [ValidationError, NotFoundError, ForbiddenError, IdempotencyConflictError] },
    resolve: (_root, { input }, ctx) =>
      updateCustomer(ctx.ledger, {
        scope: ctx.viewer,
        externalId: input.externalId,
        // A field left out of the input is left as it is; one given as null is cleared.
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.email !== undefined ? { email: input.email } : {}),
        idempotencyKey: input.idempotencyKey,
      }),
  },
  {
    outputFields: (t) => ({
      customer: t.field({ type: CustomerRef, resolve: (result) => result.customer }),
      replayed: t.exposeBoolean("replayed"),
    }),
  },
);

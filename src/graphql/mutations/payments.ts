import { NotFoundError, ForbiddenError, ValidationError } from "../../ledger/index.ts";
import { setPaymentMethod } from "../../payments/payment-methods.ts";
import { PaymentsNotConfiguredError } from "../../payments/errors.ts";
import { builder } from "../builder.ts";
import { CustomerRef } from "../types/customer.ts";

builder.relayMutationField(
  "setPaymentMethod",
  {
    description:
      "Attaches a Stripe payment method to a customer (the tenant's team owner when none is named; a personal token's own customer) as the default that top-ups charge.",
    inputFields: (t) => ({
      paymentMethodId: t.string({ required: true, description: "A Stripe PaymentMethod id, e.g. pm_card_visa in test mode." }),
      customerExternalId: t.string(),
    }),
  },
  {
    errors: { types: [ValidationError, NotFoundError, ForbiddenError, PaymentsNotConfiguredError] },
    resolve: (_root, { input }, ctx) =>
      setPaymentMethod(ctx, { scope: ctx.viewer, customerExternalId: input.customerExternalId, paymentMethodId: input.paymentMethodId }),
  },
  { outputFields: (t) => ({ customer: t.field({ type: CustomerRef, resolve: (customer) => customer }) }) },
);

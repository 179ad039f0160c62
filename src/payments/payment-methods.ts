import type { Customer } from "../db/generated/client.ts";
import type { LedgerContext, Scope } from "../ledger/context.ts";
import { TEAM_CUSTOMER } from "../ledger/customers.ts";
import { NotFoundError } from "../ledger/errors.ts";
import { findCustomer } from "../ledger/queries.ts";
import { PaymentsNotConfiguredError } from "./errors.ts";
import type { StripeAccess } from "./stripe-client.ts";

export interface PaymentsDeps {
  ledger: LedgerContext;
  payments: StripeAccess | null;
}

/** Stripe access for this scope: test tokens only ever reach a test-mode key. */
export function stripeFor(deps: PaymentsDeps, scope: Scope): StripeAccess["stripe"] {
  if (!deps.payments || (!scope.livemode && !deps.payments.testKey)) throw new PaymentsNotConfiguredError();
  return deps.payments.stripe;
}

/**
 * Attaches a Stripe payment method to the customer (the tenant's team owner when none is named)
 * and makes it the default that top-ups charge. Creates the Stripe customer on first use.
 * Fails with NotFoundError, PaymentsNotConfiguredError, and Stripe's own errors.
 */
export async function setPaymentMethod(deps: PaymentsDeps, input: { scope: Scope; customerExternalId?: string | null; paymentMethodId: string }): Promise<Customer> {
  const stripe = stripeFor(deps, input.scope);
  const externalId = input.customerExternalId ?? TEAM_CUSTOMER;
  const customer = await findCustomer(deps.ledger, input.scope, externalId);
  if (!customer) throw new NotFoundError("Customer", externalId);
  const stripeCustomerId =
    customer.stripeCustomerId ??
    (await stripe.customers.create({ metadata: { billing_gateway_customer: customer.id } }, { idempotencyKey: `customer_${customer.id}` })).id;
  const method = await stripe.paymentMethods.attach(input.paymentMethodId, { customer: stripeCustomerId });
  await stripe.customers.update(stripeCustomerId, { invoice_settings: { default_payment_method: method.id } });
  return deps.ledger.prisma.customer.update({
    where: { id: customer.id },
    data: {
      stripeCustomerId,
      paymentMethodId: method.id,
      cardBrand: method.card?.brand ?? null,
      cardLast4: method.card?.last4 ?? null,
      cardExpMonth: method.card?.exp_month ?? null,
      cardExpYear: method.card?.exp_year ?? null,
    },
  });
}

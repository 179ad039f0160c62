import type { Customer } from "../db/generated/client.ts";
import {
  NotFoundError,
  TEAM_CUSTOMER,
  ValidationError,
  authorize,
  findCustomer,
  findCustomerById,
  type LedgerContext,
  type Scope,
} from "../ledger/index.ts";
import { PaymentsNotConfiguredError } from "./errors.ts";
import type { StripeAccess } from "./stripe-client.ts";

export interface PaymentsDeps {
  ledger: LedgerContext;
  payments: StripeAccess | null;
}

/** Whether this scope can take payments: test tokens only ever reach a test-mode key. */
export function paymentsConfiguredFor(payments: StripeAccess | null, scope: Pick<Scope, "livemode">): payments is StripeAccess {
  return payments !== null && (scope.livemode || payments.testKey);
}

/** Stripe access for this scope: test tokens only ever reach a test-mode key. */
export function stripeFor(deps: PaymentsDeps, scope: Scope): StripeAccess["stripe"] {
  if (!paymentsConfiguredFor(deps.payments, scope)) throw new PaymentsNotConfiguredError();
  return deps.payments.stripe;
}

/**
 * Attaches a Stripe payment method to the customer (the tenant's team owner when none is named;
 * a personal token's own customer) and makes it the default that top-ups charge. Creates the
 * Stripe customer on first use.
 * Fails with ForbiddenError, NotFoundError, ValidationError (an id that is not a Stripe
 * PaymentMethod id, or one Stripe refuses to attach), PaymentsNotConfiguredError, and Stripe's
 * errors when it cannot be reached.
 */
/** Stripe object ids: a short prefix, an underscore, letters and digits (pm_card_visa in test mode). */
const PAYMENT_METHOD_ID = /^(pm|card|src)_[A-Za-z0-9_]{1,250}$/;

export async function setPaymentMethod(
  deps: PaymentsDeps,
  input: { scope: Scope; customerExternalId?: string | null; paymentMethodId: string },
): Promise<Customer> {
  authorize(input.scope, "pay");
  if (!PAYMENT_METHOD_ID.test(input.paymentMethodId)) {
    throw new ValidationError("paymentMethodId must be a Stripe PaymentMethod id such as pm_card_visa", [
      { path: ["paymentMethodId"], message: "is not a PaymentMethod id" },
    ]);
  }
  const stripe = stripeFor(deps, input.scope);
  const customer =
    input.customerExternalId == null && input.scope.customerId
      ? await findCustomerById(deps.ledger, input.scope, input.scope.customerId)
      : await findCustomer(deps.ledger, input.scope, input.customerExternalId ?? TEAM_CUSTOMER);
  if (!customer) throw new NotFoundError("Customer", input.customerExternalId ?? TEAM_CUSTOMER);
  const stripeCustomerId =
    customer.stripeCustomerId ??
    (await stripe.customers.create({ metadata: { billing_gateway_customer: customer.id } }, { idempotencyKey: `customer_${customer.id}` }))
      .id;
  const method = await stripe.paymentMethods.attach(input.paymentMethodId, { customer: stripeCustomerId }).catch((error: unknown) => {
    // An unknown, used or foreign PaymentMethod: Stripe's answer is about the input, not an outage.
    if ((error as { type?: string } | null)?.type !== "StripeInvalidRequestError") throw error;
    throw new ValidationError(`paymentMethodId was refused by Stripe: ${(error as Error).message}`, [
      { path: ["paymentMethodId"], message: "was refused by Stripe" },
    ]);
  });
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

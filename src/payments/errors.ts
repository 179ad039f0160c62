import { LedgerError } from "../ledger/errors.ts";

/** A card was declined, needs authentication, or Stripe refused the payment; no credits were added. */
export class PaymentFailedError extends LedgerError {
  readonly code = "PAYMENT_FAILED";
  constructor(
    message: string,
    /** Stripe's decline code, e.g. `insufficient_funds`, when Stripe gave one. */
    readonly declineCode: string | null,
    /** Stripe's error code, e.g. `card_declined` or `authentication_required`. */
    readonly stripeCode: string | null,
  ) {
    super(message);
  }
}

/** Top-ups need STRIPE_SECRET_KEY; without it the gateway takes no payments. */
export class PaymentsNotConfiguredError extends LedgerError {
  readonly code = "PAYMENTS_NOT_CONFIGURED";
  constructor() {
    super("payments are not configured on this gateway (STRIPE_SECRET_KEY is not set)");
  }
}

import type { Wallet } from "../../db/generated/client.ts";
import { authorize } from "../access.ts";
import type { LedgerContext, Scope } from "../context.ts";
import { upsertCustomer, validCustomer, type CustomerInput } from "../customers.ts";
import { NotFoundError } from "../errors.ts";
import { currencyScale } from "../money.ts";
import { findCustomerById, findCustomerWallet } from "../queries.ts";
import { TRANSACTION_OPTIONS } from "../transaction.ts";
import { openWallet } from "./create-wallet.ts";

/**
 * The customer's wallet in `currency`, created with the customer on first use (the vendor APIs
 * that deposit "to a customer" know no wallets). Name, email and metadata given update the
 * customer. Concurrent first uses create one wallet: its creation is keyed by customer and
 * currency.
 *
 * A personal token may open its own customer's plain wallet this way (no overdraft, no settings:
 * nothing it could spend); opening anyone else's, or creating customers, takes `manage`.
 * Fails with ForbiddenError, NotFoundError (a personal token naming another customer) and
 * ValidationError.
 */
export async function ensureCustomerWallet(ctx: LedgerContext, input: { scope: Scope; customer: CustomerInput; currency: string; scale?: number }): Promise<Wallet> {
  const customerInput = validCustomer(input.customer);
  currencyScale(input.currency, input.scale);
  const existing = await findCustomerWallet(ctx, input.scope, customerInput.externalId, input.currency);
  const updatesCustomer = customerInput.name != null || customerInput.email != null || customerInput.metadata != null;
  if (existing && !updatesCustomer) return existing;
  if (input.scope.customerId) {
    authorize(input.scope, "spend");
    const own = await findCustomerById(ctx, input.scope, input.scope.customerId);
    if (own?.externalId !== customerInput.externalId) throw new NotFoundError("Customer", customerInput.externalId);
  } else {
    authorize(input.scope, "manage");
  }
  const customer = await ctx.prisma.$transaction((tx) => upsertCustomer(tx, input.scope, customerInput), TRANSACTION_OPTIONS);
  if (existing) return existing;
  const { wallet } = await openWallet(ctx, {
    scope: input.scope,
    customer: { externalId: customer.externalId },
    currency: input.currency,
    scale: input.scale,
    idempotencyKey: `customer-wallet:${customer.id}:${input.currency}`,
  });
  return wallet;
}

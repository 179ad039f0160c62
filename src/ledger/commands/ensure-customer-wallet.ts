import type { Wallet } from "../../db/generated/client.ts";
import type { LedgerContext, Scope } from "../context.ts";
import { upsertCustomer, validCustomer, type CustomerInput } from "../customers.ts";
import { currencyScale } from "../money.ts";
import { TRANSACTION_OPTIONS } from "../transaction.ts";
import { createWallet } from "./create-wallet.ts";

/**
 * The customer's wallet in `currency`, created with the customer on first use (the vendor APIs
 * that deposit "to a customer" know no wallets). Name, email and metadata given update the
 * customer. Concurrent first uses create one wallet: its creation is keyed by customer and
 * currency. Fails with ValidationError.
 */
export async function ensureCustomerWallet(ctx: LedgerContext, input: { scope: Scope; customer: CustomerInput; currency: string; scale?: number }): Promise<Wallet> {
  const customerInput = validCustomer(input.customer);
  currencyScale(input.currency, input.scale);
  const customer = await ctx.prisma.$transaction((tx) => upsertCustomer(tx, input.scope, customerInput), TRANSACTION_OPTIONS);
  const existing = await ctx.prisma.wallet.findFirst({
    where: { customerId: customer.id, currency: input.currency, status: "active" },
    orderBy: { createdAt: "asc" },
  });
  if (existing) return existing;
  const { wallet } = await createWallet(ctx, {
    scope: input.scope,
    customer: { externalId: customer.externalId },
    currency: input.currency,
    scale: input.scale,
    idempotencyKey: `customer-wallet:${customer.id}:${input.currency}`,
  });
  return wallet;
}

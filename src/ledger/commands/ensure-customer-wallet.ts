import type { Wallet } from "../../db/generated/client.ts";
import { authorize } from "../access.ts";
import type { LedgerContext, Scope } from "../context.ts";
import { upsertCustomer, validCustomer, type CustomerInput } from "../customers.ts";
import { NotFoundError, WalletExistsError } from "../errors.ts";
import { walletUnit, type CustomUnit } from "../money.ts";
import { findCustomerById, findCustomerWallet } from "../queries.ts";
import { TRANSACTION_OPTIONS } from "../transaction.ts";
import { openWallet } from "./create-wallet.ts";

/**
 * The customer's wallet in `currency` (ISO 4217) or `customUnit`, created with the customer on
 * first use (the vendor APIs that deposit "to a customer" know no wallets). Name, email and
 * metadata given update the customer. Concurrent first uses create one wallet: its creation is
 * keyed by customer and currency, and a customer has one unnamed active wallet per currency.
 *
 * A personal token may open its own customer's plain wallet this way (no overdraft, no settings:
 * nothing it could spend); opening anyone else's, or creating customers, takes `manage`.
 * Fails with ForbiddenError, NotFoundError (a personal token naming another customer) and
 * ValidationError (customer fields; a currency that is no ISO 4217 code, unless given as customUnit).
 */
export async function ensureCustomerWallet(
  ctx: LedgerContext,
  input: { scope: Scope; customer: CustomerInput; currency?: string | null; customUnit?: CustomUnit | null },
): Promise<Wallet> {
  const customerInput = validCustomer(input.customer);
  const unit = walletUnit(input);
  const existing = await findCustomerWallet(ctx, input.scope, customerInput.externalId, unit.currency);
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
  try {
    const { wallet } = await openWallet(ctx, {
      scope: input.scope,
      customer: { externalId: customer.externalId },
      currency: input.currency,
      customUnit: input.customUnit,
      idempotencyKey: `customer-wallet:${customer.id}:${unit.currency}`,
    });
    return wallet;
  } catch (error) {
    // Opened meanwhile by another path (createWallet): it is the wallet asked for.
    if (!(error instanceof WalletExistsError)) throw error;
    return ctx.prisma.wallet.findUniqueOrThrow({ where: { id: error.walletId } });
  }
}

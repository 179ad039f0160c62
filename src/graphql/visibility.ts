// What a token may see: its tenant, in its mode, and for a personal token only its customer.
// Every read filters by these; mutations check the wallet they touch with requireVisibleWallet.
import type { Prisma } from "../db/generated/client.ts";
import type { Viewer } from "../auth/tokens.ts";
import { NotFoundError } from "../ledger/errors.ts";
import type { GraphQLContext } from "./context.ts";

export function visibleWallets(viewer: Viewer): { tenantId: string; livemode: boolean; customerId?: string } {
  return { tenantId: viewer.tenantId, livemode: viewer.livemode, ...(viewer.customerId ? { customerId: viewer.customerId } : {}) };
}

export function visibleCustomers(viewer: Viewer): { tenantId: string; livemode: boolean; AND?: Prisma.CustomerWhereInput[] } {
  return { tenantId: viewer.tenantId, livemode: viewer.livemode, ...(viewer.customerId ? { AND: [{ id: viewer.customerId }] } : {}) };
}

/**
 * The ledger scopes every command to the tenant and mode; a personal token is narrower, so
 * the wallet a command would touch is checked first (a team token needs no extra query).
 */
export async function requireVisibleWallet(ctx: GraphQLContext, where: { walletId: string } | { blockId: string } | { holdId: string } | { operationId: string }) {
  if (!ctx.viewer.customerId) return;
  const wallets = visibleWallets(ctx.viewer);
  const prisma = ctx.ledger.prisma;
  const found =
    "walletId" in where
      ? await prisma.wallet.findFirst({ where: { id: where.walletId, ...wallets }, select: { id: true } })
      : "blockId" in where
        ? await prisma.creditBlock.findFirst({ where: { id: where.blockId, wallet: wallets }, select: { id: true } })
        : "holdId" in where
          ? await prisma.hold.findFirst({ where: { id: where.holdId, wallet: wallets }, select: { id: true } })
          : await prisma.operation.findFirst({ where: { id: where.operationId, wallet: wallets }, select: { id: true } });
  if (!found) throw new NotFoundError("Wallet", Object.values(where)[0]!);
}

/**
 * A personal token acts for its own customer only: returns that customer's external id, or
 * NotFoundError when the input names another. Null for a team token.
 */
export async function ownCustomerExternalId(ctx: GraphQLContext, named: string | null | undefined): Promise<string | null> {
  if (!ctx.viewer.customerId) return null;
  const own = await ctx.ledger.prisma.customer.findUnique({ where: { id: ctx.viewer.customerId }, select: { externalId: true } });
  if (named != null && own?.externalId !== named) throw new NotFoundError("Customer", named);
  return own!.externalId;
}

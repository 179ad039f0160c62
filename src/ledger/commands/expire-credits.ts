import { systemScope } from "../access.ts";
import type { LedgerContext } from "../context.ts";
import type { CreditsExpiredPayload } from "../events.ts";
import { runWalletCommand } from "../transaction.ts";

export interface ExpireCreditsResult {
  walletsSwept: number;
  entriesWritten: number;
}

/**
 * The expiry sweep: for each wallet with credits past their expiry (or holds past theirs), one
 * operation that writes an `expiration` entry per expired block and releases lapsed holds.
 * Balances never wait for it (reads leave expired blocks out by date); the sweep makes the
 * ledger say so. Safe to run from many processes at once: each wallet is swept under its lock,
 * and a block already expired has nothing left to expire.
 */
export async function expireCredits(ctx: LedgerContext, options: { maxWallets?: number } = {}): Promise<ExpireCreditsResult> {
  const now = ctx.now();
  const due = await ctx.prisma.$queryRaw<{ wallet_id: string; tenant_id: string; livemode: boolean }[]>`
    SELECT w.id AS wallet_id, w.tenant_id, w.livemode FROM wallet w
    WHERE w.status = 'active' AND (
      EXISTS (SELECT 1 FROM credit_block b WHERE b.wallet_id = w.id AND b.expires_at <= ${now}
              AND (b.status = 'active' OR b.remaining > 0))
      OR EXISTS (SELECT 1 FROM hold h WHERE h.wallet_id = w.id AND h.status = 'open' AND h.expires_at <= ${now}))
    LIMIT ${options.maxWallets ?? 1000}`;
  let entriesWritten = 0;
  for (const wallet of due) {
    const scope = systemScope(wallet.tenant_id, wallet.livemode);
    const result = await runWalletCommand(
      ctx,
      { scope, walletId: wallet.wallet_id, type: "expiration", request: { at: now } },
      async (walletLedger, operation) => {
        const expired = walletLedger.track(
          await walletLedger.tx.creditBlock.findMany({
            where: {
              walletId: walletLedger.wallet.id,
              expiresAt: { lte: walletLedger.now },
              OR: [{ status: "active" }, { remaining: { gt: 0 } }],
            },
            orderBy: { expiresAt: "asc" },
          }),
        );
        const lapsed: CreditsExpiredPayload["blocks"] = [];
        for (const block of expired) {
          if (block.remaining > 0n) {
            lapsed.push({
              id: block.id,
              category: block.category,
              amount: block.remaining.toString(),
              expiresAt: block.expiresAt?.toISOString() ?? null,
            });
            walletLedger.append(operation, { block, type: "expiration", amount: -block.remaining, description: "credits expired" });
          }
          walletLedger.setBlockStatus(block, "expired");
        }
        if (lapsed.length > 0) {
          const amount = lapsed.reduce((sum, block) => sum + BigInt(block.amount), 0n).toString();
          walletLedger.tell({
            type: "credits.expired",
            operationId: operation.id,
            payload: { amount, blocks: lapsed, operationId: operation.id },
          });
        }
      },
    );
    entriesWritten += result.entries.length;
  }
  return { walletsSwept: due.length, entriesWritten };
}

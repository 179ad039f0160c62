// Releasing and capturing the credits of a hold. A hold moved credits out of its blocks with
// pending `hold` entries; resolving it writes `hold_release` entries that put them all back and,
// for a capture, `capture` entries that take the captured part from the same blocks in the same
// order. So a hold's entries always sum to minus what was captured.
import type { Hold, LedgerEntry, Operation } from "../db/generated/client.ts";
import { holdExpiredPayload } from "./events.ts";
import { minBigInt } from "./money.ts";
import { hashRequest } from "./request-hash.ts";
import type { WalletLedger } from "./wallet-ledger.ts";

/** The `hold` entries of a hold, in the order they reserved credits. */
export async function heldEntries(walletLedger: WalletLedger, hold: Hold): Promise<LedgerEntry[]> {
  return walletLedger.tx.ledgerEntry.findMany({ where: { holdId: hold.id, type: "hold" }, orderBy: { sequence: "asc" } });
}

/** Puts every credit of an open hold back into the blocks it came from. */
export async function releaseHeldCredits(
  walletLedger: WalletLedger,
  operation: Operation,
  hold: Hold,
  description: string,
): Promise<LedgerEntry[]> {
  const held = await heldEntries(walletLedger, hold);
  const blocks = await walletLedger.blocksById(held.flatMap((entry) => (entry.blockId ? [entry.blockId] : [])));
  return held.map((entry) =>
    walletLedger.append(operation, { block: blocks.get(entry.blockId!)!, type: "hold_release", amount: -entry.amount, hold, description }),
  );
}

/** Releases the hold and takes `amount` from its blocks in the order they were held. */
export async function captureHeldCredits(
  walletLedger: WalletLedger,
  operation: Operation,
  hold: Hold,
  amount: bigint,
  description: string | null,
): Promise<void> {
  const released = await releaseHeldCredits(walletLedger, operation, hold, "hold released for capture");
  const blocks = await walletLedger.blocksById(released.map((entry) => entry.blockId!));
  let left = amount;
  for (const entry of released) {
    const take = minBigInt(entry.amount, left);
    if (take === 0n) break;
    walletLedger.append(operation, { block: blocks.get(entry.blockId!)!, type: "capture", amount: -take, hold, description });
    left -= take;
  }
}

/**
 * Holds past their expiry release themselves: each command releases the wallet's lapsed holds
 * (status `expired`) before it runs, and the expiry sweep does the same for idle wallets.
 */
export async function releaseExpiredHolds(walletLedger: WalletLedger): Promise<number> {
  const lapsed = await walletLedger.tx.hold.findMany({
    where: { walletId: walletLedger.wallet.id, status: "open", expiresAt: { lte: walletLedger.now } },
    orderBy: { createdAt: "asc" },
  });
  for (const found of lapsed) {
    const hold = walletLedger.trackHold(found);
    const operation = walletLedger.beginOperation({
      type: "release",
      requestHash: hashRequest("release", walletLedger.wallet.id, { holdId: hold.id, expired: true }),
      holdId: hold.id,
      reference: hold.reference,
    });
    await releaseHeldCredits(walletLedger, operation, hold, "hold expired");
    walletLedger.resolveHold(hold, "expired");
    walletLedger.tell({ type: "hold.expired", operationId: operation.id, payload: holdExpiredPayload(hold, operation.id) });
  }
  return lapsed.length;
}

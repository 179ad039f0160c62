// Capture and release: the two ways an open hold ends (the third, expiry, is in holds.ts).
import type { Hold } from "../../db/generated/client.ts";
import { walletsInScope } from "../access.ts";
import type { LedgerContext, Scope } from "../context.ts";
import { CaptureExceedsHoldError, HoldNotOpenError, NotFoundError } from "../errors.ts";
import { captureHeldCredits, releaseHeldCredits } from "../holds.ts";
import { validText } from "../input.ts";
import { parseMinorUnits, requirePositive } from "../money.ts";
import { requireId, runWalletCommand } from "../transaction.ts";
import type { LedgerResult, WalletLedger } from "../wallet-ledger.ts";

export interface CaptureHoldInput {
  scope: Scope;
  holdId: string;
  /** Default the whole hold; the rest is released. */
  amount?: bigint | null;
  description?: string | null;
  idempotencyKey?: string | null;
}

export interface ReleaseHoldInput {
  scope: Scope;
  holdId: string;
  description?: string | null;
  idempotencyKey?: string | null;
}

/**
 * Spends all or part of a hold from the blocks it reserved; the rest returns to them.
 * Fails with HoldNotOpenError (already captured, released or expired), CaptureExceedsHoldError,
 * NotFoundError, ValidationError and IdempotencyConflictError.
 */
export async function captureHold(ctx: LedgerContext, input: CaptureHoldInput): Promise<LedgerResult> {
  const amount = input.amount == null ? null : requirePositive(parseMinorUnits(input.amount, "amount"), "amount");
  const description = validText(input.description, "description");
  const walletId = await walletOfHold(ctx, input.scope, input.holdId);
  const request = { holdId: input.holdId, amount, description };
  return runWalletCommand(ctx, { ...input, walletId, type: "capture", request }, async (walletLedger, operation) => {
    const hold = await openHold(walletLedger, input.holdId);
    operation.holdId = hold.id;
    operation.reference = hold.reference;
    const captured = amount ?? hold.amount;
    if (captured > hold.amount) throw new CaptureExceedsHoldError(hold.id, captured, hold.amount);
    await captureHeldCredits(walletLedger, operation, hold, captured, description);
    walletLedger.resolveHold(hold, "captured", captured);
  });
}

/**
 * Returns every credit of an open hold to its blocks.
 * Fails with HoldNotOpenError, NotFoundError and IdempotencyConflictError.
 */
export async function releaseHold(ctx: LedgerContext, input: ReleaseHoldInput): Promise<LedgerResult> {
  const description = validText(input.description, "description");
  const walletId = await walletOfHold(ctx, input.scope, input.holdId);
  const request = { holdId: input.holdId, description };
  return runWalletCommand(ctx, { ...input, walletId, type: "release", request }, async (walletLedger, operation) => {
    const hold = await openHold(walletLedger, input.holdId);
    operation.holdId = hold.id;
    operation.reference = hold.reference;
    await releaseHeldCredits(walletLedger, operation, hold, description ?? "hold released");
    walletLedger.resolveHold(hold, "released");
  });
}

async function walletOfHold(ctx: LedgerContext, scope: Scope, holdId: string): Promise<string> {
  requireId(holdId, "Hold");
  const hold = await ctx.prisma.hold.findFirst({
    where: { id: holdId, wallet: walletsInScope(scope) },
    select: { walletId: true },
  });
  if (!hold) throw new NotFoundError("Hold", holdId);
  return hold.walletId;
}

/** Re-reads the hold under the wallet lock: its status may have changed since it was found. */
async function openHold(walletLedger: WalletLedger, holdId: string): Promise<Hold> {
  const hold = walletLedger.trackHold(await walletLedger.tx.hold.findUniqueOrThrow({ where: { id: holdId } }));
  if (hold.status !== "open") throw new HoldNotOpenError(hold.id, hold.status);
  return hold;
}

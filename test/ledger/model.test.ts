// Random sequences of commands against a reference model small enough to be obviously right:
// the wallet's spendable credits, its overdraft and its open holds, as plain numbers.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { walletBalance } from "../../src/ledger/balances.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { holdCredits } from "../../src/ledger/commands/hold.ts";
import { refund } from "../../src/ledger/commands/refund.ts";
import { captureHold, releaseHold } from "../../src/ledger/commands/resolve-hold.ts";
import { voidCredits } from "../../src/ledger/commands/void-credits.ts";
import { LedgerError } from "../../src/ledger/errors.ts";
import { verifyLedger } from "../../src/ledger/verify.ts";
import { useLedger } from "../support/ledger.ts";

const ledger = useLedger();

type Command =
  | { kind: "deposit"; amount: number; priority: number }
  | { kind: "debit"; amount: number }
  | { kind: "hold"; amount: number }
  | { kind: "capture"; pick: number; amount: number }
  | { kind: "release"; pick: number }
  | { kind: "void"; amount: number }
  | { kind: "refund"; pick: number; amount: number };

const amount = fc.integer({ min: 1, max: 60 });
const pick = fc.nat({ max: 20 });
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant("deposit" as const), amount, priority: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant("debit" as const), amount }),
  fc.record({ kind: fc.constant("hold" as const), amount }),
  fc.record({ kind: fc.constant("capture" as const), pick, amount }),
  fc.record({ kind: fc.constant("release" as const), pick }),
  fc.record({ kind: fc.constant("void" as const), amount }),
  fc.record({ kind: fc.constant("refund" as const), pick, amount }),
);

interface Model {
  spendable: bigint;
  overdraft: bigint;
  holds: { id: string; amount: bigint; open: boolean }[];
  /** Spends that can be refunded; the overdrawn part is the last drawn, so refunded first. */
  spends: { operationId: string; left: bigint; overdrawnLeft: bigint }[];
}

/** Applies a command to the model; returns false when the ledger must refuse it. */
function applyToModel(model: Model, step: Command, limit: bigint): boolean {
  const amount = "amount" in step ? BigInt(step.amount) : 0n;
  switch (step.kind) {
    case "deposit": {
      const repaid = amount < model.overdraft ? amount : model.overdraft;
      model.overdraft -= repaid;
      model.spendable += amount - repaid;
      return true;
    }
    case "debit": {
      const shortfall = amount > model.spendable ? amount - model.spendable : 0n;
      if (shortfall > limit - model.overdraft) return false;
      model.spendable -= amount - shortfall;
      model.overdraft += shortfall;
      return true;
    }
    case "hold":
    case "void":
      if (amount > model.spendable) return false;
      model.spendable -= amount;
      return true;
    case "capture": {
      const hold = model.holds[step.pick % Math.max(model.holds.length, 1)];
      if (!hold || !hold.open || amount > hold.amount) return false;
      hold.open = false;
      model.spendable += hold.amount - amount;
      return true;
    }
    case "release": {
      const hold = model.holds[step.pick % Math.max(model.holds.length, 1)];
      if (!hold || !hold.open) return false;
      hold.open = false;
      model.spendable += hold.amount;
      return true;
    }
    case "refund": {
      const spend = model.spends[step.pick % Math.max(model.spends.length, 1)];
      if (!spend || amount > spend.left) return false;
      const fromOverdraft = amount < spend.overdrawnLeft ? amount : spend.overdrawnLeft;
      const repaid = fromOverdraft < model.overdraft ? fromOverdraft : model.overdraft;
      model.overdraft -= repaid;
      model.spendable += amount - repaid;
      spend.left -= amount;
      spend.overdrawnLeft -= fromOverdraft;
      return true;
    }
  }
}

async function applyToLedger(model: Model, walletId: string, step: Command) {
  const { ctx, scope } = ledger;
  const amount = "amount" in step ? BigInt(step.amount) : 0n;
  switch (step.kind) {
    case "deposit":
      return deposit(ctx, { scope, walletId, amount, priority: step.priority });
    case "debit":
      return debit(ctx, { scope, walletId, amount });
    case "hold":
      return holdCredits(ctx, { scope, walletId, amount });
    case "void":
      return voidCredits(ctx, { scope, walletId, amount });
    case "capture": {
      const hold = model.holds[step.pick % Math.max(model.holds.length, 1)];
      if (!hold) return null;
      return captureHold(ctx, { scope, holdId: hold.id, amount });
    }
    case "release": {
      const hold = model.holds[step.pick % Math.max(model.holds.length, 1)];
      if (!hold) return null;
      return releaseHold(ctx, { scope, holdId: hold.id });
    }
    case "refund": {
      const spend = model.spends[step.pick % Math.max(model.spends.length, 1)];
      if (!spend) return null;
      return refund(ctx, { scope, operationId: spend.operationId, amount });
    }
  }
}

describe("the ledger against a reference model", () => {
  it("agrees on every outcome and balance, and keeps its invariants", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), fc.constantFrom(0n, 50n), async (steps, limit) => {
        const wallet = await ledger.newWallet({ overdraftLimit: limit });
        const model: Model = { spendable: 0n, overdraft: 0n, holds: [], spends: [] };
        for (const step of steps) {
          const before = structuredClone(model);
          const expected = applyToModel(model, step, limit);
          const outcome = await applyToLedger(before, wallet.id, step).then(
            (result) => ({ ok: result !== null, result }),
            (error: unknown) => {
              if (!(error instanceof LedgerError)) throw error;
              return { ok: false, result: null };
            },
          );
          expect(outcome.ok, `${step.kind} ${JSON.stringify(step)}`).toBe(expected);
          if (outcome.result && step.kind === "hold")
            model.holds.push({ id: outcome.result.hold!.id, amount: BigInt(step.amount), open: true });
          if (outcome.result && (step.kind === "debit" || step.kind === "capture")) {
            const overdrawn = step.kind === "debit" && BigInt(step.amount) > before.spendable ? BigInt(step.amount) - before.spendable : 0n;
            model.spends.push({ operationId: outcome.result.operation.id, left: BigInt(step.amount), overdrawnLeft: overdrawn });
          }
          const balance = await walletBalance(ledger.ctx, ledger.scope, wallet.id);
          // What a debit answers with is what a read just after it finds.
          if (outcome.result?.balance) expect({ ...outcome.result.balance, at: balance.at }).toEqual(balance);
          const frozen = model.holds.filter((hold) => hold.open).reduce((sum, hold) => sum + hold.amount, 0n);
          expect({ available: balance.available, frozen: balance.frozen, overdraft: balance.overdraftUsed }).toEqual({
            available: model.spendable - model.overdraft,
            frozen,
            overdraft: model.overdraft,
          });
        }
        expect(await verifyLedger(ledger.db.prisma)).toEqual([]);
      }),
      { numRuns: 30 },
    );
  });
});

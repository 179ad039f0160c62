// Balances come from stored figures: the blocks' own now, each block's last entry before a past
// instant. Random histories (every kind of movement, effective and expiry windows, the sweep,
// and clocks that step back as a lagging gateway's would) hold both to a full replay of the
// entries at every instant that matters: now, each entry's time and the milliseconds around it,
// the windows' edges, and before the wallet had anything.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { walletBalance } from "../../src/ledger/balances.ts";
import { amendBlock } from "../../src/ledger/commands/amend-block.ts";
import { changeBlockExpiry } from "../../src/ledger/commands/change-block-expiry.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { expireCredits } from "../../src/ledger/commands/expire-credits.ts";
import { holdCredits } from "../../src/ledger/commands/hold.ts";
import { refund } from "../../src/ledger/commands/refund.ts";
import { captureHold, releaseHold } from "../../src/ledger/commands/resolve-hold.ts";
import { voidCredits } from "../../src/ledger/commands/void-credits.ts";
import { LedgerError } from "../../src/ledger/errors.ts";
import { countLedgerEntries } from "../../src/ledger/queries.ts";
import { verifyLedger } from "../../src/ledger/verify.ts";
import { comparable, loadHistory, replayBalance, type History } from "../support/balance-replay.ts";
import { HOUR, useLedger } from "../support/ledger.ts";

const ledger = useLedger();

type Step =
  | { kind: "deposit"; amount: number; priority: number; category: string; startsIn: number; lastsFor: number | null }
  | { kind: "debit"; amount: number; promoOnly: boolean }
  | { kind: "hold"; amount: number; lastsFor: number | null }
  | { kind: "capture"; pick: number; amount: number }
  | { kind: "release"; pick: number }
  | { kind: "void"; amount: number }
  | { kind: "refund"; pick: number; amount: number }
  | { kind: "amend"; pick: number; amount: number }
  | { kind: "changeExpiry"; pick: number; lastsFor: number | null }
  | { kind: "sweep" }
  | { kind: "wait"; ms: number }
  | { kind: "lag"; ms: number };

const amount = fc.integer({ min: 1, max: 40 });
const pick = fc.nat({ max: 20 });
const hours = (max: number) => fc.integer({ min: 1, max }).map((n) => n * HOUR);
const sometimes = <T>(rare: fc.Arbitrary<T>, usual: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: usual, weight: 3 }, { arbitrary: rare, weight: 1 });
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant("deposit" as const),
      amount: fc.integer({ min: 10, max: 100 }),
      priority: fc.integer({ min: 0, max: 2 }),
      category: fc.constantFrom("paid", "promo"),
      startsIn: sometimes(hours(6), fc.constant(0)),
      lastsFor: fc.oneof(fc.constant(null), hours(48)),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({ kind: fc.constant("debit" as const), amount, promoOnly: sometimes(fc.constant(true), fc.constant(false)) }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant("hold" as const), amount, lastsFor: fc.oneof(fc.constant(null), hours(12)) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("capture" as const), pick, amount }), weight: 2 },
  fc.record({ kind: fc.constant("release" as const), pick }),
  fc.record({ kind: fc.constant("void" as const), amount }),
  { arbitrary: fc.record({ kind: fc.constant("refund" as const), pick, amount }), weight: 3 },
  fc.record({ kind: fc.constant("amend" as const), pick, amount: fc.integer({ min: -30, max: 30 }).filter((n) => n !== 0) }),
  fc.record({ kind: fc.constant("changeExpiry" as const), pick, lastsFor: fc.oneof(fc.constant(null), hours(24)) }),
  fc.record({ kind: fc.constant("sweep" as const) }),
  { arbitrary: fc.record({ kind: fc.constant("wait" as const), ms: sometimes(hours(12), fc.integer({ min: 1, max: 5 })) }), weight: 4 },
  // A gateway whose clock is behind the one that wrote the latest entry.
  fc.record({ kind: fc.constant("lag" as const), ms: fc.integer({ min: 1, max: 2_000 }) }),
);

interface Picks {
  holds: string[];
  spends: string[];
}

async function apply(walletId: string, picks: Picks, step: Step): Promise<void> {
  const { ctx, scope, clock, db } = ledger;
  const chosen = <T>(list: T[], index: number) => list[index % Math.max(list.length, 1)];
  const blockAt = async (index: number) => {
    const blocks = await db.prisma.creditBlock.findMany({
      where: { walletId },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { id: true },
    });
    return chosen(blocks, index)?.id;
  };
  const later = (ms: number | null) => (ms === null ? null : new Date(clock.now().getTime() + ms));
  switch (step.kind) {
    case "deposit": {
      const effectiveAt = new Date(clock.now().getTime() + step.startsIn);
      const expiresAt = step.lastsFor === null ? null : new Date(effectiveAt.getTime() + step.lastsFor);
      await deposit(ctx, {
        scope,
        walletId,
        amount: BigInt(step.amount),
        priority: step.priority,
        category: step.category,
        effectiveAt,
        expiresAt,
      });
      return;
    }
    case "debit": {
      const result = await debit(ctx, { scope, walletId, amount: BigInt(step.amount), categories: step.promoOnly ? ["promo"] : null });
      picks.spends.push(result.operation.id);
      return;
    }
    case "hold": {
      const result = await holdCredits(ctx, { scope, walletId, amount: BigInt(step.amount), expiresAt: later(step.lastsFor) });
      picks.holds.push(result.hold!.id);
      return;
    }
    case "capture": {
      const holdId = chosen(picks.holds, step.pick);
      if (!holdId) return;
      const result = await captureHold(ctx, { scope, holdId, amount: BigInt(step.amount) });
      picks.spends.push(result.operation.id);
      return;
    }
    case "release": {
      const holdId = chosen(picks.holds, step.pick);
      if (holdId) await releaseHold(ctx, { scope, holdId });
      return;
    }
    case "void":
      await voidCredits(ctx, { scope, walletId, amount: BigInt(step.amount) });
      return;
    case "refund": {
      const operationId = chosen(picks.spends, step.pick);
      if (operationId) await refund(ctx, { scope, operationId, amount: BigInt(step.amount) });
      return;
    }
    case "amend": {
      const blockId = await blockAt(step.pick);
      if (blockId) await amendBlock(ctx, { scope, blockId, amount: BigInt(step.amount) });
      return;
    }
    case "changeExpiry": {
      const blockId = await blockAt(step.pick);
      if (blockId) await changeBlockExpiry(ctx, { scope, blockId, expiresAt: later(step.lastsFor) });
      return;
    }
    case "sweep":
      await expireCredits(ctx);
      return;
    case "wait":
      clock.advance(step.ms);
      return;
    case "lag":
      clock.advance(-step.ms);
      return;
  }
}

/** Every instant where a balance can change, the milliseconds either side, and the wallet's start. */
function instantsThatMatter({ entries, blocks }: History, created: Date): Date[] {
  const edges = [
    created,
    ...entries.map((entry) => entry.createdAt),
    ...blocks.flatMap((block) => [block.createdAt, block.effectiveAt, block.expiresAt ?? block.createdAt]),
  ];
  const times = new Set(edges.flatMap((edge) => [edge.getTime() - 1, edge.getTime(), edge.getTime() + 1]));
  return [...times].sort((a, b) => a - b).map((time) => new Date(time));
}

describe("balances from stored figures", () => {
  it("equal a full replay of the entries, now and at every past instant", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 5, maxLength: 30, size: "max" }),
        fc.constantFrom(0n, 40n),
        async (steps, overdraftLimit) => {
          const wallet = await ledger.newWallet({ overdraftLimit });
          const picks: Picks = { holds: [], spends: [] };
          for (const each of steps) {
            await apply(wallet.id, picks, each).catch((error: unknown) => {
              if (!(error instanceof LedgerError)) throw error;
            });
          }
          const { ctx, scope, db, clock } = ledger;
          // A clock that lags the latest entry still counts it now (see the test below); caught up,
          // "now" is an instant like any other.
          const { lastEntryAt } = await db.prisma.wallet.findUniqueOrThrow({ where: { id: wallet.id } });
          if (lastEntryAt && lastEntryAt > clock.now()) clock.set(lastEntryAt);
          const history = await loadHistory(db.prisma, wallet.id);
          const now = comparable(await walletBalance(ctx, scope, wallet.id));
          expect(now, "now").toEqual(replayBalance(history, ctx.now()));
          for (const instant of instantsThatMatter(history, wallet.createdAt)) {
            const past = comparable(await walletBalance(ctx, scope, wallet.id, instant));
            expect(past, instant.toISOString()).toEqual(replayBalance(history, instant));
          }
          expect(await countLedgerEntries(ctx, scope, wallet.id)).toBe(
            await db.prisma.ledgerEntry.count({ where: { walletId: wallet.id } }),
          );
          expect(await verifyLedger(db.prisma)).toEqual([]);
        },
      ),
      { numRuns: 30 },
    );
  }, 180_000);

  it("counts a refund into a block that a refund opened as credits granted, at every instant, as the replay does", async () => {
    const { ctx, scope, clock, db } = ledger;
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 100n, { expiresAt: new Date(clock.now().getTime() + HOUR) });
    const first = await debit(ctx, { scope, walletId: wallet.id, amount: 40n });
    clock.advance(2 * HOUR);
    // The first block has expired: the refund opens a block of its own.
    const reopened = await refund(ctx, { scope, operationId: first.operation.id });
    expect(reopened.blocks.map((block) => block.source)).toEqual(["refund"]);
    clock.advance(1);
    const second = await debit(ctx, { scope, walletId: wallet.id, amount: 30n });
    clock.advance(1);
    await refund(ctx, { scope, operationId: second.operation.id, amount: 10n });
    const balance = await walletBalance(ctx, scope, wallet.id);
    expect(balance.blocks.find((block) => block.block.source === "refund")).toMatchObject({
      total: 50n,
      used: 30n,
      frozen: 0n,
      available: 20n,
    });
    const history = await loadHistory(db.prisma, wallet.id);
    expect(comparable(balance)).toEqual(replayBalance(history, clock.now()));
    for (const instant of instantsThatMatter(history, wallet.createdAt)) {
      expect(comparable(await walletBalance(ctx, scope, wallet.id, instant)), instant.toISOString()).toEqual(
        replayBalance(history, instant),
      );
    }
  });

  it("stamps entries written by a lagging clock at the latest entry's time, and counts them now", async () => {
    const { ctx, scope, clock } = ledger;
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 100n);
    clock.advance(10_000);
    await ledger.fund(wallet.id, 50n);
    const latest = clock.now();
    clock.advance(-5_000);
    const lagging = await debit(ctx, { scope, walletId: wallet.id, amount: 30n });
    expect(lagging.entries.map((entry) => entry.createdAt)).toEqual([latest]);
    // Before the latest entry's time only the first deposit counts; from it, everything.
    expect(await walletBalance(ctx, scope, wallet.id, new Date(latest.getTime() - 1))).toMatchObject({
      total: 100n,
      used: 0n,
      available: 100n,
    });
    expect(await walletBalance(ctx, scope, wallet.id, latest)).toMatchObject({ total: 150n, used: 30n, available: 120n });
    // Now, by the lagging clock: the debit it just wrote counts, the second deposit is not effective yet.
    expect(await walletBalance(ctx, scope, wallet.id)).toMatchObject({ total: 100n, used: 30n, available: 70n, ledgerBalance: 120n });
    clock.set(latest);
  });
});

// ledger_debit's answer against its typed contract (src/ledger/debit-answer.ts): a real answer of
// every outcome, from the function itself on a real database, parses into typed values that say
// what the database holds; an answer outside the contract fails, naming the field.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { holdCredits } from "../../src/ledger/commands/hold.ts";
import { terminateWallet } from "../../src/ledger/commands/terminate-wallet.ts";
import { debitAnswerFrom, type DebitAnswer } from "../../src/ledger/debit-answer.ts";
import { HOUR, useLedger } from "../support/ledger.ts";

const ledger = useLedger();

interface DebitCall {
  walletId: string;
  amount: bigint;
  categories?: string[] | null;
  idempotencyKey?: string | null;
  reference?: string | null;
}

/** What ledger_debit answers, as it answers it: untyped jsonb. */
async function ledgerDebit(call: DebitCall): Promise<unknown> {
  const { tenantId, livemode } = ledger.scope;
  const [row] = await ledger.db.prisma.$queryRaw<{ result: unknown }[]>`
    SELECT ledger_debit(${tenantId}::uuid, ${livemode}, ${call.walletId}::uuid, ${call.amount}::bigint, ${call.categories ?? null}::text[],
                        ${null}::text, ${ledger.clock.now()}::timestamptz, ${call.idempotencyKey ?? null}, ${"request-hash"}, ${call.reference ?? null},
                        ${null}::text, ${JSON.stringify({ order: 7 })}::jsonb) AS result`;
  return row!.result;
}

function expectOutcome<Outcome extends DebitAnswer["outcome"]>(
  answer: DebitAnswer,
  outcome: Outcome,
): Extract<DebitAnswer, { outcome: Outcome }> {
  expect(answer.outcome).toBe(outcome);
  return answer as Extract<DebitAnswer, { outcome: Outcome }>;
}

describe("ledger_debit's answer, parsed by its contract", () => {
  it("debited: the operation, wallet, entries, blocks and events as the database holds them, amounts as bigint", async () => {
    const wallet = await ledger.newWallet({ overdraftLimit: 5n });
    await ledger.fund(wallet.id, 4n, { category: "paid", costBasis: "0.5" });
    await ledger.fund(wallet.id, 3n, { category: "promo", expiresAt: new Date(ledger.clock.now().getTime() + 48 * HOUR) });
    ledger.clock.advance(HOUR);

    // 7 from the blocks and 2 on the overdraft: the overdraft's entry has no block, and the
    // wallet, left below zero, tells balance.depleted besides operation.completed.
    const answer = expectOutcome(
      debitAnswerFrom(await ledgerDebit({ walletId: wallet.id, amount: 9n, idempotencyKey: "order-9", reference: "order-9" })),
      "debited",
    );
    const prisma = ledger.db.prisma;

    expect(answer.operation).toEqual(await prisma.operation.findUniqueOrThrow({ where: { id: answer.operation.id } }));
    expect(answer.wallet).toEqual(await prisma.wallet.findUniqueOrThrow({ where: { id: wallet.id } }));
    expect(answer.wallet.balance).toBe(-2n);
    expect(answer.entries).toEqual(
      await prisma.ledgerEntry.findMany({ where: { operationId: answer.operation.id }, orderBy: { sequence: "asc" } }),
    );
    expect(answer.entries.map((entry) => [entry.amount, entry.blockId === null])).toEqual([
      [-3n, false],
      [-4n, false],
      [-2n, true],
    ]);
    const blocks = await prisma.creditBlock.findMany({ where: { walletId: wallet.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    expect(answer.walletBlocks).toEqual(blocks);
    expect(answer.blocks.map((block) => block.id)).toEqual([blocks[1]!.id, blocks[0]!.id]);
    const events = await prisma.event.findMany({ where: { operationId: answer.operation.id }, orderBy: { sequence: "asc" } });
    expect(answer.events).toEqual(events.map(({ id, walletId, sequence, type }) => ({ id, walletId, sequence, type })));
    expect(answer.events.map((event) => event.type)).toEqual(["operation.completed", "balance.depleted"]);
  });

  it("replay: the earlier operation's id, for a key the tenant has used", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 10n);
    const first = expectOutcome(debitAnswerFrom(await ledgerDebit({ walletId: wallet.id, amount: 1n, idempotencyKey: "once" })), "debited");
    const again = expectOutcome(debitAnswerFrom(await ledgerDebit({ walletId: wallet.id, amount: 1n, idempotencyKey: "once" })), "replay");
    expect(again).toEqual({ outcome: "replay", operationId: first.operation.id });
  });

  it("insufficient: what the wallet could spend, as bigint", async () => {
    const wallet = await ledger.newWallet({ overdraftLimit: 5n });
    await ledger.fund(wallet.id, 10n, { category: "paid" });
    await ledger.fund(wallet.id, 2n, { category: "promo" });
    expect(debitAnswerFrom(await ledgerDebit({ walletId: wallet.id, amount: 100n }))).toEqual({ outcome: "insufficient", available: 17n });
    // Limited to categories, a debit has no overdraft room.
    expect(debitAnswerFrom(await ledgerDebit({ walletId: wallet.id, amount: 100n, categories: ["paid"] }))).toEqual({
      outcome: "insufficient",
      available: 10n,
    });
  });

  it("not_found: no such wallet in the tenant and mode", async () => {
    expect(debitAnswerFrom(await ledgerDebit({ walletId: randomUUID(), amount: 1n }))).toEqual({ outcome: "not_found" });
  });

  it("terminated: a wallet closed for good", async () => {
    const wallet = await ledger.newWallet();
    await terminateWallet(ledger.ctx, { scope: ledger.scope, walletId: wallet.id });
    expect(debitAnswerFrom(await ledgerDebit({ walletId: wallet.id, amount: 1n }))).toEqual({ outcome: "terminated" });
  });

  it("lapsed_holds: a wallet with an open hold past its expiry", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 10n);
    await holdCredits(ledger.ctx, {
      scope: ledger.scope,
      walletId: wallet.id,
      amount: 4n,
      expiresAt: new Date(ledger.clock.now().getTime() + HOUR),
    });
    ledger.clock.advance(2 * HOUR);
    expect(debitAnswerFrom(await ledgerDebit({ walletId: wallet.id, amount: 1n }))).toEqual({ outcome: "lapsed_holds" });
  });

  it("fails on an answer outside the contract, naming the field", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 10n);
    const answer = (await ledgerDebit({ walletId: wallet.id, amount: 1n })) as {
      wallet: Record<string, unknown>;
      entries: Record<string, unknown>[];
    };

    expect(() => debitAnswerFrom({ ...answer, wallet: { ...answer.wallet, balance: 9 } })).toThrow(/wallet\.balance/);
    const { sequence: _, ...withoutSequence } = answer.entries[0]!;
    expect(() => debitAnswerFrom({ ...answer, entries: [withoutSequence] })).toThrow(/entries\[0\]\.sequence/);
    expect(() => debitAnswerFrom({ ...answer, wallet: { ...answer.wallet, status: "frozen" } })).toThrow(/wallet\.status/);
    expect(() => debitAnswerFrom({ outcome: "insufficient", available: "1.5" })).toThrow(/available/);
    expect(() => debitAnswerFrom({ outcome: "overdrawn" })).toThrow(/outcome/);
  });
});

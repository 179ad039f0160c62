// Money behind a deposit going back to the payer: what is left is voided, what is gone is
// recorded as unrecovered, and running totals make repeats and reorderings add up once.
import { describe, expect, it } from "vitest";
import { walletBalance } from "../../src/ledger/balances.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { holdCredits } from "../../src/ledger/commands/hold.ts";
import { reverseDeposit } from "../../src/ledger/commands/reverse-deposit.ts";
import { useLedger } from "../support/ledger.ts";

const ledger = useLedger();

async function depositOf(walletId: string, amount: bigint) {
  return (await deposit(ledger.ctx, { scope: ledger.scope, walletId, amount, category: "paid" })).operation.id;
}

const reverse = (walletId: string, depositOperationId: string, reversedTotal: bigint) =>
  reverseDeposit(ledger.ctx, { scope: ledger.scope, walletId, depositOperationId, reversedTotal, reference: "ch_test" });

const available = async (walletId: string) => (await walletBalance(ledger.ctx, ledger.scope, walletId)).available;

describe("reverseDeposit", () => {
  it("voids the unspent part and records the spent part, once per running total", async () => {
    const wallet = await ledger.newWallet();
    const paid = await depositOf(wallet.id, 1_000n);
    await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 700n });

    const first = await reverse(wallet.id, paid, 200n);
    expect(first.reversal).toMatchObject({ amount: 200n, voided: 200n, unrecovered: 0n, reversedTotal: 200n });
    expect(first.result!.entries).toMatchObject([{ type: "void", amount: -200n, metadata: { void_reason: "refund" } }]);

    const second = await reverse(wallet.id, paid, 1_000n);
    expect(second.reversal).toMatchObject({ amount: 800n, voided: 100n, unrecovered: 700n });
    expect(await reverse(wallet.id, paid, 1_000n)).toEqual({ reversal: null, result: null });
    expect(await reverse(wallet.id, paid, 200n)).toEqual({ reversal: null, result: null });
    expect(await available(wallet.id)).toBe(0n);
  });

  it("counts held credits and an overdraft the deposit repaid as unrecovered", async () => {
    const wallet = await ledger.newWallet({ overdraftLimit: 300n });
    await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 300n });
    const paid = await depositOf(wallet.id, 1_000n);
    await holdCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 200n });

    const { reversal } = await reverse(wallet.id, paid, 1_000n);
    expect(reversal).toMatchObject({ amount: 1_000n, voided: 500n, unrecovered: 500n });
    expect(await available(wallet.id)).toBe(0n);
  });

  it("applies concurrent notices for one deposit one at a time", async () => {
    const wallet = await ledger.newWallet();
    const paid = await depositOf(wallet.id, 1_000n);
    const outcomes = await Promise.all([300n, 600n, 1_000n, 600n, 300n].map((total) => reverse(wallet.id, paid, total)));
    const applied = outcomes.flatMap((outcome) => (outcome.reversal ? [outcome.reversal.amount] : []));
    expect(applied.reduce((sum, amount) => sum + amount, 0n)).toBe(1_000n);
    expect(await available(wallet.id)).toBe(0n);
  });

  it("knows only deposits of the wallet", async () => {
    const wallet = await ledger.newWallet();
    const other = await ledger.newWallet();
    const paid = await depositOf(other.id, 500n);
    const spent = (await debit(ledger.ctx, { scope: ledger.scope, walletId: other.id, amount: 100n })).operation.id;
    await expect(reverse(wallet.id, paid, 100n)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(reverse(other.id, spent, 100n)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(reverse(other.id, paid, 0n)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });
});

// Figures past what a bigint column holds (2^63 − 1) are refused as ValidationError before
// anything is written: checked where entries are appended, and mapped from PostgreSQL's
// numeric_value_out_of_range should anything still reach it.
import { describe, expect, it } from "vitest";
import { amendBlock } from "../../src/ledger/commands/amend-block.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { refund } from "../../src/ledger/commands/refund.ts";
import { ValidationError } from "../../src/ledger/errors.ts";
import { decimalToMinorUnits, LEDGER_MAX, MAX_MINOR_UNITS, parseMinorUnits } from "../../src/ledger/money.ts";
import { runWalletCommand } from "../../src/ledger/transaction.ts";
import { useLedger } from "../support/ledger.ts";

const ledger = useLedger();

/** A wallet whose balance is exactly LEDGER_MAX, in two blocks. */
async function fullWallet() {
  const wallet = await ledger.newWallet();
  const first = await ledger.fund(wallet.id, MAX_MINOR_UNITS);
  await ledger.fund(wallet.id, LEDGER_MAX - MAX_MINOR_UNITS);
  return { wallet, first };
}

async function snapshot(walletId: string) {
  const { prisma } = ledger.db;
  const [wallet, operations, blocks] = await Promise.all([
    prisma.wallet.findUniqueOrThrow({ where: { id: walletId } }),
    prisma.operation.count({ where: { walletId } }),
    prisma.creditBlock.findMany({ where: { walletId }, orderBy: { id: "asc" } }),
  ]);
  return { balance: wallet.balance, lastSequence: wallet.lastSequence, operations, blocks };
}

async function expectOverflowRefused(attempt: Promise<unknown>) {
  const error = await attempt.then(
    () => null,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).issues).toEqual([{ path: ["amount"], message: expect.stringMatching(/past|overflow/) }]);
}

describe("a balance at the largest figure the ledger holds", () => {
  it("is reached exactly, and a deposit past it is refused, writing nothing", async () => {
    const { wallet } = await fullWallet();
    const before = await snapshot(wallet.id);
    expect(before.balance).toBe(LEDGER_MAX);
    await expectOverflowRefused(deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n }));
    await expectOverflowRefused(
      deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: MAX_MINOR_UNITS, idempotencyKey: "too-much" }),
    );
    expect(await snapshot(wallet.id)).toEqual(before);
    // The refused key was not spent: the same key works for a request that fits.
    await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 10n });
    await deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 10n, idempotencyKey: "too-much" });
  });

  it("refuses an amendment that would take a block or the balance past it", async () => {
    const { wallet, first } = await fullWallet();
    const before = await snapshot(wallet.id);
    await expectOverflowRefused(amendBlock(ledger.ctx, { scope: ledger.scope, blockId: first, amount: 1n }));
    expect(await snapshot(wallet.id)).toEqual(before);
  });

  it("refuses a refund that would take the balance past it after a deposit refilled the wallet", async () => {
    const { wallet } = await fullWallet();
    const spent = await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 5n });
    await ledger.fund(wallet.id, 5n);
    const before = await snapshot(wallet.id);
    await expectOverflowRefused(refund(ledger.ctx, { scope: ledger.scope, operationId: spent.operation.id }));
    expect(await snapshot(wallet.id)).toEqual(before);
  });
});

describe("numeric_value_out_of_range from PostgreSQL", () => {
  it("is answered as a ValidationError by runWalletCommand, for raw and typed queries, and rolls back", async () => {
    const wallet = await ledger.newWallet();
    const before = await snapshot(wallet.id);
    const command = { scope: ledger.scope, walletId: wallet.id, type: "wallet_update" as const, request: {} };
    await expectOverflowRefused(
      runWalletCommand(ledger.ctx, command, async (walletLedger) => {
        await walletLedger.tx.$executeRaw`SELECT 9223372036854775807::bigint + 1`;
      }),
    );
    await expectOverflowRefused(
      runWalletCommand(ledger.ctx, command, async (walletLedger) => {
        await walletLedger.tx.wallet.update({ where: { id: wallet.id }, data: { overdraftLimit: LEDGER_MAX } });
        await walletLedger.tx.wallet.update({ where: { id: wallet.id }, data: { overdraftLimit: { increment: 1n } } });
      }),
    );
    expect(await snapshot(wallet.id)).toEqual(before);
    expect((await ledger.db.prisma.wallet.findUniqueOrThrow({ where: { id: wallet.id } })).overdraftLimit).toBe(0n);
  });
});

describe("amounts in requests", () => {
  it("are at most 2^62 either way", () => {
    expect(parseMinorUnits(`${MAX_MINOR_UNITS}`, "amount")).toBe(MAX_MINOR_UNITS);
    expect(parseMinorUnits(`-${MAX_MINOR_UNITS}`, "amount")).toBe(-MAX_MINOR_UNITS);
    expect(() => parseMinorUnits(`${MAX_MINOR_UNITS + 1n}`, "amount")).toThrow(/out of range/);
    expect(() => parseMinorUnits(MAX_MINOR_UNITS + 1n, "amount")).toThrow(ValidationError);
    expect(() => parseMinorUnits(`${LEDGER_MAX}0`, "amount")).toThrow(/out of range/);
  });

  it("refuse a long run of digits as out of range, before converting it", () => {
    expect(() => parseMinorUnits("9".repeat(200_000), "amount")).toThrow(/out of range/);
    expect(parseMinorUnits(`${"0".repeat(30)}42`, "amount")).toBe(42n);
    expect(() => decimalToMinorUnits(`1${"0".repeat(200_000)}`, 2, "amount")).toThrow(/out of range/);
    expect(decimalToMinorUnits("46116860184273879.04", 2, "amount")).toBe(MAX_MINOR_UNITS);
    expect(() => decimalToMinorUnits("46116860184273879.05", 2, "amount")).toThrow(/out of range/);
  });
});

import { describe, expect, it } from "vitest";
import { debit } from "../../src/ledger/commands/debit.ts";
import { expireCredits } from "../../src/ledger/commands/expire-credits.ts";
import { holdCredits } from "../../src/ledger/commands/hold.ts";
import { walletBalance } from "../../src/ledger/balances.ts";
import { DAY, HOUR, useLedger } from "../support/ledger.ts";

const ledger = useLedger();

describe("expiry", () => {
  it("stops counting credits at their expiry, before any sweep runs", async () => {
    const wallet = await ledger.newWallet();
    const start = ledger.clock.now();
    await ledger.fund(wallet.id, 100n, { category: "promo", expiresAt: new Date(start.getTime() + DAY) });
    await ledger.fund(wallet.id, 40n, { category: "paid" });
    ledger.clock.advance(DAY);
    const balance = await walletBalance(ledger.ctx, ledger.scope, wallet.id);
    expect(balance).toMatchObject({ total: 40n, available: 40n, ledgerBalance: 140n });
    expect(balance.byCategory.map((category) => category.category)).toEqual(["paid"]);
  });

  it("sweeps expired blocks into expiration entries, once", async () => {
    const wallet = await ledger.newWallet();
    const block = await ledger.fund(wallet.id, 100n, { expiresAt: new Date(ledger.clock.now().getTime() + DAY) });
    await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 30n });
    ledger.clock.advance(DAY + HOUR);
    await expireCredits(ledger.ctx);
    const entries = await ledger.db.prisma.ledgerEntry.findMany({ where: { blockId: block, type: "expiration" } });
    expect(entries.map((entry) => entry.amount)).toEqual([-70n]);
    expect(await ledger.db.prisma.creditBlock.findUnique({ where: { id: block } })).toMatchObject({ status: "expired", remaining: 0n });
    const second = await expireCredits(ledger.ctx);
    expect(second).toEqual({ walletsSwept: 0, entriesWritten: 0 });
    expect(await ledger.db.prisma.ledgerEntry.count({ where: { blockId: block, type: "expiration" } })).toBe(1);
  });

  it("releases holds past their expiry on idle wallets", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 100n);
    const { hold } = await holdCredits(ledger.ctx, {
      scope: ledger.scope,
      walletId: wallet.id,
      amount: 60n,
      expiresAt: new Date(ledger.clock.now().getTime() + HOUR),
    });
    ledger.clock.advance(2 * HOUR);
    await expireCredits(ledger.ctx);
    expect(await ledger.db.prisma.hold.findUnique({ where: { id: hold!.id } })).toMatchObject({ status: "expired" });
    expect(await walletBalance(ledger.ctx, ledger.scope, wallet.id)).toMatchObject({ frozen: 0n, available: 100n });
  });
});

describe("balance at a past instant", () => {
  it("replays the ledger up to the instant, with blocks active then", async () => {
    const wallet = await ledger.newWallet();
    const t0 = ledger.clock.now().getTime();
    await ledger.fund(wallet.id, 100n, { category: "promo", expiresAt: new Date(t0 + 2 * DAY) });
    ledger.clock.advance(HOUR);
    await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 30n });
    ledger.clock.advance(HOUR);
    await ledger.fund(wallet.id, 50n, { category: "paid" });
    ledger.clock.advance(3 * DAY);
    const t1 = new Date(t0 + HOUR / 2);
    const t2 = new Date(t0 + (3 * HOUR) / 2);

    expect(await walletBalance(ledger.ctx, ledger.scope, wallet.id, t1)).toMatchObject({ total: 100n, used: 0n, available: 100n });
    expect(await walletBalance(ledger.ctx, ledger.scope, wallet.id, t2)).toMatchObject({ total: 100n, used: 30n, available: 70n });
    const now = await walletBalance(ledger.ctx, ledger.scope, wallet.id);
    expect(now).toMatchObject({ total: 50n, used: 0n, available: 50n });
    expect(now.byCategory).toMatchObject([{ category: "paid", available: 50n }]);
  });
});

import { describe, expect, it } from "vitest";
import { debit } from "../../src/ledger/commands/debit.ts";
import { getOperationResult, listCreditBlocks, listLedgerEntries } from "../../src/ledger/queries.ts";
import { NotFoundError, ValidationError } from "../../src/ledger/errors.ts";
import { HOUR, useLedger } from "../support/ledger.ts";

const ledger = useLedger();

describe("reading the ledger", () => {
  it("pages through entries newest first with a cursor, and filters by type, category and time", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 100n, { category: "promo" });
    await ledger.fund(wallet.id, 100n, { category: "paid" });
    const middle = ledger.clock.advance(HOUR);
    for (let index = 0; index < 3; index += 1) await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 60n });

    const first = await listLedgerEntries(ledger.ctx, ledger.scope, wallet.id, { limit: 3 });
    expect(first.items.map((entry) => entry.sequence)).toEqual([6n, 5n, 4n]);
    const second = await listLedgerEntries(ledger.ctx, ledger.scope, wallet.id, { limit: 3, after: first.nextCursor });
    expect(second.items.map((entry) => entry.sequence)).toEqual([3n, 2n, 1n]);
    expect(second.nextCursor).toBeNull();

    const decrements = await listLedgerEntries(ledger.ctx, ledger.scope, wallet.id, { types: ["decrement"], order: "asc" });
    expect(decrements.items.map((entry) => entry.amount)).toEqual([-60n, -40n, -20n, -60n]);
    const promo = await listLedgerEntries(ledger.ctx, ledger.scope, wallet.id, { category: "promo" });
    expect(promo.items).toHaveLength(3);
    const before = await listLedgerEntries(ledger.ctx, ledger.scope, wallet.id, { createdBefore: middle });
    expect(before.items.map((entry) => entry.type)).toEqual(["increment", "increment"]);
  });

  it("lists blocks oldest first, by status and category", async () => {
    const wallet = await ledger.newWallet();
    const promo = await ledger.fund(wallet.id, 10n, { category: "promo" });
    const paid = await ledger.fund(wallet.id, 10n, { category: "paid" });
    const all = await listCreditBlocks(ledger.ctx, ledger.scope, wallet.id, { limit: 1 });
    expect(all.items.map((block) => block.id)).toEqual([promo]);
    const next = await listCreditBlocks(ledger.ctx, ledger.scope, wallet.id, { limit: 1, after: all.nextCursor });
    expect(next).toMatchObject({ items: [{ id: paid }], nextCursor: null });
    expect((await listCreditBlocks(ledger.ctx, ledger.scope, wallet.id, { category: "paid" })).items.map((block) => block.id)).toEqual([
      paid,
    ]);
  });

  it("returns an operation with what it wrote", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 50n);
    const spent = await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 20n, reference: "order-1" });
    const loaded = await getOperationResult(ledger.ctx, ledger.scope, spent.operation.id);
    expect(loaded.entries).toEqual(spent.entries);
    expect(loaded.blocks.map((block) => block.remaining)).toEqual([30n]);
  });

  it("refuses page sizes beyond the cap and ids of other scopes", async () => {
    const wallet = await ledger.newWallet();
    await expect(listLedgerEntries(ledger.ctx, ledger.scope, wallet.id, { limit: 201 })).rejects.toBeInstanceOf(ValidationError);
    await expect(listLedgerEntries(ledger.ctx, { ...ledger.scope, livemode: false }, wallet.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(listLedgerEntries(ledger.ctx, ledger.scope, "not-a-uuid")).rejects.toBeInstanceOf(NotFoundError);
  });
});

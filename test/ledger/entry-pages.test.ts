import { describe, expect, it } from "vitest";
import { debit } from "../../src/ledger/commands/debit.ts";
import { countWalletEntries, ledgerEntryPages } from "../../src/ledger/entry-pages.ts";
import { ValidationError } from "../../src/ledger/errors.ts";
import { HOUR, useLedger } from "../support/ledger.ts";

const ledger = useLedger();

/** A wallet with a promo and a paid deposit, then `debits` debits of 10 an hour later. */
async function walletWith(debits: number) {
  const wallet = await ledger.newWallet();
  await ledger.fund(wallet.id, 100n, { category: "promo" });
  await ledger.fund(wallet.id, 1000n, { category: "paid" });
  const debitsFrom = ledger.clock.advance(HOUR);
  for (let index = 0; index < debits; index += 1) await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 10n });
  return { id: wallet.id, debitsFrom };
}

const sequences = (pages: Map<string, { sequence: bigint }[]>, walletId: string) =>
  pages.get(walletId)?.map((entry) => entry.sequence) ?? [];

describe("pages of entries of many wallets", () => {
  it("cuts each wallet's page, newest or oldest first, and starts after a cursor of that wallet", async () => {
    const long = await walletWith(12);
    const short = await walletWith(1);
    const empty = await ledger.newWallet();
    const ids = [long.id, short.id, empty.id];

    const newest = await ledgerEntryPages(ledger.ctx, ledger.scope, ids, { order: "desc", limit: 3 });
    expect(sequences(newest, long.id)).toEqual([14n, 13n, 12n]);
    expect(sequences(newest, short.id)).toEqual([3n, 2n, 1n]);
    expect(newest.has(empty.id)).toBe(false);

    const oldest = await ledgerEntryPages(ledger.ctx, ledger.scope, ids, { order: "asc", limit: 2 });
    expect(sequences(oldest, long.id)).toEqual([1n, 2n]);

    const cursor = newest.get(long.id)![2]!.id;
    const next = await ledgerEntryPages(ledger.ctx, ledger.scope, ids, { order: "desc", limit: 2, afterEntryId: cursor });
    expect(sequences(next, long.id)).toEqual([11n, 10n]);
    // Another wallet's entry starts nothing on this one.
    expect(next.has(short.id)).toBe(false);
    const back = await ledgerEntryPages(ledger.ctx, ledger.scope, [long.id], { order: "asc", limit: 5, afterEntryId: cursor });
    expect(sequences(back, long.id)).toEqual([13n, 14n]);
  });

  it("filters by type, category and time, and counts what the filter keeps", async () => {
    const wallet = await walletWith(3);
    const page = (filter: object) => ledgerEntryPages(ledger.ctx, ledger.scope, [wallet.id], { order: "desc", limit: 10, ...filter });
    expect(sequences(await page({ types: ["increment"] }), wallet.id)).toEqual([2n, 1n]);
    // The promo block, the older of two alike, pays every debit.
    expect(sequences(await page({ category: "promo" }), wallet.id)).toEqual([5n, 4n, 3n, 1n]);
    expect(sequences(await page({ createdFrom: wallet.debitsFrom }), wallet.id)).toEqual([5n, 4n, 3n]);
    expect(sequences(await page({ createdBefore: wallet.debitsFrom }), wallet.id)).toEqual([2n, 1n]);
    expect(sequences(await page({ category: "no such category" }), wallet.id)).toEqual([]);
    // Text PostgreSQL could not store names nothing: an empty page rather than an SQL error.
    expect(sequences(await page({ category: "pro\u0000mo" }), wallet.id)).toEqual([]);

    const counts = await countWalletEntries(ledger.ctx, ledger.scope, [wallet.id], { types: ["decrement"] });
    expect(counts.get(wallet.id)).toBe(3);
    expect((await countWalletEntries(ledger.ctx, ledger.scope, [wallet.id], { category: "paid" })).get(wallet.id)).toBe(1);
  });

  it("reads only the fields asked for, and always what places an entry", async () => {
    const wallet = await walletWith(1);
    const pages = await ledgerEntryPages(ledger.ctx, ledger.scope, [wallet.id], { order: "desc", limit: 1 }, ["amount"]);
    expect(pages.get(wallet.id)).toEqual([{ id: expect.any(String), walletId: wallet.id, sequence: 3n, amount: -10n }]);
    const whole = await ledgerEntryPages(ledger.ctx, ledger.scope, [wallet.id], { order: "desc", limit: 1 });
    const stored = await ledger.db.prisma.ledgerEntry.findFirstOrThrow({ where: { walletId: wallet.id, sequence: 3n } });
    expect(whole.get(wallet.id)).toEqual([stored]);
  });

  it("leaves out wallets outside the scope", async () => {
    const wallet = await walletWith(1);
    const otherMode = await ledgerEntryPages(ledger.ctx, { ...ledger.scope, livemode: false }, [wallet.id], { order: "desc", limit: 5 });
    expect(otherMode.size).toBe(0);
    const otherCustomer = await ledgerEntryPages(
      ledger.ctx,
      { ...ledger.scope, customerId: "00000000-0000-4000-8000-000000000000", role: "customer" },
      [wallet.id],
      {
        order: "desc",
        limit: 5,
      },
    );
    expect(otherCustomer.size).toBe(0);
    const wallet2 = await ledger.db.prisma.wallet.findUniqueOrThrow({ where: { id: wallet.id } });
    const ownCustomer = await ledgerEntryPages(
      ledger.ctx,
      { ...ledger.scope, customerId: wallet2.customerId, role: "customer" },
      [wallet.id],
      { order: "desc", limit: 5 },
    );
    expect(sequences(ownCustomer, wallet.id)).toEqual([3n, 2n, 1n]);
    expect((await countWalletEntries(ledger.ctx, { ...ledger.scope, livemode: false }, [wallet.id], { types: ["increment"] })).size).toBe(
      0,
    );
  });

  it("refuses a page size out of range and a cursor that is no entry id", async () => {
    const wallet = await walletWith(0);
    await expect(ledgerEntryPages(ledger.ctx, ledger.scope, [wallet.id], { order: "desc", limit: 0 })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(ledgerEntryPages(ledger.ctx, ledger.scope, [wallet.id], { order: "desc", limit: 202 })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      ledgerEntryPages(ledger.ctx, ledger.scope, [wallet.id], { order: "desc", limit: 5, afterEntryId: "not-an-id" }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});

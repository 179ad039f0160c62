// The JSON that `ledger_debit` answers with is built by SQL functions (`wallet_json()` and its
// siblings); rows.ts decodes it through the same shapes that name the columns of raw reads.
// Both must give exactly the row Prisma reads, field by field.
import { describe, expect, it } from "vitest";
import { debit } from "../../src/ledger/commands/debit.ts";
import { ROW_SHAPES, creditBlockFromJson, ledgerEntryFromJson, walletFromJson } from "../../src/ledger/rows.ts";
import { lockWallet } from "../../src/ledger/transaction.ts";
import { DAY, useLedger } from "../support/ledger.ts";

const ledger = useLedger();

describe("row shapes", () => {
  it("decode the SQL functions' JSON to the rows Prisma reads", async () => {
    const wallet = await ledger.newWallet({ name: "main", metadata: { plan: "pro" }, overdraftLimit: 5n, defaultExpiryDays: 30 });
    await ledger.fund(wallet.id, 10n, { category: "paid", costBasis: "0.125", description: "first", metadata: { a: 1 } });
    const { entries } = await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 12n, reference: "order-1" });
    const prisma = ledger.db.prisma;

    const [json] = await prisma.$queryRaw<
      { wallet: Record<string, unknown>; block: Record<string, unknown>; entry: Record<string, unknown> }[]
    >`
      SELECT wallet_json(w) AS wallet, credit_block_json(b) AS block, ledger_entry_json(e) AS entry
      FROM wallet w JOIN credit_block b ON b.wallet_id = w.id JOIN ledger_entry e ON e.block_id = b.id
      WHERE w.id = ${wallet.id}::uuid AND e.id = ${entries[0]!.id}::uuid`;
    expect(Object.keys(json!.wallet).sort()).toEqual(Object.keys(ROW_SHAPES.wallet).sort());
    expect(Object.keys(json!.block).sort()).toEqual(Object.keys(ROW_SHAPES.creditBlock).sort());
    expect(Object.keys(json!.entry).sort()).toEqual(Object.keys(ROW_SHAPES.ledgerEntry).sort());

    expect(walletFromJson(json!.wallet)).toEqual(await prisma.wallet.findUniqueOrThrow({ where: { id: wallet.id } }));
    expect(creditBlockFromJson(json!.block)).toEqual(await prisma.creditBlock.findFirstOrThrow({ where: { walletId: wallet.id } }));
    expect(ledgerEntryFromJson(json!.entry)).toEqual(await prisma.ledgerEntry.findUniqueOrThrow({ where: { id: entries[0]!.id } }));
  });

  it("name the columns a raw read selects as the model's fields", async () => {
    const wallet = await ledger.newWallet({ defaultExpiryDays: 7 });
    ledger.clock.advance(DAY);
    const locked = await ledger.db.prisma.$transaction((tx) => lockWallet(tx, ledger.scope, wallet.id, ledger.clock.now()));
    expect(locked.wallet).toEqual(await ledger.db.prisma.wallet.findUniqueOrThrow({ where: { id: wallet.id } }));
  });
});

// A balance read costs the same whatever the wallet's history: counted in rows of ledger_entry
// the database read for it (its own statistics, not a clock), before and after a few hundred
// more debits.
import { beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient, Wallet } from "../../src/db/generated/client.ts";
import { walletBalance } from "../../src/ledger/balances.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { holdCredits } from "../../src/ledger/commands/hold.ts";
import { countLedgerEntries } from "../../src/ledger/queries.ts";
import { HOUR, useLedger } from "../support/ledger.ts";
import { rowsRead } from "../support/rows-read.ts";

const ledger = useLedger();

let wallet: Wallet;
/** After the first movements, before the long history. */
let early: Date;

function readCost(read: (ctx: typeof ledger.ctx) => Promise<unknown>): Promise<number> {
  return rowsRead(ledger.db.prisma, "ledger_entry", (inTransaction: PrismaClient) => read({ ...ledger.ctx, prisma: inTransaction }));
}

const costs = () =>
  Promise.all([
    readCost((ctx) => walletBalance(ctx, ledger.scope, wallet.id)),
    readCost((ctx) => walletBalance(ctx, ledger.scope, wallet.id, early)),
    readCost((ctx) => countLedgerEntries(ctx, ledger.scope, wallet.id)),
  ]).then(([now, past, count]) => ({ now, past, count }));

async function debitMany(times: number): Promise<void> {
  for (let index = 0; index < times; index += 1) {
    ledger.clock.advance(1);
    await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n });
  }
}

beforeAll(async () => {
  wallet = await ledger.newWallet({ overdraftLimit: 50n });
  await ledger.fund(wallet.id, 300n, { category: "paid" });
  await ledger.fund(wallet.id, 100n, { category: "promo", priority: 10 });
  await ledger.fund(wallet.id, 100n, { category: "later", effectiveAt: new Date(ledger.clock.now().getTime() + HOUR) });
  await holdCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 20n });
  await debitMany(5);
  early = ledger.clock.now();
  await debitMany(5);
}, 120_000);

describe("the cost of a balance read", () => {
  it("does not grow with the wallet's history, now or at a past instant", async () => {
    const short = await costs();
    // Now: no entry read at all. At a past instant: the last entry before it of each of the
    // three blocks (the overdraft had none yet).
    expect(short).toEqual({ now: 0, past: 3, count: 0 });

    // Hundreds more entries, through the promo block, the paid block and into the overdraft.
    await debitMany(400);
    const long = await costs();
    expect(long).toEqual(short);
    expect((await walletBalance(ledger.ctx, ledger.scope, wallet.id)).overdraftUsed).toBe(30n);
    // Just before the latest debit: one entry for each block and one for the overdraft.
    const latest = new Date(ledger.clock.now().getTime() - 1);
    expect(await readCost((ctx) => walletBalance(ctx, ledger.scope, wallet.id, latest))).toBe(4);
  }, 120_000);
});

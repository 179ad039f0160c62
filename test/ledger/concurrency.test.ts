// Many debits, holds and retries racing on one wallet. On Postgres they run over a pool of
// connections, as several gateway processes would; on PGlite they queue on its one connection.
import { describe, expect, it } from "vitest";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { holdCredits } from "../../src/ledger/commands/hold.ts";
import { captureHold, releaseHold } from "../../src/ledger/commands/resolve-hold.ts";
import { walletBalance } from "../../src/ledger/balances.ts";
import { InsufficientCreditsError, HoldNotOpenError } from "../../src/ledger/errors.ts";
import { useLedger } from "../support/ledger.ts";

const ledger = useLedger();

function settle<T>(promises: Promise<T>[]) {
  return Promise.allSettled(promises).then((results) => ({
    fulfilled: results.filter((result) => result.status === "fulfilled").map((result) => (result as PromiseFulfilledResult<T>).value),
    rejected: results.filter((result) => result.status === "rejected").map((result) => (result as PromiseRejectedResult).reason as unknown),
  }));
}

describe("concurrency on one hot wallet", () => {
  it("lets exactly as many of 200 debits through as the balance covers", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 60n, { priority: 1 });
    await ledger.fund(wallet.id, 60n);
    const { fulfilled, rejected } = await settle(
      Array.from({ length: 200 }, (_, index) =>
        debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 3n, reference: `order-${index}` }),
      ),
    );
    expect(fulfilled).toHaveLength(40);
    expect(rejected).toHaveLength(160);
    expect(rejected.every((error) => error instanceof InsufficientCreditsError)).toBe(true);
    expect(await walletBalance(ledger.ctx, ledger.scope, wallet.id)).toMatchObject({ used: 120n, available: 0n });
    const sequences = (
      await ledger.db.prisma.ledgerEntry.findMany({
        where: { walletId: wallet.id },
        select: { sequence: true },
        orderBy: { sequence: "asc" },
      })
    ).map((entry) => Number(entry.sequence));
    expect(sequences).toEqual(Array.from({ length: sequences.length }, (_, index) => index + 1));
  });

  it("creates one movement from 50 concurrent retries of one idempotency key", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 1_000n);
    const input = { scope: ledger.scope, walletId: wallet.id, amount: 10n, idempotencyKey: "retry-storm" };
    const { fulfilled, rejected } = await settle(Array.from({ length: 50 }, () => debit(ledger.ctx, input)));
    expect(rejected).toEqual([]);
    expect(new Set(fulfilled.map((result) => result.operation.id)).size).toBe(1);
    expect(fulfilled.filter((result) => !result.replayed)).toHaveLength(1);
    expect((await walletBalance(ledger.ctx, ledger.scope, wallet.id)).available).toBe(990n);
  });

  it("creates one deposit from concurrent retries, even racing other wallets' use of the key", async () => {
    const wallet = await ledger.newWallet();
    const other = await ledger.newWallet();
    const same = { scope: ledger.scope, walletId: wallet.id, amount: 10n, idempotencyKey: "shared-key" };
    const { fulfilled, rejected } = await settle([
      ...Array.from({ length: 20 }, () => deposit(ledger.ctx, same)),
      ...Array.from({ length: 5 }, () => deposit(ledger.ctx, { ...same, walletId: other.id })),
    ]);
    expect(new Set(fulfilled.map((result) => result.operation.id)).size).toBe(1);
    expect(rejected.every((error) => (error as { code?: string }).code === "IDEMPOTENCY_CONFLICT")).toBe(true);
    expect(fulfilled.length + rejected.length).toBe(25);
  });

  it("lets one of several wallets' debits racing with one key through, and refuses the others", async () => {
    const wallets = await Promise.all(Array.from({ length: 4 }, () => ledger.newWallet()));
    for (const wallet of wallets) await ledger.fund(wallet.id, 100n);
    const { fulfilled, rejected } = await settle(
      wallets.flatMap((wallet) =>
        Array.from({ length: 5 }, () =>
          debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 7n, idempotencyKey: "one-order" }),
        ),
      ),
    );
    expect(new Set(fulfilled.map((result) => result.operation.id)).size).toBe(1);
    expect(fulfilled).toHaveLength(5);
    expect(rejected.every((error) => (error as { code?: string }).code === "IDEMPOTENCY_CONFLICT")).toBe(true);
    const balances = await Promise.all(wallets.map((wallet) => walletBalance(ledger.ctx, ledger.scope, wallet.id)));
    expect(balances.map((balance) => balance.available).sort()).toEqual([100n, 100n, 100n, 93n].sort());
  });

  it("resolves each of many holds exactly once under racing captures and releases", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 1_000n);
    const holds = await settle(
      Array.from({ length: 60 }, () => holdCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 20n })),
    );
    expect(holds.fulfilled).toHaveLength(50);
    const race = await settle(
      holds.fulfilled.flatMap(({ hold }) => [
        captureHold(ledger.ctx, { scope: ledger.scope, holdId: hold!.id, amount: 15n }),
        releaseHold(ledger.ctx, { scope: ledger.scope, holdId: hold!.id }),
        captureHold(ledger.ctx, { scope: ledger.scope, holdId: hold!.id }),
      ]),
    );
    expect(race.fulfilled).toHaveLength(50);
    expect(race.rejected.every((error) => error instanceof HoldNotOpenError)).toBe(true);
    const captured = race.fulfilled.reduce((sum, result) => sum + (result.hold!.status === "captured" ? result.hold!.captured : 0n), 0n);
    expect(await walletBalance(ledger.ctx, ledger.scope, wallet.id)).toMatchObject({
      frozen: 0n,
      used: captured,
      available: 1_000n - captured,
    });
  });
});

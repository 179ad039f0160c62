import { describe, expect, it } from "vitest";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { updateWallet } from "../../src/ledger/commands/update-wallet.ts";
import { walletBalance } from "../../src/ledger/balances.ts";
import { IdempotencyConflictError, NotFoundError, ValidationError } from "../../src/ledger/errors.ts";
import { DAY, useLedger, teamScope } from "../support/ledger.ts";

const ledger = useLedger();

describe("createWallet", () => {
  it("creates the customer on first use and reuses it after", async () => {
    const first = await createWallet(ledger.ctx, { scope: ledger.scope, customer: { externalId: "acme", name: "Acme" }, currency: "USD" });
    const second = await createWallet(ledger.ctx, { scope: ledger.scope, customer: { externalId: "acme" }, currency: "EUR" });
    expect(second.customer.id).toBe(first.customer.id);
    expect(second.customer.name).toBe("Acme");
    expect([first.wallet.scale, second.wallet.scale]).toEqual([2, 2]);
  });

  it("takes the currency's minor-unit scale, or the given one for custom units", async () => {
    const yen = await createWallet(ledger.ctx, { scope: ledger.scope, customer: { externalId: "jp" }, currency: "JPY" });
    const credits = await createWallet(ledger.ctx, {
      scope: ledger.scope,
      customer: { externalId: "jp" },
      customUnit: { code: "CREDITS", scale: 3 },
    });
    expect(yen.wallet.scale).toBe(0);
    expect(credits.wallet.scale).toBe(3);
  });

  it("replays a repeated key and refuses the key for another request", async () => {
    const input = { scope: ledger.scope, customer: { externalId: "idem" }, currency: "USD", idempotencyKey: "create-1" };
    const first = await createWallet(ledger.ctx, input);
    const again = await createWallet(ledger.ctx, input);
    expect(again).toMatchObject({ replayed: true, wallet: { id: first.wallet.id } });
    await expect(createWallet(ledger.ctx, { ...input, currency: "EUR" })).rejects.toBeInstanceOf(IdempotencyConflictError);
  });

  it("rejects a malformed currency", async () => {
    await expect(createWallet(ledger.ctx, { scope: ledger.scope, customer: { externalId: "x" }, currency: "usd" })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});

describe("deposit", () => {
  it("opens a block with one increment entry and moves the balance", async () => {
    const wallet = await ledger.newWallet();
    const result = await deposit(ledger.ctx, {
      scope: ledger.scope,
      walletId: wallet.id,
      amount: 2_000n,
      category: "paid",
      costBasis: "1",
    });
    expect(result.blocks).toMatchObject([{ amount: 2_000n, remaining: 2_000n, category: "paid", priority: 50, source: "deposit" }]);
    expect(result.entries).toMatchObject([{ type: "increment", amount: 2_000n, sequence: 1n, startingBalance: 0n, endingBalance: 2_000n }]);
    expect(result.wallet.balance).toBe(2_000n);
    expect(result.replayed).toBe(false);
  });

  it("defaults to granted credits, effective now, expiring after the wallet's default expiry", async () => {
    const wallet = await ledger.newWallet({ defaultExpiryDays: 30 });
    const result = await deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 100n });
    const [block] = result.blocks;
    expect(block!.category).toBe("granted");
    expect(block!.effectiveAt).toEqual(ledger.clock.now());
    expect(block!.expiresAt).toEqual(new Date(ledger.clock.now().getTime() + 30 * DAY));
  });

  it("replays the original result for a repeated key and writes nothing", async () => {
    const wallet = await ledger.newWallet();
    const input = { scope: ledger.scope, walletId: wallet.id, amount: 500n, idempotencyKey: "deposit-1" };
    const first = await deposit(ledger.ctx, input);
    const replay = await deposit(ledger.ctx, input);
    expect(replay.replayed).toBe(true);
    expect(replay.operation.id).toBe(first.operation.id);
    expect(replay.entries.map((entry) => entry.id)).toEqual(first.entries.map((entry) => entry.id));
    expect((await walletBalance(ledger.ctx, ledger.scope, wallet.id)).available).toBe(500n);
  });

  it("refuses a key reused for a different payload", async () => {
    const wallet = await ledger.newWallet();
    await deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 500n, idempotencyKey: "deposit-2" });
    await expect(
      deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 501n, idempotencyKey: "deposit-2" }),
    ).rejects.toBeInstanceOf(IdempotencyConflictError);
  });

  it.each([
    ["a zero amount", { amount: 0n }],
    ["a negative amount", { amount: -5n }],
    ["an expiry before the effective date", { effectiveAt: new Date("2026-02-01"), expiresAt: new Date("2026-01-15") }],
    ["an expiry already past", { expiresAt: new Date("2025-12-31") }],
    ["a malformed category", { category: "no spaces allowed" }],
    ["a fractional cost basis with too many places", { costBasis: "0.0000000000001" }],
  ])("rejects %s and writes nothing", async (_, change) => {
    const wallet = await ledger.newWallet();
    await expect(deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 100n, ...change })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(await ledger.db.prisma.ledgerEntry.count({ where: { walletId: wallet.id } })).toBe(0);
  });

  it("does not see wallets of another tenant", async () => {
    const wallet = await ledger.newWallet();
    const stranger = await ledger.db.prisma.tenant.create({ data: { slug: "stranger", name: "Stranger" } });
    await expect(deposit(ledger.ctx, { scope: teamScope(stranger.id, true), walletId: wallet.id, amount: 1n })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      deposit(ledger.ctx, { scope: { ...ledger.scope, livemode: false }, walletId: wallet.id, amount: 1n }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it("repays an overdraft first and opens the block with the rest", async () => {
    const wallet = await ledger.newWallet({ overdraftLimit: 1_000n });
    await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 300n });
    const result = await deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1_000n });
    expect(result.entries.map((entry) => [entry.blockId === null, entry.amount])).toEqual([
      [true, 300n],
      [false, 700n],
    ]);
    expect(result.blocks[0]!.amount).toBe(700n);
    expect(result.wallet).toMatchObject({ balance: 700n, overdraftUsed: 0n });
  });
});

describe("updateWallet", () => {
  it("changes settings, merges metadata and refuses a limit below the overdraft in use", async () => {
    const wallet = await ledger.newWallet({ overdraftLimit: 500n, metadata: { plan: "pro", region: "eu" } });
    await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 200n });
    const updated = await updateWallet(ledger.ctx, {
      scope: ledger.scope,
      walletId: wallet.id,
      metadata: { region: null, team: "core" },
      defaultExpiryDays: 7,
    });
    expect(updated.wallet).toMatchObject({ metadata: { plan: "pro", team: "core" }, defaultExpiryDays: 7 });
    await expect(updateWallet(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, overdraftLimit: 100n })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});

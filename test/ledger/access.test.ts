// The ledger decides who may do what: each role's permissions, and a personal scope that reaches
// its own customer's wallets only, whatever command or query asks.
import { beforeAll, describe, expect, it } from "vitest";
import type { Wallet } from "../../src/db/generated/client.ts";
import type { Role, Scope } from "../../src/ledger/access.ts";
import { walletBalance } from "../../src/ledger/balances.ts";
import { amendBlock } from "../../src/ledger/commands/amend-block.ts";
import { changeBlockExpiry } from "../../src/ledger/commands/change-block-expiry.ts";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { ensureCustomerWallet } from "../../src/ledger/commands/ensure-customer-wallet.ts";
import { holdCredits } from "../../src/ledger/commands/hold.ts";
import { refund } from "../../src/ledger/commands/refund.ts";
import { captureHold, releaseHold } from "../../src/ledger/commands/resolve-hold.ts";
import { terminateWallet } from "../../src/ledger/commands/terminate-wallet.ts";
import { updateWallet } from "../../src/ledger/commands/update-wallet.ts";
import { voidCredits } from "../../src/ledger/commands/void-credits.ts";
import { ForbiddenError, NotFoundError } from "../../src/ledger/errors.ts";
import { findCustomer, getHold, getWallet, listCreditBlocks, listLedgerEntries, listWallets } from "../../src/ledger/queries.ts";
import { useLedger } from "../support/ledger.ts";

const ledger = useLedger();
let alice: Wallet;
let bob: Wallet;
let aliceBlock: string;

function scopeOf(role: Role, customer?: Wallet): Scope {
  return { ...ledger.scope, role, customerId: customer?.customerId ?? null };
}

beforeAll(async () => {
  alice = await ledger.newWallet({ customer: { externalId: "alice" } });
  bob = await ledger.newWallet({ customer: { externalId: "bob" } });
  aliceBlock = await ledger.fund(alice.id, 1_000n);
  await ledger.fund(bob.id, 1_000n);
});

describe("roles", () => {
  const grants = [
    ["deposit", (scope: Scope) => deposit(ledger.ctx, { scope, walletId: alice.id, amount: 1_000_000n, category: "granted" })],
    ["void", (scope: Scope) => voidCredits(ledger.ctx, { scope, walletId: alice.id, amount: 1n })],
    ["amendBlock", (scope: Scope) => amendBlock(ledger.ctx, { scope, blockId: aliceBlock, amount: 5n })],
    ["changeBlockExpiry", (scope: Scope) => changeBlockExpiry(ledger.ctx, { scope, blockId: aliceBlock, expiresAt: null, amount: 1n })],
    ["updateWallet", (scope: Scope) => updateWallet(ledger.ctx, { scope, walletId: alice.id, overdraftLimit: 99_999_999n })],
    ["terminateWallet", (scope: Scope) => terminateWallet(ledger.ctx, { scope, walletId: alice.id })],
    ["createWallet", (scope: Scope) => createWallet(ledger.ctx, { scope, customer: { externalId: "alice" }, currency: "EUR" })],
  ] as const;

  it.each(grants)("refuses %s to read and customer tokens, before anything is read or written", async (_name, run) => {
    const before = await walletBalance(ledger.ctx, ledger.scope, alice.id);
    await expect(run(scopeOf("read"))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(run(scopeOf("customer", alice))).rejects.toBeInstanceOf(ForbiddenError);
    expect(await walletBalance(ledger.ctx, ledger.scope, alice.id)).toEqual(before);
  });

  it("refuses every spend to a read token", async () => {
    const read = scopeOf("read");
    await expect(debit(ledger.ctx, { scope: read, walletId: alice.id, amount: 1n })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(holdCredits(ledger.ctx, { scope: read, walletId: alice.id, amount: 1n })).rejects.toBeInstanceOf(ForbiddenError);
    const { hold } = await holdCredits(ledger.ctx, { scope: ledger.scope, walletId: alice.id, amount: 1n });
    await expect(captureHold(ledger.ctx, { scope: read, holdId: hold!.id })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(releaseHold(ledger.ctx, { scope: read, holdId: hold!.id })).rejects.toBeInstanceOf(ForbiddenError);
    await releaseHold(ledger.ctx, { scope: scopeOf("write"), holdId: hold!.id });
  });

  it("lets a customer token spend from its own wallet, and refuses it a refund", async () => {
    const own = scopeOf("customer", alice);
    const spent = await debit(ledger.ctx, { scope: own, walletId: alice.id, amount: 10n });
    const { hold } = await holdCredits(ledger.ctx, { scope: own, walletId: alice.id, amount: 5n });
    await captureHold(ledger.ctx, { scope: own, holdId: hold!.id, amount: 3n });
    await expect(refund(ledger.ctx, { scope: own, operationId: spent.operation.id })).rejects.toBeInstanceOf(ForbiddenError);
    await refund(ledger.ctx, { scope: scopeOf("write"), operationId: spent.operation.id });
  });

  it("lets a customer token open its own plain wallet, and no one else's", async () => {
    const own = scopeOf("customer", alice);
    const opened = await ensureCustomerWallet(ledger.ctx, { scope: own, customer: { externalId: "alice" }, currency: "JPY" });
    expect(opened).toMatchObject({ customerId: alice.customerId, overdraftLimit: 0n });
    await expect(
      ensureCustomerWallet(ledger.ctx, { scope: own, customer: { externalId: "mallory" }, currency: "JPY" }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      ensureCustomerWallet(ledger.ctx, { scope: scopeOf("read"), customer: { externalId: "carol" }, currency: "JPY" }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect(await findCustomer(ledger.ctx, ledger.scope, "mallory")).toBeNull();
  });
});

describe("a personal scope", () => {
  it("finds none of another customer's wallets, blocks, holds or operations", async () => {
    const mine = scopeOf("customer", alice);
    const bobsBlock = (await listCreditBlocks(ledger.ctx, ledger.scope, bob.id)).items[0]!;
    const bobsSpend = await debit(ledger.ctx, { scope: ledger.scope, walletId: bob.id, amount: 1n });
    const { hold: bobsHold } = await holdCredits(ledger.ctx, { scope: ledger.scope, walletId: bob.id, amount: 1n });

    await expect(getWallet(ledger.ctx, mine, bob.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(walletBalance(ledger.ctx, mine, bob.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(listLedgerEntries(ledger.ctx, mine, bob.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(getHold(ledger.ctx, mine, bobsHold!.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await findCustomer(ledger.ctx, mine, "bob")).toBeNull();
    expect((await listWallets(ledger.ctx, mine, { currency: "USD", page: 1, perPage: 10 })).items.map((w) => w.id)).toEqual([alice.id]);

    const before = await walletBalance(ledger.ctx, ledger.scope, bob.id);
    await expect(debit(ledger.ctx, { scope: mine, walletId: bob.id, amount: 1n })).rejects.toBeInstanceOf(NotFoundError);
    await expect(holdCredits(ledger.ctx, { scope: mine, walletId: bob.id, amount: 1n })).rejects.toBeInstanceOf(NotFoundError);
    await expect(captureHold(ledger.ctx, { scope: mine, holdId: bobsHold!.id })).rejects.toBeInstanceOf(NotFoundError);
    await expect(releaseHold(ledger.ctx, { scope: mine, holdId: bobsHold!.id })).rejects.toBeInstanceOf(NotFoundError);
    const admin = { ...mine, role: "admin" as const };
    await expect(amendBlock(ledger.ctx, { scope: admin, blockId: bobsBlock.id, amount: 1n })).rejects.toBeInstanceOf(NotFoundError);
    await expect(refund(ledger.ctx, { scope: admin, operationId: bobsSpend.operation.id })).rejects.toBeInstanceOf(NotFoundError);
    expect(await walletBalance(ledger.ctx, ledger.scope, bob.id)).toEqual(before);
    await releaseHold(ledger.ctx, { scope: ledger.scope, holdId: bobsHold!.id });
  });
});

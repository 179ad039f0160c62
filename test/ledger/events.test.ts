import { describe, expect, it } from "vitest";
import { createBalanceAlert, deleteBalanceAlert, listBalanceAlerts } from "../../src/ledger/balance-alerts.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { expireCredits } from "../../src/ledger/commands/expire-credits.ts";
import { holdCredits } from "../../src/ledger/commands/hold.ts";
import { releaseHold } from "../../src/ledger/commands/resolve-hold.ts";
import { terminateWallet } from "../../src/ledger/commands/terminate-wallet.ts";
import { updateWallet } from "../../src/ledger/commands/update-wallet.ts";
import { listEvents } from "../../src/ledger/event-queries.ts";
import { NotFoundError, ValidationError } from "../../src/ledger/errors.ts";
import { DAY, HOUR, teamScope, useLedger } from "../support/ledger.ts";

const ledger = useLedger();

/** The wallet's events, oldest first. */
async function eventsOf(walletId: string) {
  const events = await ledger.db.prisma.event.findMany({ where: { walletId }, orderBy: { sequence: "asc" } });
  return events.map(({ sequence, type, payload }) => ({ sequence, type, payload: payload as Record<string, any> }));
}

async function typesSince(walletId: string, afterSequence: bigint) {
  return (await eventsOf(walletId)).filter((event) => event.sequence > afterSequence).map((event) => event.type);
}

async function lastSequence(walletId: string) {
  return (await ledger.db.prisma.wallet.findUniqueOrThrow({ where: { id: walletId } })).lastEventSequence;
}

const spend = (walletId: string, amount: bigint) => debit(ledger.ctx, { scope: ledger.scope, walletId, amount });

describe("events of operations", () => {
  it("tell a wallet's creation, then each operation with its entries and the balances it left, numbered 1, 2, 3…", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 1_000n);
    const spent = await spend(wallet.id, 300n);
    const events = await eventsOf(wallet.id);
    expect(events.map((event) => [event.sequence, event.type])).toEqual([
      [1n, "wallet.created"],
      [2n, "operation.completed"],
      [3n, "operation.completed"],
      [4n, "operation.completed"],
    ]);
    expect(events[0]!.payload).toMatchObject({ wallet: { id: wallet.id, currency: "USD", status: "active", overdraftLimit: "0" } });
    expect(events[1]!.payload).toMatchObject({ operation: { type: "wallet_create" }, amount: "0", entries: [] });
    expect(events[2]!.payload).toMatchObject({
      operation: { type: "deposit" },
      amount: "1000",
      entries: [{ type: "increment", amount: "1000", sequence: "1" }],
      balance: { available: "1000", total: "1000", used: "0", frozen: "0", ledgerBalance: "1000", overdraftUsed: "0" },
    });
    expect(events[3]!.payload).toMatchObject({
      operation: { id: spent.operation.id, type: "debit" },
      amount: "-300",
      entries: [{ type: "decrement", amount: "-300" }],
      balance: { available: "700", total: "1000", used: "300", frozen: "0" },
    });
  });

  it("tell the balances each operation left when one transaction writes several (a lapsed hold released before a debit)", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 100n);
    await holdCredits(ledger.ctx, {
      scope: ledger.scope,
      walletId: wallet.id,
      amount: 60n,
      expiresAt: new Date(ledger.clock.now().getTime() + HOUR),
    });
    ledger.clock.advance(2 * HOUR);
    const before = await lastSequence(wallet.id);
    await spend(wallet.id, 90n);
    const events = (await eventsOf(wallet.id)).filter((event) => event.sequence > before);
    expect(events.map((event) => event.type)).toEqual(["hold.expired", "operation.completed", "operation.completed"]);
    expect(events[1]!.payload).toMatchObject({ operation: { type: "release" }, balance: { available: "100", frozen: "0" } });
    expect(events[2]!.payload).toMatchObject({ operation: { type: "debit" }, balance: { available: "10", used: "90" } });
  });

  it("tell settings changed, termination, and credits that expired", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 50n, { expiresAt: new Date(ledger.clock.now().getTime() + DAY) });
    await updateWallet(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, overdraftLimit: 25n });
    ledger.clock.advance(2 * DAY);
    await expireCredits(ledger.ctx);
    await terminateWallet(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, reason: "closed" });
    const events = await eventsOf(wallet.id);
    const told = (type: string) => events.find((event) => event.type === type)!.payload;
    expect(told("wallet.updated")).toMatchObject({ wallet: { overdraftLimit: "25" } });
    expect(told("credits.expired")).toMatchObject({ amount: "50", blocks: [{ amount: "50", category: "granted" }] });
    expect(told("wallet.terminated")).toMatchObject({ wallet: { status: "terminated" } });
    expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => BigInt(index + 1)));
  });

  it("are listed newest first, by wallet and type, within the caller's scope", async () => {
    const [first, second] = [await ledger.newWallet(), await ledger.newWallet()];
    await ledger.fund(first.id, 10n);
    await ledger.fund(second.id, 20n);
    const newest = await listEvents(ledger.ctx, ledger.scope, { limit: 2 });
    expect(newest.map((event) => [event.walletId, event.type])).toEqual([
      [second.id, "operation.completed"],
      [first.id, "operation.completed"],
    ]);
    const page = await listEvents(ledger.ctx, ledger.scope, { walletId: first.id, types: ["wallet.created"], limit: 10 });
    expect(page.map((event) => event.type)).toEqual(["wallet.created"]);
    const older = await listEvents(ledger.ctx, ledger.scope, { walletId: first.id, beforePosition: page[0]!.position, limit: 10 });
    expect(older).toEqual([]);
    await expect(listEvents(ledger.ctx, ledger.scope, { types: ["wallet.exploded"], limit: 1 })).rejects.toBeInstanceOf(ValidationError);
    const stranger = await ledger.db.prisma.tenant.create({ data: { slug: `stranger-${Date.now()}`, name: "Stranger" } });
    expect(await listEvents(ledger.ctx, teamScope(stranger.id, true), { limit: 10 })).toEqual([]);
    await expect(listEvents(ledger.ctx, teamScope(stranger.id, true), { walletId: first.id, limit: 10 })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe("balance alerts", () => {
  it("fire once when a movement lands at or below the threshold, and re-arm only above it", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 1_000n);
    const { alert } = await createBalanceAlert(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, threshold: 500n });
    expect(alert).toMatchObject({ threshold: 500n, below: false });

    let seen = await lastSequence(wallet.id);
    await spend(wallet.id, 500n); // lands exactly on the threshold: crosses it
    expect(await typesSince(wallet.id, seen)).toEqual(["operation.completed", "balance.below_threshold"]);
    const fired = (await eventsOf(wallet.id)).at(-1)!.payload;
    expect(fired).toMatchObject({ alert: { id: alert.id, threshold: "500" }, balance: { available: "500" } });

    seen = await lastSequence(wallet.id);
    await spend(wallet.id, 100n); // further below: already told
    await ledger.fund(wallet.id, 100n); // back at the threshold: not above it, not re-armed
    await spend(wallet.id, 1n);
    expect(await typesSince(wallet.id, seen)).toEqual(["operation.completed", "operation.completed", "operation.completed"]);

    seen = await lastSequence(wallet.id);
    await ledger.fund(wallet.id, 2n); // 501: above, re-armed (no event)
    await spend(wallet.id, 1n); // 500 again: a new crossing
    expect(await typesSince(wallet.id, seen)).toEqual(["operation.completed", "operation.completed", "balance.below_threshold"]);
  });

  it("count holds, since held credits are not available", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 100n);
    await createBalanceAlert(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, threshold: 50n });
    const seen = await lastSequence(wallet.id);
    const { hold } = await holdCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 60n });
    await releaseHold(ledger.ctx, { scope: ledger.scope, holdId: hold!.id });
    await holdCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 60n });
    expect(await typesSince(wallet.id, seen)).toEqual([
      "operation.completed",
      "balance.below_threshold",
      "operation.completed",
      "operation.completed",
      "balance.below_threshold",
    ]);
  });

  it("tell a wallet depleted at zero or less, once, and recovered when credits are back", async () => {
    const wallet = await ledger.newWallet({ overdraftLimit: 100n });
    await ledger.fund(wallet.id, 100n);
    let seen = await lastSequence(wallet.id);
    await spend(wallet.id, 100n);
    await spend(wallet.id, 50n); // overdrawn: still depleted, told once
    expect(await typesSince(wallet.id, seen)).toEqual(["operation.completed", "balance.depleted", "operation.completed"]);
    seen = await lastSequence(wallet.id);
    await ledger.fund(wallet.id, 50n); // repays the overdraft: available 0, still depleted
    await ledger.fund(wallet.id, 1n);
    expect(await typesSince(wallet.id, seen)).toEqual(["operation.completed", "operation.completed", "balance.recovered"]);
    expect((await eventsOf(wallet.id)).at(-1)!.payload).toMatchObject({ balance: { available: "1" } });
  });

  it("start in the state the balance is in, are listed on the wallet, and fire no more once removed", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 100n);
    const { alert: low } = await createBalanceAlert(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, threshold: 10n });
    const { alert: high } = await createBalanceAlert(ledger.ctx, {
      scope: ledger.scope,
      walletId: wallet.id,
      threshold: 200n,
      idempotencyKey: "alert-high",
    });
    expect(high.below).toBe(true);
    expect(
      (await createBalanceAlert(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, threshold: 200n, idempotencyKey: "alert-high" }))
        .replayed,
    ).toBe(true);
    expect((await listBalanceAlerts(ledger.ctx, ledger.scope, wallet.id)).map((alert) => alert.threshold)).toEqual([200n, 10n]);
    const removed = await deleteBalanceAlert(ledger.ctx, { scope: ledger.scope, id: low.id });
    expect(removed.deletedAt).not.toBeNull();
    expect((await deleteBalanceAlert(ledger.ctx, { scope: ledger.scope, id: low.id })).deletedAt).toEqual(removed.deletedAt);
    const seen = await lastSequence(wallet.id);
    await spend(wallet.id, 95n);
    expect(await typesSince(wallet.id, seen)).toEqual(["operation.completed"]);
    const stranger = await ledger.db.prisma.tenant.create({ data: { slug: `other-${Date.now()}`, name: "Other" } });
    await expect(deleteBalanceAlert(ledger.ctx, { scope: teamScope(stranger.id, true), id: high.id })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});

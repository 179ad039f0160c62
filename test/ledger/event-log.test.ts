import { describe, expect, it } from "vitest";
import { recordEvent } from "../../src/ledger/events.ts";
import { useLedger } from "../support/ledger.ts";

const ledger = useLedger();

const walletPayload = (walletId: string) => ({
  wallet: {
    id: walletId,
    customerId: walletId,
    name: null,
    currency: "USD",
    scale: 2,
    status: "active",
    overdraftLimit: "0",
    defaultExpiryDays: null,
    defaultAppliesTo: [],
    consumptionOrder: "standard",
    metadata: {},
    terminatedAt: null,
  },
});

describe("the event log", () => {
  it("numbers a wallet's events 1, 2, 3… in the transaction that writes them", async () => {
    const wallet = await ledger.newWallet();
    const before = (await ledger.db.prisma.wallet.findUniqueOrThrow({ where: { id: wallet.id } })).lastEventSequence;
    const written = await ledger.db.prisma.$transaction(async (tx) => [
      await recordEvent(tx, {
        walletId: wallet.id,
        type: "wallet.updated",
        payload: walletPayload(wallet.id),
        createdAt: ledger.clock.now(),
      }),
      await recordEvent(tx, {
        walletId: wallet.id,
        type: "wallet.updated",
        payload: walletPayload(wallet.id),
        createdAt: ledger.clock.now(),
      }),
    ]);
    expect(written.map((event) => event.sequence)).toEqual([before + 1n, before + 2n]);
    expect(written[0]).toMatchObject({
      tenantId: ledger.scope.tenantId,
      livemode: true,
      walletId: wallet.id,
      type: "wallet.updated",
      payload: walletPayload(wallet.id),
    });
    expect(written[1]!.position).toBeGreaterThan(written[0]!.position);
  });

  it("leaves no gap when the writing transaction rolls back", async () => {
    const wallet = await ledger.newWallet();
    const event = () => ({
      walletId: wallet.id,
      type: "wallet.updated" as const,
      payload: walletPayload(wallet.id),
      createdAt: ledger.clock.now(),
    });
    const first = await ledger.db.prisma.$transaction((tx) => recordEvent(tx, event()));
    await expect(
      ledger.db.prisma.$transaction(async (tx) => {
        await recordEvent(tx, event());
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    const next = await ledger.db.prisma.$transaction((tx) => recordEvent(tx, event()));
    expect(next.sequence).toBe(first.sequence + 1n);
  });

  // The gateway's own role has no UPDATE or DELETE on events (app-role.ts); the trigger stops any other.
  it("refuses to change or delete an event", async () => {
    const wallet = await ledger.newWallet();
    const event = await ledger.db.prisma.$transaction((tx) =>
      recordEvent(tx, { walletId: wallet.id, type: "wallet.updated", payload: walletPayload(wallet.id), createdAt: ledger.clock.now() }),
    );
    await expect(ledger.db.prisma.event.update({ where: { id: event.id }, data: { type: "other" } })).rejects.toThrow(
      /events are append-only|permission denied/,
    );
    await expect(ledger.db.prisma.event.delete({ where: { id: event.id } })).rejects.toThrow(/events are append-only|permission denied/);
  });
});

// A wallet keeps at most BALANCE_ALERTS_PER_WALLET alerts (25 unless set): one more is refused
// with LimitExceededError, whoever asks and however many ask at once (on PostgreSQL the creators
// race over the pool's connections, as two gateways' would), so that no movement has more alerts
// to judge (and events to write) than that. Removed alerts do not count.
import { describe, expect, it } from "vitest";
import { createBalanceAlert, deleteBalanceAlert } from "../../src/ledger/balance-alerts.ts";
import { DEFAULT_BALANCE_ALERTS_PER_WALLET, type LedgerContext } from "../../src/ledger/context.ts";
import { LimitExceededError } from "../../src/ledger/errors.ts";
import { loadConfig } from "../../src/config.ts";
import { useLedger } from "../support/ledger.ts";

const ledger = useLedger();

async function settle<T>(promises: Promise<T>[]) {
  const results = await Promise.allSettled(promises);
  return {
    accepted: results.filter((result) => result.status === "fulfilled").length,
    refused: results.filter((result) => result.status === "rejected").map((result) => (result as PromiseRejectedResult).reason as unknown),
  };
}

const liveAlerts = (walletId: string) => ledger.db.prisma.balanceAlert.count({ where: { walletId, deletedAt: null } });

describe("balance alerts per wallet", () => {
  it("accepts 25 of 1,000 alerts asked for on one wallet and refuses the rest with LIMIT_EXCEEDED", async () => {
    const wallet = await ledger.newWallet();
    await ledger.fund(wallet.id, 10_000n);
    const { accepted, refused } = await settle(
      Array.from({ length: 1_000 }, (_, index) =>
        createBalanceAlert(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, threshold: BigInt(index) }),
      ),
    );
    console.info(`1,000 alerts asked for on one wallet: ${accepted} accepted, ${refused.length} refused`);
    expect(accepted).toBe(DEFAULT_BALANCE_ALERTS_PER_WALLET);
    expect(DEFAULT_BALANCE_ALERTS_PER_WALLET).toBe(25);
    expect(refused).toHaveLength(975);
    for (const error of refused) expect(error).toBeInstanceOf(LimitExceededError);
    expect(refused[0]).toMatchObject({
      code: "LIMIT_EXCEEDED",
      limit: 25,
      message: "a wallet may have at most 25 balance alerts: remove one to add another",
    });
    expect(await liveAlerts(wallet.id)).toBe(25);
  });

  it("takes a new alert once one is removed, and replays an earlier one at the limit", async () => {
    const ctx: LedgerContext = { ...ledger.ctx, balanceAlertsPerWallet: 2 };
    const wallet = await ledger.newWallet();
    const create = (threshold: bigint, idempotencyKey?: string) =>
      createBalanceAlert(ctx, { scope: ledger.scope, walletId: wallet.id, threshold, idempotencyKey });
    const { alert: first } = await create(10n);
    await create(20n, "alert-20");
    await expect(create(30n)).rejects.toBeInstanceOf(LimitExceededError);
    expect((await create(20n, "alert-20")).replayed).toBe(true);
    await deleteBalanceAlert(ctx, { scope: ledger.scope, id: first.id });
    expect((await create(30n)).replayed).toBe(false);
    await expect(create(40n)).rejects.toBeInstanceOf(LimitExceededError);
    expect(await liveAlerts(wallet.id)).toBe(2);
  });

  it("lets two creators racing on one wallet (two gateways) not pass the limit together", async () => {
    const wallet = await ledger.newWallet();
    const gatewayA: LedgerContext = { prisma: ledger.db.prisma, now: ledger.clock.now, balanceAlertsPerWallet: 5 };
    const gatewayB: LedgerContext = { prisma: ledger.db.prisma, now: ledger.clock.now, balanceAlertsPerWallet: 5 };
    const { accepted, refused } = await settle(
      Array.from({ length: 40 }, (_, index) =>
        createBalanceAlert(index % 2 ? gatewayA : gatewayB, { scope: ledger.scope, walletId: wallet.id, threshold: BigInt(index) }),
      ),
    );
    expect(accepted).toBe(5);
    expect(refused.every((error) => error instanceof LimitExceededError)).toBe(true);
    expect(await liveAlerts(wallet.id)).toBe(5);
  });

  it("is set by BALANCE_ALERTS_PER_WALLET", () => {
    expect(loadConfig({}).balanceAlertsPerWallet).toBe(25);
    expect(loadConfig({ BALANCE_ALERTS_PER_WALLET: "3" }).balanceAlertsPerWallet).toBe(3);
  });
});

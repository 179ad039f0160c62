// Commerce INTERVAL rules run on their schedule, as jobs driven here by a clock moved by hand:
// one top-up per period, however many runners look at once.
import { describe, expect, it } from "vitest";
import { runJobsOnce } from "../../src/jobs/runner.ts";
import { gatewayJobs } from "../../src/jobs/schedule.ts";
import { currentPeriod, intervalRulesOf, periodStart, runDueIntervalRules } from "../../src/jobs/interval-top-ups.ts";
import { useGateway } from "../support/app.ts";
import { useHttp } from "../support/http.ts";
import { DAY } from "../support/ledger.ts";

const gateway = useGateway();
const http = useHttp(gateway);

async function walletWithRules(externalId: string, rules: unknown[], extra: Record<string, unknown> = {}) {
  const created = await http.send("POST", "/v1/commerce/billing/wallets", {
    json: { external_customer_id: externalId, currency: "USD", rate_amount: "0.5", recurring_transaction_rules: rules, ...extra },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { id: string };
}

async function intervalTransactions(walletId: string) {
  const history = await http.send("GET", `/v1/commerce/billing/wallets/${walletId}/wallet-transactions`);
  return (history.body.wallet_transactions as { source: string; transaction_status: string; credits: string }[]).filter(
    (transaction) => transaction.source === "INTERVAL",
  );
}

const jobsAt = (instanceId: string) => ({
  prisma: gateway.db.prisma,
  now: gateway.clock.now,
  jobs: gatewayJobs({ ledger: gateway.ledger, payments: null, sweepSeconds: 0 }),
  instanceId,
});

describe("periods", () => {
  it("keep the start's day of the month, or the month's last day", () => {
    const anchor = new Date("2026-01-31T09:00:00.000Z");
    expect(periodStart(anchor, "MONTHLY", 1).toISOString()).toBe("2026-02-28T09:00:00.000Z");
    expect(periodStart(anchor, "MONTHLY", 2).toISOString()).toBe("2026-03-31T09:00:00.000Z");
    expect(periodStart(anchor, "QUARTERLY", 4).toISOString()).toBe("2027-01-31T09:00:00.000Z");
    expect(periodStart(anchor, "YEARLY", 1).toISOString()).toBe("2027-01-31T09:00:00.000Z");
    expect(periodStart(anchor, "WEEKLY", 2).toISOString()).toBe("2026-02-14T09:00:00.000Z");
  });

  it("start at started_at, or one interval after the wallet's creation", () => {
    const created = new Date("2026-03-10T00:00:00.000Z");
    expect(currentPeriod({ interval: "MONTHLY", startedAt: null }, created, new Date("2026-04-09T23:59:59.999Z"))).toBeNull();
    expect(currentPeriod({ interval: "MONTHLY", startedAt: null }, created, new Date("2026-04-10T00:00:00.000Z"))?.toISOString()).toBe(
      "2026-04-10T00:00:00.000Z",
    );
    const startedAt = new Date("2026-05-01T00:00:00.000Z");
    expect(currentPeriod({ interval: "WEEKLY", startedAt }, created, new Date("2026-04-30T00:00:00.000Z"))).toBeNull();
    expect(currentPeriod({ interval: "WEEKLY", startedAt }, created, new Date("2026-05-01T00:00:00.000Z"))?.toISOString()).toBe(
      "2026-05-01T00:00:00.000Z",
    );
    expect(currentPeriod({ interval: "YEARLY", startedAt }, created, new Date("2031-06-01T00:00:00.000Z"))?.toISOString()).toBe(
      "2031-05-01T00:00:00.000Z",
    );
  });
});

describe("commerce INTERVAL rules", () => {
  it("add a FIXED rule's paid and granted credits at the start of each period, once", async () => {
    const startedAt = gateway.clock.now().toISOString();
    const wallet = await walletWithRules("interval-fixed", [
      { trigger: "INTERVAL", method: "FIXED", interval: "WEEKLY", paid_credits: "10", granted_credits: "2", started_at: startedAt },
    ]);

    expect((await runJobsOnce(jobsAt("one"))).map((run) => run.name)).toEqual(["commerce-interval-rules"]);
    const first = await intervalTransactions(wallet.id);
    expect(first).toHaveLength(2);
    expect(first).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ transaction_status: "GRANTED", credits: "2" }),
        expect.objectContaining({ transaction_status: "PURCHASED", credits: "10", amount: { value: "5.00", currency_code: "USD" } }),
      ]),
    );
    // Every later look within the week finds the period done.
    for (let day = 1; day <= 3; day += 1) {
      gateway.clock.advance(DAY);
      await runJobsOnce(jobsAt("one"));
    }
    expect(await intervalTransactions(wallet.id)).toHaveLength(2);

    gateway.clock.advance(4 * DAY);
    await runJobsOnce(jobsAt("two"));
    expect(await intervalTransactions(wallet.id)).toHaveLength(4);
    expect((await http.send("GET", `/v1/commerce/billing/wallets/${wallet.id}`)).body).toMatchObject({ available_credits: "24" });
  });

  it("top a TARGET rule's wallet up to target_ongoing_balance, and add nothing when it is there", async () => {
    const startedAt = gateway.clock.now().toISOString();
    const wallet = await walletWithRules(
      "interval-target",
      [{ trigger: "INTERVAL", method: "TARGET", interval: "MONTHLY", target_ongoing_balance: "50", started_at: startedAt }],
      { paid_credits: "20" },
    );
    await runDueIntervalRules(gateway.ledger);
    expect(await intervalTransactions(wallet.id)).toEqual([expect.objectContaining({ transaction_status: "PURCHASED", credits: "30" })]);

    gateway.clock.set(periodStart(new Date(startedAt), "MONTHLY", 1));
    await runDueIntervalRules(gateway.ledger);
    expect(await intervalTransactions(wallet.id)).toHaveLength(1);
    const periods = await gateway.db.prisma.intervalTopUp.findMany({ where: { walletId: wallet.id }, orderBy: { periodStart: "asc" } });
    expect(periods.map((period) => period.status)).toEqual(["credited", "skipped"]);
  });

  it("run a period once when many runners look at the same moment", async () => {
    const startedAt = gateway.clock.now().toISOString();
    const wallet = await walletWithRules("interval-race", [
      { trigger: "INTERVAL", method: "FIXED", interval: "MONTHLY", paid_credits: "7", started_at: startedAt },
    ]);
    await Promise.all([runDueIntervalRules(gateway.ledger), runDueIntervalRules(gateway.ledger), runDueIntervalRules(gateway.ledger)]);
    expect(await intervalTransactions(wallet.id)).toEqual([expect.objectContaining({ credits: "7" })]);
  });

  it("complete a period recorded by a run that died before its deposits, with the recorded amounts", async () => {
    const startedAt = gateway.clock.now().toISOString();
    const wallet = await walletWithRules("interval-crash", [
      { trigger: "INTERVAL", method: "FIXED", interval: "MONTHLY", paid_credits: "3", started_at: startedAt },
    ]);
    // What a run that stopped after recording the period leaves behind.
    const [rule] = intervalRulesOf([{ trigger: "INTERVAL", interval: "MONTHLY", paid_credits: "3", started_at: startedAt }]);
    await gateway.db.prisma.intervalTopUp.create({
      data: { walletId: wallet.id, ruleKey: rule!.key, periodStart: new Date(startedAt), paidAmount: 3_000_000n, grantedAmount: 0n },
    });
    await runDueIntervalRules(gateway.ledger);
    await runDueIntervalRules(gateway.ledger);
    expect(await intervalTransactions(wallet.id)).toEqual([expect.objectContaining({ credits: "3" })]);
  });

  it("add nothing to a terminated wallet, nor at or after the rule's expiration_at, nor for a rule without interval", async () => {
    const now = gateway.clock.now();
    const terminated = await walletWithRules("interval-terminated", [
      { trigger: "INTERVAL", interval: "WEEKLY", paid_credits: "1", started_at: now.toISOString() },
    ]);
    expect((await http.send("DELETE", `/v1/commerce/billing/wallets/${terminated.id}`)).status).toBe(200);
    const expired = await walletWithRules("interval-expired", [
      {
        trigger: "INTERVAL",
        interval: "WEEKLY",
        paid_credits: "1",
        started_at: new Date(now.getTime() - 14 * DAY).toISOString(),
        expiration_at: new Date(now.getTime() - DAY).toISOString(),
      },
    ]);
    const unscheduled = await walletWithRules("interval-unscheduled", [{ trigger: "INTERVAL", paid_credits: "1" }]);
    await runDueIntervalRules(gateway.ledger);
    for (const wallet of [terminated, expired, unscheduled]) expect(await intervalTransactions(wallet.id)).toEqual([]);
  });
});

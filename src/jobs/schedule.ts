// The gateway's jobs and how often each runs; the runner (runner.ts) shares them among gateways.
import { expireCredits, type LedgerContext } from "../ledger/index.ts";
import type { StripeAccess } from "../payments/stripe-client.ts";
import { runDueTopUps } from "../payments/top-up.ts";
import { runDueIntervalRules } from "./interval-top-ups.ts";
import type { JobDefinition } from "./runner.ts";

export interface ScheduleOptions {
  ledger: LedgerContext;
  payments: StripeAccess | null;
  /** Seconds between expiry sweeps and top-up sweeps; 0 leaves both out. */
  sweepSeconds: number;
}

/** Commerce INTERVAL rules are looked at once a minute: a period's top-up lands within a minute of its start. */
export const INTERVAL_RULES_EVERY_MS = 60_000;

export function gatewayJobs({ ledger, payments, sweepSeconds }: ScheduleOptions): JobDefinition[] {
  const jobs: JobDefinition[] = [
    { name: "commerce-interval-rules", everyMs: INTERVAL_RULES_EVERY_MS, run: () => runDueIntervalRules(ledger) },
  ];
  if (sweepSeconds > 0) {
    // Expiration entries for credits past their expiry, and holds that lapsed.
    jobs.push({ name: "expire-credits", everyMs: sweepSeconds * 1000, run: () => expireCredits(ledger) });
    // Auto top-ups due a retry, top-ups a crash or an outage left pending, refunds Stripe has not confirmed.
    if (payments) jobs.push({ name: "due-top-ups", everyMs: sweepSeconds * 1000, run: () => runDueTopUps({ ledger, payments }) });
  }
  return jobs;
}

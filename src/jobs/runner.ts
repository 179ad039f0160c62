// Jobs that any number of gateways share, and that never run twice at once: the expiry sweep,
// top-up retries and reconciliation, commerce INTERVAL rules (src/jobs/schedule.ts lists them).
//
// Each job is a row of `job`. A gateway claims every due row that no one holds in one statement:
// the rows are picked with FOR UPDATE SKIP LOCKED, so two gateways claiming at the same instant
// split them instead of waiting for or doubling each other, and each claimed row gets a lease
// (`locked_until`, `locked_by`). The job then runs outside any transaction (PGlite has one
// connection, and a long transaction would hold row locks for the whole run); the lease is
// extended while it runs, and when it finishes the row is released with its next run time.
// A gateway that dies mid-run holds the job only until its lease lapses; then another takes it.
// The lease keeps jobs apart; what a job must never do twice (credit a period, charge a top-up)
// is guarded by the job's own unique keys, so even a job taken over after a stall is safe.
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../db/generated/client.ts";
import { log } from "../observability/logger.ts";

export interface JobDefinition {
  /** The row's key; stable across releases. */
  name: string;
  /** Time from the end of one run to the next run being due. */
  everyMs: number;
  /** The work; `now` is the runner's clock when the job was claimed. Its failure is logged and kept on the row. */
  run(now: Date): Promise<unknown>;
}

export interface JobRunnerOptions {
  prisma: PrismaClient;
  /** The clock due times and leases are judged by (tests move it by hand). */
  now(): Date;
  jobs: readonly JobDefinition[];
  /** How long a claim holds without being extended (default 5 minutes). */
  leaseMs?: number;
  /** Names this process in `locked_by` (default a new random id). */
  instanceId?: string;
}

export const DEFAULT_LEASE_MS = 5 * 60_000;

export interface JobRun {
  name: string;
  /** Null when the job succeeded. */
  error: unknown;
}

/**
 * Claims every due job no other runner holds, runs them side by side, and releases each with its
 * next run time. Returns what this call ran: nothing, when all were held elsewhere or not due.
 * Fails only when the database does (a job's own failure is in its JobRun).
 */
export async function runJobsOnce(options: JobRunnerOptions): Promise<JobRun[]> {
  const { prisma, jobs } = options;
  const instanceId = options.instanceId ?? DEFAULT_INSTANCE_ID;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const now = options.now();
  const names = jobs.map((job) => job.name);
  // A job seen for the first time is due at once.
  await prisma.$executeRaw`INSERT INTO job (name, run_at) SELECT unnest(${names}::text[]), ${now} ON CONFLICT (name) DO NOTHING`;
  const claimed = await prisma.$queryRaw<{ name: string }[]>`
    UPDATE job SET locked_until = ${new Date(now.getTime() + leaseMs)}, locked_by = ${instanceId}, last_started_at = ${now}
    WHERE name IN (SELECT name FROM job
                   WHERE name = ANY(${names}::text[]) AND run_at <= ${now} AND (locked_until IS NULL OR locked_until <= ${now})
                   FOR UPDATE SKIP LOCKED)
    RETURNING name`;
  const byName = new Map(jobs.map((job) => [job.name, job]));
  return Promise.all(claimed.map(({ name }) => runClaimed(options, byName.get(name)!, now, instanceId, leaseMs)));
}

const DEFAULT_INSTANCE_ID = `gateway-${randomUUID()}`;

async function runClaimed(
  options: JobRunnerOptions,
  job: JobDefinition,
  claimedAt: Date,
  instanceId: string,
  leaseMs: number,
): Promise<JobRun> {
  const { prisma } = options;
  // Extended at a third of the lease, so a long run keeps its claim with time to spare.
  const heartbeat = setInterval(
    () => {
      prisma.job
        .updateMany({ where: { name: job.name, lockedBy: instanceId }, data: { lockedUntil: new Date(options.now().getTime() + leaseMs) } })
        .catch((error: unknown) => log().error({ err: error }, `job ${job.name}: its lease could not be extended`));
    },
    Math.max(1_000, leaseMs / 3),
  );
  let error: unknown = null;
  try {
    await job.run(claimedAt);
  } catch (failure) {
    error = failure;
    log().error({ err: failure }, `job ${job.name} failed; it runs again when next due`);
  } finally {
    clearInterval(heartbeat);
  }
  const finishedAt = options.now();
  await prisma.job.updateMany({
    where: { name: job.name, lockedBy: instanceId },
    data: {
      runAt: new Date(finishedAt.getTime() + job.everyMs),
      lockedUntil: null,
      lockedBy: null,
      lastFinishedAt: finishedAt,
      lastError: error === null ? null : error instanceof Error ? error.message : String(error),
    },
  });
  return { name: job.name, error };
}

export interface JobRunner {
  /** Runs due jobs now rather than at the next poll (e.g. after a change that makes one due). */
  poke(): void;
  /** Stops polling and resolves once the jobs this process is running have finished. */
  stop(): Promise<void>;
}

/**
 * Polls for due jobs every `pollMs` until stopped. A poll that finds the database unreachable is
 * logged and the next one tries again.
 */
export function startJobRunner(options: JobRunnerOptions & { pollMs: number }): JobRunner {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  const tick = () => {
    timer = null;
    if (stopped) return;
    running = runJobsOnce(options)
      .catch((error: unknown) => log().error({ err: error }, "jobs could not be claimed"))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.pollMs);
      });
  };
  timer = setTimeout(tick, 0);
  return {
    poke() {
      if (stopped || !timer) return;
      clearTimeout(timer);
      timer = setTimeout(tick, 0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

// The job runner: due jobs run once per claim, and a job held by one runner is left alone by
// every other runner on the database, in this process or in others.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { runJobsOnce, type JobDefinition } from "../../src/jobs/runner.ts";
import { createScratchPostgresDatabase, testDatabaseKind } from "../support/database.ts";
import { useLedger } from "../support/ledger.ts";
import { migratePostgres } from "../../src/db/postgres.ts";

const fixture = useLedger();

function countingJob(name: string, everyMs: number, runs: Date[] = []): JobDefinition & { runs: Date[] } {
  return { name, everyMs, runs, run: async (now) => void runs.push(now) };
}

describe("runJobsOnce", () => {
  it("runs a job when it is due, and again only once its interval has passed since it finished", async () => {
    const job = countingJob("every-minute", 60_000);
    const options = { prisma: fixture.db.prisma, now: fixture.clock.now, jobs: [job] };
    expect((await runJobsOnce(options)).map((run) => run.name)).toEqual(["every-minute"]);
    expect(await runJobsOnce(options)).toEqual([]);
    fixture.clock.advance(59_999);
    expect(await runJobsOnce(options)).toEqual([]);
    fixture.clock.advance(1);
    expect(await runJobsOnce(options)).toHaveLength(1);
    expect(job.runs).toHaveLength(2);
  });

  it("keeps a failed run's error on its row and runs it again when next due", async () => {
    let fail = true;
    const job: JobDefinition = {
      name: "flaky",
      everyMs: 1_000,
      run: async () => {
        if (fail) throw new Error("the card network is down");
      },
    };
    const options = { prisma: fixture.db.prisma, now: fixture.clock.now, jobs: [job] };
    const [run] = await runJobsOnce(options);
    expect((run!.error as Error).message).toBe("the card network is down");
    expect(await fixture.db.prisma.job.findUniqueOrThrow({ where: { name: "flaky" } })).toMatchObject({
      lastError: "the card network is down",
      lockedBy: null,
    });
    fail = false;
    fixture.clock.advance(1_000);
    expect(await runJobsOnce(options)).toEqual([{ name: "flaky", error: null }]);
    expect(await fixture.db.prisma.job.findUniqueOrThrow({ where: { name: "flaky" } })).toMatchObject({ lastError: null });
  });

  it("leaves a job another runner holds alone, and takes it over once that runner's lease lapsed", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow: JobDefinition = { name: "slow", everyMs: 0, run: () => held };
    const other = countingJob("slow", 0);
    const first = runJobsOnce({
      prisma: fixture.db.prisma,
      now: fixture.clock.now,
      jobs: [slow],
      instanceId: "gateway-a",
      leaseMs: 60_000,
    });
    // Wait until gateway-a holds the row.
    await expect.poll(async () => (await fixture.db.prisma.job.findUnique({ where: { name: "slow" } }))?.lockedBy).toBe("gateway-a");

    expect(await runJobsOnce({ prisma: fixture.db.prisma, now: fixture.clock.now, jobs: [other], instanceId: "gateway-b" })).toEqual([]);
    expect(other.runs).toEqual([]);
    // gateway-a stalls past its lease: the job is gateway-b's to run.
    fixture.clock.advance(60_000);
    expect(await runJobsOnce({ prisma: fixture.db.prisma, now: fixture.clock.now, jobs: [other], instanceId: "gateway-b" })).toHaveLength(
      1,
    );
    release();
    await first;
  });

  it("splits due jobs between runners claiming at the same moment, running each once", async () => {
    const runs: string[] = [];
    const jobs = ["a", "b", "c", "d", "e", "f"].map((name) => ({
      name: `split-${name}`,
      everyMs: 60_000,
      run: async () => void runs.push(name),
    }));
    const claims = await Promise.all(
      ["one", "two", "three"].map((instanceId) => runJobsOnce({ prisma: fixture.db.prisma, now: fixture.clock.now, jobs, instanceId })),
    );
    expect(claims.flat()).toHaveLength(6);
    expect(runs.sort()).toEqual(["a", "b", "c", "d", "e", "f"]);
  });
});

describe.runIf(testDatabaseKind === "postgres")("two gateway processes on one PostgreSQL database", () => {
  let databaseUrl: string;
  beforeAll(async () => {
    const scratch = await createScratchPostgresDatabase();
    await migratePostgres(scratch.ownerUrl, { appRole: scratch.appRole });
    databaseUrl = scratch.appUrl;
    return () => scratch.drop();
  });

  it("never run one job at the same time", async () => {
    const script = fileURLToPath(new URL("../support/job-runner-process.ts", import.meta.url));
    const runProcess = () =>
      new Promise<{ start: number; end: number }[]>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", script], {
          env: { ...process.env, DATABASE_URL: databaseUrl, RUNS: "40" },
          stdio: ["ignore", "pipe", "inherit"],
        });
        let out = "";
        child.stdout.on("data", (chunk) => (out += chunk));
        child.on("error", reject);
        child.on("exit", (code) =>
          code === 0
            ? resolve(
                out
                  .trim()
                  .split("\n")
                  .filter(Boolean)
                  .map((line) => JSON.parse(line)),
              )
            : reject(new Error(`exited with ${code}`)),
        );
      });
    const [one, two] = await Promise.all([runProcess(), runProcess()]);
    const all = [...one, ...two].sort((a, b) => a.start - b.start);
    expect(all.length).toBeGreaterThan(0);
    // Each run ends before the next one starts, whichever process ran them.
    for (let i = 1; i < all.length; i += 1) expect(all[i]!.start).toBeGreaterThanOrEqual(all[i - 1]!.end);
  });
});

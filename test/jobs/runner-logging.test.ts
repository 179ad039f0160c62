// Background work logs through the gateway's logger, as one JSON line with the error, never
// beside it on stderr: a failed job is an error line naming the job and carrying the error.
import { describe, expect, it } from "vitest";
import { runJobsOnce, type JobDefinition } from "../../src/jobs/runner.ts";
import { useLedger } from "../support/ledger.ts";
import { captureLogs } from "../support/logs.ts";

const fixture = useLedger();
const logs = captureLogs();

describe("the job runner's log", () => {
  it("says a job failed, at error level, with the job's name and its error", async () => {
    const failing: JobDefinition = {
      name: "failing-sweep",
      everyMs: 60_000,
      run: async () => {
        throw new Error("the card network is down");
      },
    };
    logs.clear();
    await runJobsOnce({ prisma: fixture.db.prisma, now: fixture.clock.now, jobs: [failing] });
    expect(logs.errors()).toEqual([
      expect.objectContaining({
        msg: "job failing-sweep failed; it runs again when next due",
        err: expect.objectContaining({ message: "the card network is down" }),
      }),
    ]);
  });
});

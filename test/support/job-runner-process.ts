// A gateway's job runner in a process of its own, on DATABASE_URL: it tries RUNS times to claim a
// job that is always due, and prints each run it made as {"start":ms,"end":ms} on a line.
import { setTimeout as sleep } from "node:timers/promises";
import { openDatabase } from "../../src/db/database.ts";
import { runJobsOnce } from "../../src/jobs/runner.ts";
import { systemClock } from "../../src/ledger/context.ts";

const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL!, poolSize: 2 });
const job = {
  name: "shared-probe",
  everyMs: 0,
  run: async () => {
    const start = performance.timeOrigin + performance.now();
    await sleep(15);
    process.stdout.write(`${JSON.stringify({ start, end: performance.timeOrigin + performance.now() })}\n`);
  },
};
for (let attempt = 0; attempt < Number(process.env.RUNS ?? 20); attempt += 1) {
  await runJobsOnce({ prisma: db.prisma, now: systemClock, jobs: [job] });
  await sleep(Math.random() * 10);
}
await db.close();

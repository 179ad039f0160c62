// The unit project (test/vitest.config.ts): its files run once, with no database, and the
// gateway's log is quiet there as everywhere in the suite (test/support/quiet-logs.ts).
import { expect, it } from "vitest";
import { log, redirectLogs } from "../../src/observability/logger.ts";
import { createTestDatabase } from "../support/database.ts";

it("has no database: a unit file that opens one is told to list itself under another project", async () => {
  await expect(createTestDatabase()).rejects.toThrow(
    /unit project, which has no database: list it under another project in test\/vitest\.config\.ts/,
  );
});

it("writes no info line while tests run, only warnings and errors", () => {
  const written: string[] = [];
  redirectLogs((line) => written.push(line));
  try {
    log().info({ method: "GET", status: 200 }, "request");
    log().warn("something to look at");
  } finally {
    redirectLogs(null);
  }
  expect(written.map((line) => JSON.parse(line).msg)).toEqual(["something to look at"]);
});

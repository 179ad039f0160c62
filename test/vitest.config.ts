// The test suite in five kinds of project; `npm test` runs them all, `npm run test:unit` the first.
//
//   unit      Pure tests: no database, run once. The files in UNIT below, wherever they live.
//             One that opens a database anyway fails, saying to move it out of the list.
//   database  Everything else under test/ (not a unit, process, browser or timed file), run twice: in
//             "database:pglite" on in-memory PGlite and, when TEST_DATABASE_URL names a reachable
//             PostgreSQL server, in "database:postgres" on a database of its own there.
//   process   Tests that start gateways (or the CLI) as processes of their own: test/lifecycle/,
//             test/cli/ and the multi-process files in PROCESS. On both databases too, since a
//             gateway starts differently on each (the embedded database's first start, its socket
//             for local tools; PostgreSQL's roles and migrations); two files at a time, after
//             the database files, as each starts several processes and some watch how long
//             answers take.
//   browser   test/browser/: pages in chromium, once, on PGlite (what a page shows does not depend
//             on the database), beside the process files.
//   timed     Database files in TIMED, which check how long something takes (an answer, a
//             delivery, a stream's end) against a generous bound: on both databases, one file at
//             a time at the end of the run, with nothing else of the suite beside them.
//
// A new file is a database test unless listed here or put in those folders. test/support/database.ts
// reads TEST_DATABASE_KIND to know which database to open; each file gets a copy of a database the
// run migrated once (test/support/database-templates.ts). The gateway logs at warn while tests run
// (test/support/quiet-logs.ts; TEST_LOG_LEVEL=info for more). Without a PostgreSQL server the
// PostgreSQL projects are left out, and the run says so at the start and at the end.
//
// vitest's default of one worker per core less one is one worker on a 2-core machine; database
// tests spend much of their time waiting on the database, so they run three at a time.
//
// The database projects' files run one after another in each worker and share its modules
// (isolate: false) instead of importing the gateway afresh for each file: the schema is built,
// Prisma's client and PGlite's WebAssembly loaded, once per worker rather than for seconds per
// file. What the gateway keeps per process is started afresh for each file by
// test/support/metrics-per-file.ts (the /metrics counts), and what a file leaves repeating on a
// timer is stopped when it ends (test/support/timers-per-file.ts), as its process's end did; a
// module that keeps other state across requests must keep it per app (createApp), or be started
// afresh there too. The timed files stay one per process: their bounds on time are measured
// without the files before them.
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

const root = fileURLToPath(new URL("..", import.meta.url));

/** No database, no process, no browser. */
const UNIT = [
  "test/architecture/layers.test.ts",
  "test/auth/token-cache.test.ts",
  "test/browser/amount-input.test.ts",
  "test/browser/money.test.ts",
  "test/docs/links.test.ts",
  "test/docs/tables.test.ts",
  "test/events/wire-format.test.ts",
  "test/graphql/schema.test.ts",
  "test/ledger/error-messages.test.ts",
  "test/lifecycle/event-streams.test.ts",
  "test/lifecycle/http-server-drain.test.ts",
  "test/lifecycle/write-stall.test.ts",
  "test/payments/config.test.ts",
  "test/rest/exact-json.test.ts",
  "test/suite/unit-project.test.ts",
];

/** Gateways or tools in processes of their own. */
const PROCESS = [
  "test/lifecycle/**/*.test.ts",
  "test/cli/**/*.test.ts",
  "test/http/event-feed.test.ts",
  "test/http/rate-limit.test.ts",
  "test/jobs/runner.test.ts",
];

const BROWSER = ["test/browser/**/*.test.ts"];

/** Database tests whose bounds on time would be tested against the files running beside them. */
const TIMED = ["test/http/stream-backpressure.test.ts", "test/security/stream-limits.test.ts", "test/security/webhook-hostile.test.ts"];

// A listed file that was renamed or removed would otherwise quietly become a database test.
for (const file of [...UNIT, ...PROCESS, ...TIMED].filter((entry) => !entry.includes("*"))) {
  if (!fs.existsSync(new URL(`../${file}`, import.meta.url))) throw new Error(`test/vitest.config.ts lists ${file}, which does not exist`);
}

/** Why the PostgreSQL half cannot run, or null when it can. */
async function postgresUnavailable(url: string | undefined): Promise<string | null> {
  if (!url) return "TEST_DATABASE_URL is not set";
  let host: string;
  try {
    host = new URL(url).host;
  } catch {
    return "TEST_DATABASE_URL is not a valid URL";
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return null;
  } catch (error) {
    return `TEST_DATABASE_URL (${host}) is not reachable: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The projects named with --project, if any: `npm run test:unit` has no PostgreSQL half to miss. */
function projectsAskedFor(argv: string[]): string[] {
  return argv.flatMap((arg, index) =>
    arg === "--project" ? [argv[index + 1] ?? ""] : arg.startsWith("--project=") ? [arg.slice("--project=".length)] : [],
  );
}
const asked = projectsAskedFor(process.argv);
const onlyWithoutPostgres = asked.length > 0 && asked.every((name) => name === "unit" || name === "browser");

const unavailable = await postgresUnavailable(process.env.TEST_DATABASE_URL);
if (unavailable && !onlyWithoutPostgres) {
  const notice = `\n*** PostgreSQL half SKIPPED: ${unavailable}. Only PGlite was tested. ***\n`;
  console.warn(notice);
  // Again after the summary, where it cannot scroll away unread.
  process.on("exit", () => console.warn(notice));
}
const kinds = unavailable ? (["pglite"] as const) : (["pglite", "postgres"] as const);

const shared = { testTimeout: 60_000, hookTimeout: 60_000, setupFiles: ["test/support/quiet-logs.ts"] };
const onDatabase = { ...shared, globalSetup: ["test/support/database-templates.ts"] };
const sharingModules = {
  ...onDatabase,
  isolate: false,
  setupFiles: [...shared.setupFiles, "test/support/metrics-per-file.ts", "test/support/timers-per-file.ts"],
};

// Projects with different numbers of workers run one after another (vitest's groupOrder).
const projects: TestProjectInlineConfiguration[] = [
  { test: { ...shared, name: "unit", include: UNIT, env: { TEST_DATABASE_KIND: "none" }, maxWorkers: 3, sequence: { groupOrder: 0 } } },
  ...kinds.map((kind) => ({
    test: {
      ...sharingModules,
      name: `database:${kind}`,
      include: ["test/**/*.test.ts"],
      exclude: [...UNIT, ...PROCESS, ...BROWSER, ...TIMED],
      env: { TEST_DATABASE_KIND: kind },
      maxWorkers: 3,
      sequence: { groupOrder: 0 },
    },
  })),
  ...kinds.map((kind) => ({
    test: {
      ...onDatabase,
      name: `process:${kind}`,
      include: PROCESS,
      exclude: UNIT,
      env: { TEST_DATABASE_KIND: kind },
      maxWorkers: 2,
      sequence: { groupOrder: 1 },
    },
  })),
  {
    test: {
      ...onDatabase,
      name: "browser",
      include: BROWSER,
      exclude: UNIT,
      env: { TEST_DATABASE_KIND: "pglite" },
      maxWorkers: 2,
      sequence: { groupOrder: 1 },
    },
  },
  // One worker and the default group order: vitest runs these last, one file at a time.
  ...kinds.map((kind) => ({
    test: { ...onDatabase, name: `timed:${kind}`, include: TIMED, env: { TEST_DATABASE_KIND: kind }, maxWorkers: 1 },
  })),
];

export default defineConfig({ root, test: { projects } });

// Counts the SQL statements Prisma sends (round trips to the database) and the rows they return,
// whatever client sends them, and those of the raw-query port (src/db/raw-query.ts), which reports
// them alike: one Prisma operation can be several statements (an `include` loads
// each relation with its own), and a statement can return far more rows than a page shows, which
// counting operations alone cannot see. Prisma reports each statement to a tracing helper
// registered on `globalThis` (the contract of @prisma/instrumentation); this one counts the
// `db_query` spans and the rows of their results, and traces nothing.

interface TracingHelper {
  isEnabled(): boolean;
  getTraceParent(): string;
  dispatchEngineSpans(): void;
  getActiveContext(): undefined;
  runInChildSpan<T>(options: string | { name: string; attributes?: Record<string, unknown> }, callback: () => T): T;
}

const REGISTRATION = "PRISMA_INSTRUMENTATION";

/** Counts statements and rows until `stop()`, and keeps each statement's text; one counter at a time. */
export function countingSqlStatements(): { statements(): number; rows(): number; texts(): string[]; stop(): void } {
  const global = globalThis as Record<string, unknown>;
  if (global[REGISTRATION]) throw new Error("another tracing helper is registered");
  let statements = 0;
  let rows = 0;
  const texts: string[] = [];
  const countRows = (result: unknown) => {
    const resultRows = (result as { rows?: unknown } | null)?.rows;
    if (Array.isArray(resultRows)) rows += resultRows.length;
    return result;
  };
  const helper: TracingHelper = {
    isEnabled: () => true,
    getTraceParent: () => "00-10-10-00",
    dispatchEngineSpans: () => {},
    getActiveContext: () => undefined,
    runInChildSpan(options, callback) {
      if (typeof options !== "object" || options.name !== "db_query") return callback();
      statements += 1;
      texts.push(String(options.attributes?.["db.query.text"] ?? ""));
      const result = callback();
      return (result instanceof Promise ? result.then(countRows) : countRows(result)) as typeof result;
    },
  };
  global[REGISTRATION] = { helper };
  return {
    statements: () => statements,
    rows: () => rows,
    texts: () => [...texts],
    stop: () => {
      delete global[REGISTRATION];
    },
  };
}

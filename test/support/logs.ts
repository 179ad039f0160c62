// The gateway's log lines, caught for the length of a test file instead of written to stdout, at
// the level production runs at (info) or the one asked for: tests otherwise log at warn
// (quiet-logs.ts).
import { afterAll, beforeAll } from "vitest";
import { redirectLogs, rootLogger, setLogLevel, type LogLevel } from "../../src/observability/logger.ts";

export interface CapturedLine {
  level: string;
  msg: string;
  err?: { message: string; type: string };
  [field: string]: unknown;
}

export interface CapturedLogs {
  lines: CapturedLine[];
  /** Lines at error level or above. */
  errors(): CapturedLine[];
  clear(): void;
}

export function captureLogs(level: LogLevel = "info"): CapturedLogs {
  const captured: CapturedLogs = {
    lines: [],
    errors: () => captured.lines.filter((line) => line.level === "error" || line.level === "fatal"),
    clear: () => void captured.lines.splice(0),
  };
  let levelBefore: LogLevel = "info";
  beforeAll(() => {
    levelBefore = rootLogger.level as LogLevel;
    setLogLevel(level);
    redirectLogs((line) => captured.lines.push(JSON.parse(line) as CapturedLine));
  });
  afterAll(() => {
    redirectLogs(null);
    setLogLevel(levelBefore);
  });
  return captured;
}

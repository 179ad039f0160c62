// The gateway's log lines, caught for the length of a test file instead of written to stdout.
import { afterAll, beforeAll } from "vitest";
import { redirectLogs } from "../../src/observability/logger.ts";

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

export function captureLogs(): CapturedLogs {
  const captured: CapturedLogs = {
    lines: [],
    errors: () => captured.lines.filter((line) => line.level === "error" || line.level === "fatal"),
    clear: () => void captured.lines.splice(0),
  };
  beforeAll(() => redirectLogs((line) => captured.lines.push(JSON.parse(line) as CapturedLine)));
  afterAll(() => redirectLogs(null));
  return captured;
}

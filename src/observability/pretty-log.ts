// A log line for people at a terminal: time, level, message, then the other fields as
// key=value, and an error's stack on the lines below. Log collectors get the JSON (logger.ts).
const COLOURS: Record<string, string> = {
  fatal: "\x1b[41m",
  error: "\x1b[31m",
  warn: "\x1b[33m",
  info: "\x1b[32m",
  debug: "\x1b[36m",
  trace: "\x1b[90m",
};
const RESET = "\x1b[0m";
const DIM = "\x1b[2m";

export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { time, level, msg, err, ...fields } = entry;
  const clock = typeof time === "string" ? time.slice(11, 23) : "";
  const label = String(level ?? "")
    .toUpperCase()
    .padEnd(5);
  const rest = Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
  const stack =
    err && typeof err === "object" ? `\n${String((err as { stack?: unknown }).stack ?? (err as { message?: unknown }).message ?? "")}` : "";
  return `${DIM}${clock}${RESET} ${COLOURS[String(level)] ?? ""}${label}${RESET} ${String(msg ?? "")}${rest ? ` ${DIM}${rest}${RESET}` : ""}${stack}\n`;
}

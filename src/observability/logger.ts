// The gateway's log: JSON lines (pino) on stdout, one object per event, for a log collector; on a
// terminal, the same events as short readable lines. While a request is being answered, log()
// is that request's logger: every line it writes carries the request's id (and, once the token
// is checked, its tenant), wherever in the code it is written.
import { AsyncLocalStorage } from "node:async_hooks";
import pino, { type Level, type Logger } from "pino";
import { prettyLine } from "./pretty-log.ts";

export type { Logger } from "pino";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * What a request carries while it is answered (request-observation.ts fills it in). Its logger is
 * made when a line is first written: most requests write none at the levels run in production,
 * and a child logger serialises its bindings when made.
 */
export class RequestContext {
  #logger: Logger | null = null;
  /** Set once the request's token is accepted (identify). */
  tenantId: string | null = null;

  constructor(readonly requestId: string) {}

  get logger(): Logger {
    this.#logger ??= rootLogger.child(
      this.tenantId === null ? { requestId: this.requestId } : { requestId: this.requestId, tenantId: this.tenantId },
    );
    return this.#logger;
  }

  /** The tenant, on every line written from now on. */
  identify(tenantId: string): void {
    this.tenantId = tenantId;
    if (this.#logger) this.#logger = this.#logger.child({ tenantId });
  }
}

const requests = new AsyncLocalStorage<RequestContext>();

// Synchronous writes: a line written just before the process exits is not lost.
const stdout = pino.destination({ fd: 1, sync: true });
const toStdout = process.stdout.isTTY ? (line: string) => void stdout.write(prettyLine(line)) : (line: string) => void stdout.write(line);
let sink: (line: string) => void = toStdout;
const destination = { write: (line: string) => sink(line) };

/** Sends every log line (JSON) to `write` instead of stdout, until called with null: for tests. */
export function redirectLogs(write: ((line: string) => void) | null): void {
  sink = write ?? toStdout;
}

/** The process's logger, for what happens outside any request (start-up, sweeps, shutdown). */
export const rootLogger: Logger = pino(
  {
    level: "info",
    // No pid or hostname on every line: the collector knows where a line comes from.
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  },
  destination,
);

export function setLogLevel(level: LogLevel): void {
  rootLogger.level = level;
}

/** The current request's logger, or the process's outside a request. */
export function log(): Logger {
  return requests.getStore()?.logger ?? rootLogger;
}

export function currentRequest(): RequestContext | undefined {
  return requests.getStore();
}

export function runInRequest<T>(context: RequestContext, run: () => T): T {
  return requests.run(context, run);
}

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

export type { Level };

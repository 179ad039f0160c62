// Opening the database when the gateway starts: a database that is still coming up (a container
// started alongside, a server restarting) is waited for, with backoff, up to a deadline; a failure
// that waiting cannot fix (no such database or role, a wrong password) stops at once. Either way
// the gateway says in one sentence what is wrong, instead of the driver's error fields.
import { setTimeout as sleep } from "node:timers/promises";
import { openDatabase, type Database, type DatabaseOptions } from "./database.ts";
import { DataDirInUseError } from "./data-dir-lock.ts";

/** A start-up failure whose message is the whole story: printed as it is, with no stack trace. */
export class DatabaseStartError extends Error {}

export interface ConnectOptions {
  /** How long to keep trying; 0 tries once. */
  timeoutMs: number;
  /** Aborted when the gateway is told to stop meanwhile. */
  signal?: AbortSignal;
  /** Told before each wait, with why the database could not be opened. */
  onRetry?(reason: string, delayMs: number): void;
}

const FIRST_DELAY_MS = 250;
const LONGEST_DELAY_MS = 5_000;

export async function openDatabaseAtStart(options: DatabaseOptions, connect: ConnectOptions): Promise<Database> {
  const deadline = Date.now() + connect.timeoutMs;
  for (let delay = FIRST_DELAY_MS; ; delay = Math.min(delay * 2, LONGEST_DELAY_MS)) {
    try {
      return await openDatabase(options);
    } catch (error) {
      if (error instanceof DataDirInUseError) throw new DatabaseStartError(error.message);
      const failure = classify(error, options.databaseUrl);
      const wait = Math.min(delay, deadline - Date.now());
      if (!failure.transient || wait <= 0 || connect.signal?.aborted) {
        const waited =
          failure.transient && connect.timeoutMs > 0
            ? ` Gave up after ${Math.round(connect.timeoutMs / 1000)} s (DATABASE_CONNECT_TIMEOUT_MS).`
            : "";
        throw new DatabaseStartError(`${failure.explanation}${waited}`, { cause: error });
      }
      connect.onRetry?.(failure.explanation, wait);
      await sleep(wait, undefined, { signal: connect.signal }).catch(() => {});
    }
  }
}

interface Failure {
  explanation: string;
  /** Whether waiting may help: the server may be on its way up. */
  transient: boolean;
}

/** Why the database could not be opened, in words, from the driver's codes (SQLSTATE or errno). */
export function classify(error: unknown, databaseUrl: string | undefined): Failure {
  const where = describe(databaseUrl);
  const { code, message } = rootCause(error);
  switch (code) {
    case "ECONNREFUSED":
      return { transient: true, explanation: `Nothing accepts connections at ${where.server}: is PostgreSQL running there?` };
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return { transient: true, explanation: `The host "${where.host}" in DATABASE_URL is unknown: no address was found for it.` };
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return { transient: true, explanation: `${where.server} does not answer (the network or a firewall drops the connection).` };
    case "ECONNRESET":
    case "57P03":
      return { transient: true, explanation: `PostgreSQL at ${where.server} is starting up or shutting down.` };
    case "53300":
      return { transient: true, explanation: `PostgreSQL at ${where.server} has no connection to spare (too many clients).` };
    case "3D000":
      return {
        transient: false,
        explanation: `PostgreSQL at ${where.server} has no database "${where.database}": create it (createdb ${where.database}) or correct DATABASE_URL.`,
      };
    case "28000":
      return /does not exist/.test(message)
        ? {
            transient: false,
            explanation: `PostgreSQL at ${where.server} has no role "${where.user}": create it (createuser ${where.user}) or correct DATABASE_URL.`,
          }
        : {
            transient: false,
            explanation: `PostgreSQL at ${where.server} does not let role "${where.user}" connect from here (pg_hba.conf): ${message}`,
          };
    case "28P01":
      return {
        transient: false,
        explanation: `PostgreSQL at ${where.server} refused the password of role "${where.user}": correct it in DATABASE_URL.`,
      };
  }
  // Ours (migrations missing, a role that may not migrate) say what to do already.
  return { transient: false, explanation: `The database could not be opened: ${message}` };
}

function rootCause(error: unknown): { code: string | undefined; message: string } {
  let current = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown[] } | undefined;
  for (let depth = 0; current && depth < 5; depth += 1) {
    if (typeof current.code === "string") return { code: current.code, message: String(current.message ?? "") };
    // Node tries each address of a host (IPv6, IPv4) and reports an AggregateError.
    current = (current.cause ?? current.errors?.[0]) as typeof current;
  }
  return { code: undefined, message: error instanceof Error ? error.message : String(error) };
}

function describe(databaseUrl: string | undefined) {
  try {
    const url = new URL(databaseUrl ?? "");
    const host = url.hostname || "localhost";
    return {
      host,
      server: `${host}:${url.port || 5432}`,
      database: decodeURIComponent(url.pathname.slice(1)) || "postgres",
      user: decodeURIComponent(url.username) || "postgres",
    };
  } catch {
    return { host: "?", server: "the server in DATABASE_URL", database: "?", user: "?" };
  }
}

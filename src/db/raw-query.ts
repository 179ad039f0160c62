// A raw-query port beside the Prisma client, for the few statements on the hot path whose cost is
// Prisma's more than the database's: a `$queryRaw` goes through the client's request pipeline,
// the query interpreter and the driver adapter's row conversion, several times the gateway CPU of
// the driver call itself. The debit, one SQL function call, is such a statement (debit.ts).
//
// The port is attached to the client it stands beside (the same pool on PostgreSQL, the same
// instance on PGlite) and found by that client: a transaction's client, or a client extended
// for counting (tests), has none, and its statements go through Prisma as before, in its
// transaction. Either way each statement is reported to Prisma's tracing helper, so that tracing
// and round-trip counts see it. Statements go to the driver as written and rows come back as the
// drivers parse them, alike on both (jsonb as objects, bigint as BigInt, numeric as Decimal); failures read as
// Prisma's (RawQueryError).
import type { PGlite } from "@electric-sql/pglite";
import { DriverAdapterError } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { Prisma, type PrismaClient } from "./generated/client.ts";

const { types: pgTypes } = pg;

export interface RawStatement {
  /**
   * A name under which PostgreSQL keeps the statement parsed and planned on each connection it
   * runs on (a prepared statement); the same name must always come with the same text. PGlite,
   * one session in this process, parses each time. None: parsed each time (a text that varies).
   */
  name?: string;
  text: string;
  values: unknown[];
}

export interface RawQuery {
  rows<T>(statement: RawStatement): Promise<T[]>;
}

const ports = new WeakMap<object, RawQuery>();

/** Makes `port` the way `client`'s own raw statements go (postgres.ts, pglite.ts). */
export function attachRawQuery(client: PrismaClient, port: RawQuery, system: "postgresql"): void {
  ports.set(client, traced(port, system));
}

/** What Prisma reports its statements to (the contract of @prisma/instrumentation), when one is registered. */
interface TracingHelper {
  isEnabled(): boolean;
  runInChildSpan<T>(options: { name: string; kind?: number; attributes?: Record<string, unknown> }, callback: () => T): T;
}

/** OpenTelemetry's SpanKind.CLIENT, as Prisma gives it. */
const CLIENT_SPAN = 2;

/**
 * The port's statements reported as Prisma reports its own (a `db_query` span with the text), so
 * that tracing, and the tests that count round trips (test/support/sql-statements.ts), see them.
 */
function traced(port: RawQuery, system: string): RawQuery {
  return {
    rows<T>(statement: RawStatement) {
      const helper = (globalThis as { PRISMA_INSTRUMENTATION?: { helper?: TracingHelper } }).PRISMA_INSTRUMENTATION?.helper;
      if (!helper?.isEnabled()) return port.rows<T>(statement);
      return helper.runInChildSpan(
        { name: "db_query", kind: CLIENT_SPAN, attributes: { "db.query.text": statement.text, "db.system.name": system } },
        () => port.rows<T>(statement),
      );
    },
  };
}

/** The port attached to this client, or one through the client itself (a transaction's, an extended one). */
export function rawQueryOf(client: PrismaClient): RawQuery {
  return ports.get(client) ?? throughPrisma(client);
}

/**
 * A query built with Prisma's `sql` template, through the port: for reads whose many rows cost
 * more in Prisma's row conversion than in the database. Unprepared, since such a text varies
 * with what is asked.
 */
export function queryRows<T>(client: PrismaClient, query: Prisma.Sql): Promise<T[]> {
  return rawQueryOf(client).rows<T>({ text: query.text, values: query.values });
}

function throughPrisma(client: PrismaClient): RawQuery {
  return { rows: <T>({ text, values }: RawStatement) => client.$queryRawUnsafe<T[]>(text, ...values) };
}

const INT8 = 20;
const NUMERIC = 1700;

/** A numeric as Prisma gives it, a Decimal (the drivers give its text). */
const decimal = (text: string) => new Prisma.Decimal(text);

/** pg's parsers, but bigint as BigInt and numeric as Decimal: one type per column whichever the database, as Prisma's. */
const PG_TYPES = {
  getTypeParser: (oid: number, format?: "text" | "binary") =>
    oid === INT8 ? BigInt : oid === NUMERIC ? decimal : pgTypes.getTypeParser(oid, format as "text"),
};

/** Through a connection of the pool the Prisma client uses: the pool's bound holds for both. */
export function pgRawQuery(pool: pg.Pool): RawQuery {
  return {
    async rows<T>({ name, text, values }: RawStatement) {
      try {
        return (await pool.query({ name, text, values, types: PG_TYPES })).rows as T[];
      } catch (error) {
        throw asAdapterError(error);
      }
    },
  };
}

/** PGlite's parsers, but bigint always as BigInt (PGlite gives a number when it fits one) and numeric as Decimal, as pg's above. */
const PGLITE_PARSERS = { parsers: { [INT8]: (text: string) => BigInt(text), [NUMERIC]: decimal } };

/** Through the PGlite instance itself, as its Prisma adapter sends statements outside transactions (it queues them). */
export function pgliteRawQuery(pglite: PGlite): RawQuery {
  return {
    async rows<T>({ text, values }: RawStatement) {
      try {
        return (await pglite.query<T>(text, values, PGLITE_PARSERS)).rows;
      } catch (error) {
        throw asAdapterError(error);
      }
    },
  };
}

/**
 * A statement's failure as Prisma reports a raw query's (code P2010, the driver adapter's error
 * in `meta`), so that what reads those (isUniqueViolation, isNumericOutOfRange,
 * isDatabaseUnavailable) reads these alike.
 */
export class RawQueryError extends Error {
  override name = "RawQueryError";
  readonly code = "P2010";
  readonly meta: { driverAdapterError: DriverAdapterError };
  constructor(driverAdapterError: DriverAdapterError) {
    super(driverAdapterError.message);
    this.meta = { driverAdapterError };
  }
}

/** SQLSTATEs of a server that is stopping, starting or out of connections: the statement may be retried. */
const UNAVAILABLE_STATES: Record<string, "TooManyConnections" | "ConnectionClosed"> = {
  "53300": "TooManyConnections",
  "57P01": "ConnectionClosed",
  "57P02": "ConnectionClosed",
  "57P03": "ConnectionClosed",
};

type AdapterErrorPayload = ConstructorParameters<typeof DriverAdapterError>[0];

/**
 * The driver's failure as the driver adapter would give it, in a RawQueryError. Node's socket
 * errors stay as they are (their codes are read as they come), and so does what is no database
 * error at all; a connection lost or not had in time, which pg reports with a message only, is
 * ConnectionClosed or SocketTimeout.
 */
function asAdapterError(error: unknown): unknown {
  const payload = adapterErrorPayload(error);
  return payload ? new RawQueryError(new DriverAdapterError(payload)) : error;
}

function adapterErrorPayload(error: unknown): AdapterErrorPayload | null {
  if (!(error instanceof Error)) return null;
  const failure = error as Error & {
    code?: unknown;
    severity?: unknown;
    detail?: unknown;
    constraint?: unknown;
    column?: unknown;
    hint?: unknown;
  };
  const { code, message } = failure;
  if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) {
    const original = { originalCode: code, originalMessage: message };
    const unavailable = UNAVAILABLE_STATES[code] ?? (code.startsWith("08") ? "ConnectionClosed" : undefined);
    if (unavailable === "TooManyConnections") return { kind: unavailable, cause: message, ...original };
    if (unavailable) return { kind: unavailable, ...original };
    if (code === "22003") return { kind: "ValueOutOfRange", cause: message, ...original };
    if (code === "23505")
      return {
        kind: "UniqueConstraintViolation",
        constraint: typeof failure.constraint === "string" ? { index: failure.constraint } : undefined,
        ...original,
      };
    const text = (value: unknown) => (typeof value === "string" ? value : undefined);
    return {
      kind: "postgres",
      code,
      severity: text(failure.severity) ?? "ERROR",
      message,
      detail: text(failure.detail),
      column: text(failure.column),
      hint: text(failure.hint),
      ...original,
    };
  }
  if (typeof code === "string") return null;
  if (/^Connection terminated|Client has encountered a connection error|Client was closed/i.test(message))
    return { kind: "ConnectionClosed" };
  if (/timeout exceeded when trying to connect/i.test(message)) return { kind: "SocketTimeout" };
  return null;
}

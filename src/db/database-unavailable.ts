// Whether a failure means the database could not be reached (down, restarting, refusing
// connections, out of connections), as opposed to a bug. Such a request changed nothing and may
// be retried, so it is answered 503 rather than 500.

/** Prisma's codes for a database it could not reach or talk to. */
const PRISMA_CONNECTION_CODES = new Set(["P1000", "P1001", "P1002", "P1003", "P1008", "P1010", "P1011", "P1017", "P2024"]);

/** The kinds a driver adapter (pg, PGlite) gives such failures. */
const ADAPTER_CONNECTION_KINDS = new Set([
  "DatabaseNotReachable",
  "DatabaseDoesNotExist",
  "DatabaseAccessDenied",
  "ConnectionClosed",
  "TlsConnectionError",
  "AuthenticationFailed",
  "TooManyConnections",
  "SocketTimeout",
]);

/** Node's socket errors, when a driver lets one through. */
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "EPIPE", "EAI_AGAIN"]);

export function isDatabaseUnavailable(error: unknown): boolean {
  // Causes nest (a transaction's error wraps the driver's); a few levels are plenty.
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 5; depth += 1) {
    const candidate = current as {
      name?: unknown;
      code?: unknown;
      kind?: unknown;
      meta?: { driverAdapterError?: { cause?: { kind?: unknown } } };
      cause?: unknown;
    };
    if (candidate.name === "PrismaClientInitializationError") return true;
    if (typeof candidate.code === "string" && (PRISMA_CONNECTION_CODES.has(candidate.code) || SOCKET_CODES.has(candidate.code)))
      return true;
    const kind =
      candidate.meta?.driverAdapterError?.cause?.kind ??
      (candidate.name === "DriverAdapterError" ? (candidate.cause as { kind?: unknown } | undefined)?.kind : undefined);
    if (typeof kind === "string" && ADAPTER_CONNECTION_KINDS.has(kind)) return true;
    current = candidate.cause;
  }
  return false;
}

// Idempotency, written once. A keyed request is stored under a unique index (an operation, a
// top-up); asked again with the same key it answers what the first answered, and with other input
// it is an IdempotencyConflictError. Two concurrent first requests with one key cannot both
// commit: the loser hits the index, finds the winner's record and answers as a replay of it.

/**
 * A unique violation of `constraint` (an index or constraint name), whichever statement raised
 * it: a Prisma call, raw SQL or a SQL function, on PostgreSQL (whose adapter names the index) or
 * PGlite (whose adapter names only the columns; both carry PostgreSQL's message, which names it).
 */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const cause = (error as { meta?: { driverAdapterError?: { cause?: UniqueViolationCause } } } | null)?.meta?.driverAdapterError?.cause;
  if (!cause || (cause.kind !== "UniqueConstraintViolation" && cause.originalCode !== "23505")) return false;
  return cause.constraint?.index === constraint || (cause.originalMessage ?? "").includes(`"${constraint}"`);
}

interface UniqueViolationCause {
  kind?: string;
  originalCode?: string;
  originalMessage?: string;
  constraint?: { index?: string };
}

/** Where a kind of keyed request is stored, and how its answer is given again. */
export interface KeyedRecords<R, T, D = never> {
  /** The unique index over the key. */
  constraint: string;
  /** Looks in `db` when given (e.g. a transaction holding a lock), else outside any transaction. */
  find(idempotencyKey: string, db?: D): Promise<R | null>;
  /** The first request's answer; IdempotencyConflictError when `record` was asked with other input. */
  replay(record: R, db?: D): Promise<T>;
}

/**
 * Runs a keyed request once. `run` is handed `replayEarlier`, to call where the request should
 * look for an earlier one (first thing, or under a lock it takes): it answers that request's
 * replay, or null. Should `run` hit the key's unique index (a concurrent first request committed
 * first), the answer is that request's replay. Without a key, `run` simply runs.
 */
export async function runOnce<R, T, D = never>(
  idempotencyKey: string | null,
  records: KeyedRecords<R, T, D>,
  run: (replayEarlier: (db?: D) => Promise<T | null>) => Promise<T>,
): Promise<T> {
  const replayEarlier = async (db?: D): Promise<T | null> => {
    if (!idempotencyKey) return null;
    const earlier = await records.find(idempotencyKey, db);
    return earlier ? records.replay(earlier, db) : null;
  };
  try {
    return await run(replayEarlier);
  } catch (error) {
    if (!idempotencyKey || !isUniqueViolation(error, records.constraint)) throw error;
    const winner = await replayEarlier();
    if (winner === null) throw error;
    return winner;
  }
}

// How many rows of a table a piece of work read, counted by the database itself: its per
// transaction statistics of tuples returned by sequential scans of the table and by scans of
// each of its indexes. Deterministic, unlike a timing, so a test can say "this read does not
// grow with the table".
import type { PrismaClient } from "../../src/db/generated/client.ts";

type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

async function tuplesReturned(tx: Tx, table: string): Promise<bigint> {
  const [row] = await tx.$queryRaw<{ rows: bigint }[]>`
    SELECT COALESCE(SUM(pg_stat_get_xact_tuples_returned(c.oid)), 0)::bigint AS rows
    FROM pg_class c
    WHERE c.oid = ${table}::regclass OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = ${table}::regclass)`;
  return row!.rows;
}

/** Runs `work` in a transaction on `prisma` and returns the rows of `table` it read. */
export async function rowsRead(
  prisma: PrismaClient,
  table: string,
  work: (inTransaction: PrismaClient) => Promise<unknown>,
): Promise<number> {
  return prisma.$transaction(async (tx) => {
    const before = await tuplesReturned(tx, table);
    await work(tx as unknown as PrismaClient);
    return Number((await tuplesReturned(tx, table)) - before);
  });
}

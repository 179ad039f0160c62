// A page of entries for each of many wallets in one round trip, for lists of wallets that show
// their latest entries. Each wallet's page is cut by the database: a LATERAL join walks the
// wallet's (wallet_id, sequence) index from the newest (or oldest) entry and stops after `limit`
// rows, so a page reads about `limit` rows per wallet whatever the wallet's age. Wallets outside
// the scope have no page: the join starts from the wallets the scope may see. A caller that shows
// a few fields of each entry may read only those.
import { Prisma, type LedgerEntry, type LedgerEntryType } from "../db/generated/client.ts";
import { queryRows } from "../db/raw-query.ts";
import { walletsInScopeSql } from "./access.ts";
import type { LedgerContext, Scope } from "./context.ts";
import { ValidationError } from "./errors.ts";
import { isStorableText } from "./input.ts";
import { LEDGER_ENTRY_FIELDS, ledgerEntryColumns } from "./rows.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Which entries a page lists and a count counts. */
export interface WalletEntryFilter {
  types?: LedgerEntryType[] | null;
  /** Entries on blocks of this category. Text PostgreSQL could not store matches nothing. */
  category?: string | null;
  /** Created at or after. */
  createdFrom?: Date | null;
  /** Created strictly before. */
  createdBefore?: Date | null;
}

export interface WalletEntryPage extends WalletEntryFilter {
  /** `desc`: newest first; `asc`: oldest first. */
  order: "asc" | "desc";
  /** Most entries per wallet: the caller asks one more than it shows, to know whether more follow. */
  limit: number;
  /**
   * Start after this entry (its id), in `order`. An id that names no entry of the wallet leaves
   * that wallet's page empty.
   */
  afterEntryId?: string | null;
}

/** What every page reads of its entries, whatever else is asked: it places them on their wallet's page. */
type PlacingFields = "id" | "walletId" | "sequence";

/**
 * Each wallet's page, in `order`, its entries read with `fields` (all by default); a wallet
 * outside the scope, or without entries on the page, is missing from the map. Fails with
 * ValidationError for a limit that is not a whole number from 1 to 201, or a cursor id that is
 * not a UUID.
 */
export async function ledgerEntryPages<F extends keyof LedgerEntry = keyof LedgerEntry>(
  ctx: LedgerContext,
  scope: Scope,
  walletIds: readonly string[],
  page: WalletEntryPage,
  fields: readonly F[] = LEDGER_ENTRY_FIELDS as F[],
): Promise<Map<string, Pick<LedgerEntry, F | PlacingFields>[]>> {
  if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > 201) {
    throw new ValidationError("limit must be 1 to 201", [{ path: ["limit"], message: "must be 1 to 201" }]);
  }
  if (page.afterEntryId != null && !UUID.test(page.afterEntryId)) {
    throw new ValidationError("cursor is not valid", [{ path: ["cursor"], message: "is not valid" }]);
  }
  const pages = new Map<string, Pick<LedgerEntry, F | PlacingFields>[]>();
  const conditions = entryConditions(page);
  if (walletIds.length === 0 || !conditions) return pages;
  const direction = Prisma.raw(page.order === "asc" ? "ASC" : "DESC");
  const cursor =
    page.afterEntryId == null
      ? Prisma.empty
      : Prisma.sql`AND e.sequence ${Prisma.raw(page.order === "asc" ? ">" : "<")} (
          SELECT c.sequence FROM ledger_entry c WHERE c.id = ${page.afterEntryId}::uuid AND c.wallet_id = w.id)`;
  const columns = ledgerEntryColumns([...new Set<keyof LedgerEntry>(["id", "walletId", "sequence", ...fields])]);
  // A page of many wallets is hundreds of rows: read through the raw-query port.
  const rows = await queryRows<Pick<LedgerEntry, F | PlacingFields>>(
    ctx.prisma,
    Prisma.sql`
    SELECT ${columns}
    FROM wallet w
    CROSS JOIN LATERAL (
      SELECT e.* FROM ledger_entry e
      WHERE e.wallet_id = w.id ${conditions} ${cursor}
      ORDER BY e.sequence ${direction}
      LIMIT ${page.limit}) e
    WHERE w.id = ANY(${walletIds}::uuid[]) AND ${walletsInScopeSql(scope)}
    ORDER BY e.wallet_id, e.sequence ${direction}`,
  );
  for (const entry of rows) {
    const entries = pages.get(entry.walletId);
    if (entries) entries.push(entry);
    else pages.set(entry.walletId, [entry]);
  }
  return pages;
}

/**
 * How many entries of each wallet match the filter, in one query; a wallet outside the scope, or
 * with none, is missing from the map. All of a wallet's entries need no count: see
 * `ledgerEntryCount` in queries.ts.
 */
export async function countWalletEntries(
  ctx: LedgerContext,
  scope: Scope,
  walletIds: readonly string[],
  filter: WalletEntryFilter,
): Promise<Map<string, number>> {
  const conditions = entryConditions(filter);
  if (walletIds.length === 0 || !conditions) return new Map();
  const rows = await ctx.prisma.$queryRaw<{ walletId: string; count: bigint }[]>`
    SELECT e.wallet_id::text AS "walletId", count(*) AS count
    FROM wallet w JOIN ledger_entry e ON e.wallet_id = w.id
    WHERE w.id = ANY(${walletIds}::uuid[]) AND ${walletsInScopeSql(scope)} ${conditions}
    GROUP BY e.wallet_id`;
  return new Map(rows.map((row) => [row.walletId, Number(row.count)]));
}

/** The filter as `AND …` conditions on entries `e`; null when nothing can match. */
function entryConditions(filter: WalletEntryFilter): Prisma.Sql | null {
  if (filter.category != null && !isStorableText(filter.category)) return null;
  const conditions: Prisma.Sql[] = [];
  if (filter.types?.length) conditions.push(Prisma.sql`AND e.type::text IN (${Prisma.join(filter.types)})`);
  if (filter.category)
    conditions.push(
      Prisma.sql`AND e.block_id IN (SELECT b.id FROM credit_block b WHERE b.wallet_id = w.id AND b.category = ${filter.category})`,
    );
  if (filter.createdFrom) conditions.push(Prisma.sql`AND e.created_at >= ${filter.createdFrom}`);
  if (filter.createdBefore) conditions.push(Prisma.sql`AND e.created_at < ${filter.createdBefore}`);
  return conditions.length ? Prisma.join(conditions, " ") : Prisma.empty;
}

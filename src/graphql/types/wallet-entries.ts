// Wallet.ledgerEntries: a wallet's entries, newest first, in Relay pages whose cursors are those
// of Pothos' Prisma connections (an entry's id). The wallets of one list are paged together: one
// ledger query cuts every wallet's page in the database (src/ledger/entry-pages.ts) rather than
// loading each wallet's whole history, and relations selected under the entries (block,
// operation, hold), if any, are loaded for the whole list by one Prisma query.
import { createContextCache } from "@pothos/core";
import { formatPrismaCursor, parsePrismaCursor, queryFromInfo } from "@pothos/plugin-prisma";
import DataLoader from "dataloader";
import { GraphQLError, Kind, type GraphQLResolveInfo, type SelectionNode } from "graphql";
import {
  type LedgerEntry,
  type LedgerEntryType,
  type Wallet,
  countWalletEntries,
  ledgerEntryPages,
  type WalletEntryFilter,
  type WalletEntryPage,
  storableText,
  ledgerEntryCount,
} from "../../ledger/index.ts";
import type { GraphQLContext } from "../context.ts";
import { DEFAULT_PAGE_SIZE } from "../query-limits.ts";
import { LEDGER_ENTRY_FIELD_READS } from "./ledger-entry.ts";
import { MAX_PAGE_SIZE, requirePageSize } from "./pagination.ts";

export interface WalletEntriesArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
  types?: LedgerEntryType[] | null;
  category?: string | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
}

/** An edge whose cursor is encoded only when asked for: most pages never show them. */
class EntryEdge {
  constructor(readonly node: LedgerEntry) {}
  get cursor(): string {
    return formatPrismaCursor(this.node, "id");
  }
}

export interface WalletEntriesConnection {
  wallet: Pick<Wallet, "id" | "lastSequence">;
  /** Null without filters: then every entry counts. */
  filter: WalletEntryFilter | null;
  edges: EntryEdge[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/** What `ledgerEntries` lists and counts; null without filters. */
function entryFilter(args: WalletEntriesArgs): WalletEntryFilter | null {
  if (!args.types?.length && !args.category && !args.createdAfter && !args.createdBefore) return null;
  return {
    types: args.types?.length ? args.types : null,
    category: args.category ? storableText(args.category, "category") : null,
    createdFrom: args.createdAfter ?? null,
    createdBefore: args.createdBefore ?? null,
  };
}

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } });
}

/** The entry id a cursor of this connection carries. */
function entryIdOf(cursor: string): string {
  let id: unknown;
  try {
    id = parsePrismaCursor(cursor);
  } catch {
    throw badInput("cursor is not valid");
  }
  if (typeof id !== "string") throw badInput("cursor is not valid");
  return id;
}

interface PageShape {
  page: WalletEntryPage;
  filter: WalletEntryFilter | null;
  /** `last`/`before`: read towards newer entries, then shown newest first like any page. */
  backward: boolean;
  size: number;
}

/** The ledger's page for Relay's arguments, which Pothos' Prisma connections read the same way. */
function pageShape(args: WalletEntriesArgs): PageShape {
  requirePageSize(args);
  if (args.before != null && args.after != null) throw badInput('Arguments "before" and "after" are not supported at the same time');
  if (args.before != null && args.first != null) throw badInput('Arguments "before" and "first" are not supported at the same time');
  if (args.after != null && args.last != null) throw badInput('Arguments "after" and "last" are not supported at the same time');
  const size = Math.min(args.first ?? args.last ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const backward = args.before != null || args.last != null;
  const cursor = args.before ?? args.after;
  const filter = entryFilter(args);
  return {
    // One more than the page shows says whether another page follows.
    page: { ...filter, order: backward ? "asc" : "desc", limit: size + 1, afterEntryId: cursor == null ? null : entryIdOf(cursor) },
    filter,
    backward,
    size,
  };
}

interface PageKey {
  walletId: string;
  page: WalletEntryPage;
  fields: readonly (keyof LedgerEntry)[] | undefined;
  groupKey: string;
}

/** Pages of a list's wallets, one ledger query per distinct page asked for (usually one). */
const entryPages = createContextCache(
  (ctx: GraphQLContext) =>
    new DataLoader<PageKey, LedgerEntry[], string>(
      async (keys) => {
        const groups = new Map<string, { key: PageKey; walletIds: string[] }>();
        for (const key of keys) {
          const group = groups.get(key.groupKey);
          if (group) group.walletIds.push(key.walletId);
          else groups.set(key.groupKey, { key, walletIds: [key.walletId] });
        }
        const pages = new Map<string, Map<string, LedgerEntry[]>>();
        await Promise.all(
          [...groups].map(async ([groupKey, { key, walletIds }]) => {
            // Entries with the fields the place shows, and no others: the type's resolvers read no more.
            const rows = await ledgerEntryPages(ctx.ledger, ctx.viewer, walletIds, key.page, key.fields);
            pages.set(groupKey, rows as Map<string, LedgerEntry[]>);
          }),
        );
        return keys.map(({ walletId, groupKey }) => pages.get(groupKey)!.get(walletId) ?? []);
      },
      { cacheKeyFn: ({ walletId, groupKey }) => `${walletId} ${groupKey}` },
    ),
);

/** Filtered counts of a list's wallets, one ledger query per distinct filter. */
const filteredCounts = createContextCache(
  (ctx: GraphQLContext) =>
    new DataLoader<{ walletId: string; filter: WalletEntryFilter }, number, string>(
      async (keys) => {
        const groups = new Map<string, { filter: WalletEntryFilter; walletIds: string[] }>();
        for (const { walletId, filter } of keys) {
          const filterKey = JSON.stringify(filter);
          const group = groups.get(filterKey);
          if (group) group.walletIds.push(walletId);
          else groups.set(filterKey, { filter, walletIds: [walletId] });
        }
        const counts = new Map<string, Map<string, number>>();
        await Promise.all(
          [...groups].map(async ([filterKey, { filter, walletIds }]) =>
            counts.set(filterKey, await countWalletEntries(ctx.ledger, ctx.viewer, walletIds, filter)),
          ),
        );
        return keys.map(({ walletId, filter }) => counts.get(JSON.stringify(filter))!.get(walletId) ?? 0);
      },
      { cacheKeyFn: ({ walletId, filter }) => `${walletId} ${JSON.stringify(filter)}` },
    ),
);

type PrismaQuery = { include?: Record<string, unknown>; select?: Record<string, unknown> };

/**
 * `Wallet@wallets.edges.node.ledgerEntries`: a field's place in the response, list positions left
 * out. Every wallet of a list has the field at the same place, with the same arguments.
 */
function placeOf(info: GraphQLResolveInfo): string {
  const keys: string[] = [];
  for (let path: GraphQLResolveInfo["path"] | undefined = info.path; path; path = path.prev)
    if (typeof path.key === "string") keys.push(path.key);
  return `${info.parentType.name}@${keys.reverse().join(".")}`;
}

/** How the entries of a place are read; the same for every wallet of a list, so worked out once. */
interface PlaceReads extends PageShape {
  /** Undefined: every field. */
  fields: readonly (keyof LedgerEntry)[] | undefined;
  /** Relations are selected under the entries: they are loaded again, with them, by Prisma. */
  relations: boolean;
  /** The page and fields as a string, to group the wallets read alike. */
  groupKey: string;
}

const readsByPlace = createContextCache((_ctx: GraphQLContext) => new Map<string, PlaceReads>());

/**
 * Prisma's query for the relations selected under this connection's entries, or null when none
 * is. Played for each wallet: that tells Pothos the entries handed to those fields carry them.
 */
function relationsQuery(ctx: GraphQLContext, info: GraphQLResolveInfo): PrismaQuery | null {
  const query = queryFromInfo({ context: ctx, info, typeName: "LedgerEntry", path: ["edges", "node"] }) as PrismaQuery;
  // `include` names relations only; a `select` (were the type to select its columns) is played as it is.
  return Object.keys(query.include ?? {}).length > 0 || query.select ? query : null;
}

/** The entry fields `edges { node { … } }` shows, through fragments; undefined (every field) for one unknown here. */
function shownFields(info: GraphQLResolveInfo): readonly (keyof LedgerEntry)[] | undefined {
  const fields = new Set<keyof LedgerEntry>();
  const visit = (selections: readonly SelectionNode[], path: readonly string[]): boolean => {
    for (const selection of selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!visit(selection.selectionSet.selections, path)) return false;
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = info.fragments[selection.name.value];
        if (fragment && !visit(fragment.selectionSet.selections, path)) return false;
      } else if (path.length > 0) {
        if (selection.name.value === path[0] && selection.selectionSet && !visit(selection.selectionSet.selections, path.slice(1)))
          return false;
      } else {
        const reads = LEDGER_ENTRY_FIELD_READS[selection.name.value];
        if (!reads) return false;
        for (const field of reads) fields.add(field);
      }
    }
    return true;
  };
  const known = info.fieldNodes.every((node) => !node.selectionSet || visit(node.selectionSet.selections, ["edges", "node"]));
  return known ? [...fields] : undefined;
}

/** Loaders of entries with their relations, by id: one Prisma query per place for a whole list. */
const relationLoaders = createContextCache((_ctx: GraphQLContext) => new Map<string, DataLoader<string, LedgerEntry | undefined>>());

/** `entries` again, with the relations `query` selects. */
async function withRelations(ctx: GraphQLContext, place: string, query: PrismaQuery, entries: LedgerEntry[]): Promise<LedgerEntry[]> {
  let loader = relationLoaders(ctx).get(place);
  if (!loader) {
    loader = new DataLoader(async (ids) => {
      // The ids come from the ledger's pages, which kept to the viewer's scope.
      const loaded = await ctx.ledger.prisma.ledgerEntry.findMany({ ...(query as object), where: { id: { in: [...ids] } } });
      const byId = new Map(loaded.map((entry) => [entry.id, entry]));
      return ids.map((id) => byId.get(id));
    });
    relationLoaders(ctx).set(place, loader);
  }
  const loaded = await loader.loadMany(entries.map((entry) => entry.id));
  return loaded.filter((entry): entry is LedgerEntry => entry !== undefined && !(entry instanceof Error));
}

export async function walletEntries(
  wallet: Pick<Wallet, "id" | "lastSequence">,
  args: WalletEntriesArgs,
  ctx: GraphQLContext,
  info: GraphQLResolveInfo,
): Promise<WalletEntriesConnection> {
  const place = placeOf(info);
  let reads = readsByPlace(ctx).get(place);
  const query = reads?.relations === false ? null : relationsQuery(ctx, info);
  if (!reads) {
    const shape = pageShape(args);
    const fields = query ? [] : shownFields(info);
    reads = { ...shape, fields, relations: query !== null, groupKey: JSON.stringify([shape.page, fields]) };
    readsByPlace(ctx).set(place, reads);
  }
  const { page, filter, backward, size, fields, groupKey } = reads;
  const rows = await entryPages(ctx).load({ walletId: wallet.id, page, fields, groupKey });
  const hasMore = rows.length > size;
  let shown = rows.slice(0, size);
  if (query) shown = await withRelations(ctx, place, query, shown);
  // A backward page was read oldest first; it is shown newest first like every page.
  if (backward) shown.reverse();
  const edges = shown.map((node) => new EntryEdge(node));
  return {
    wallet,
    filter,
    edges,
    pageInfo: {
      hasNextPage: args.before != null || (!backward && hasMore),
      hasPreviousPage: args.after != null || (backward && hasMore),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** Unfiltered, the wallet's last sequence number says how many entries it has: no count runs. */
export function walletEntriesTotalCount(connection: WalletEntriesConnection, ctx: GraphQLContext): number | Promise<number> {
  const { wallet, filter } = connection;
  return filter ? filteredCounts(ctx).load({ walletId: wallet.id, filter }) : ledgerEntryCount(wallet);
}

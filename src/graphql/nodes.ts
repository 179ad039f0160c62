// node(id:) and nodes(ids:): every id is looked up with the others of its type in one query,
// filtered by what the token may see, and answered in the order asked; an id that names nothing
// the token can see (unknown, another tenant's, malformed) is null. A bare UUID (the id every
// node answers with) names no type: one query over the node tables by primary key finds it first.
import { brandWithType } from "@pothos/core";
import { queryFromInfo } from "@pothos/plugin-prisma";
import { GraphQLError, type GraphQLResolveInfo } from "graphql";
import type { GraphQLContext } from "./context.ts";
import { globalIdNotFound, MALFORMED_TYPENAME, UNTYPED_TYPENAME } from "./global-ids.ts";
import { apiTokensVisibleTo } from "../auth/token-management.ts";
import { webhookEndpointsVisibleTo } from "../webhooks/endpoints.ts";
import { customersInScope, walletsInScope } from "../ledger/index.ts";

/** The most ids one nodes(ids:) may ask for. */
export const MAX_NODE_IDS = 100;

type Query = Record<string, unknown>;
type NodeLoader = (ctx: GraphQLContext, ids: string[], query: Query) => Promise<{ id: string }[]>;

/**
 * Each Node type's batch query, with the same visibility as its `findUnique` (src/graphql/types).
 * A Node type missing here is never found by node/nodes; test/graphql/nodes.test.ts checks the list.
 */
export const NODE_LOADERS: Record<string, NodeLoader> = {
  Wallet: (ctx, ids, query) => ctx.ledger.prisma.wallet.findMany({ ...query, where: { id: { in: ids }, ...walletsInScope(ctx.viewer) } }),
  Customer: (ctx, ids, query) =>
    ctx.ledger.prisma.customer.findMany({ ...query, where: { id: { in: ids }, ...customersInScope(ctx.viewer) } }),
  CreditBlock: (ctx, ids, query) =>
    ctx.ledger.prisma.creditBlock.findMany({ ...query, where: { id: { in: ids }, wallet: walletsInScope(ctx.viewer) } }),
  Hold: (ctx, ids, query) => ctx.ledger.prisma.hold.findMany({ ...query, where: { id: { in: ids }, wallet: walletsInScope(ctx.viewer) } }),
  LedgerEntry: (ctx, ids, query) =>
    ctx.ledger.prisma.ledgerEntry.findMany({ ...query, where: { id: { in: ids }, wallet: walletsInScope(ctx.viewer) } }),
  LedgerOperation: (ctx, ids, query) =>
    ctx.ledger.prisma.operation.findMany({ ...query, where: { id: { in: ids }, wallet: walletsInScope(ctx.viewer) } }),
  BalanceAlert: (ctx, ids, query) =>
    ctx.ledger.prisma.balanceAlert.findMany({ ...query, where: { id: { in: ids }, wallet: walletsInScope(ctx.viewer) } }),
  ApiToken: (ctx, ids, query) =>
    ctx.ledger.prisma.apiToken.findMany({ ...query, where: { id: { in: ids }, AND: [apiTokensVisibleTo(ctx.viewer)] } }),
  WebhookEndpoint: (ctx, ids, query) =>
    ctx.ledger.prisma.webhookEndpoint.findMany({ ...query, where: { id: { in: ids }, AND: [webhookEndpointsVisibleTo(ctx.viewer)] } }),
};

/** Each Node type's table, for finding the type of a bare UUID; test/graphql/nodes.test.ts checks it matches NODE_LOADERS. */
export const NODE_TABLES: Record<string, string> = {
  Wallet: "wallet",
  Customer: "customer",
  CreditBlock: "credit_block",
  Hold: "hold",
  LedgerEntry: "ledger_entry",
  LedgerOperation: "operation",
  BalanceAlert: "balance_alert",
  ApiToken: "api_token",
  WebhookEndpoint: "webhook_endpoint",
};

/** The SQL that names the type of each of $1's UUIDs found in a node table (scope is applied by the loaders after). */
const NODE_TYPE_SQL = Object.entries(NODE_TABLES)
  .map(([typename, table]) => `SELECT id::text AS id, '${typename}' AS typename FROM "${table}" WHERE id = ANY($1::uuid[])`)
  .join(" UNION ALL ");

/** The type of each bare UUID, in one query; a UUID in no node table is left out. */
async function nodeTypesOf(ctx: GraphQLContext, uuids: string[]): Promise<Map<string, string>> {
  if (uuids.length === 0) return new Map();
  const rows = await ctx.ledger.prisma.$queryRawUnsafe<{ id: string; typename: string }[]>(NODE_TYPE_SQL, uuids);
  return new Map(rows.map((row) => [row.id, row.typename]));
}

interface DecodedId {
  typename: string;
  id: string;
}

/** nodes(ids:): one query per type asked for; fails with ID_LIMIT_EXCEEDED past MAX_NODE_IDS ids. */
export async function loadNodes(ctx: GraphQLContext, info: GraphQLResolveInfo, ids: readonly DecodedId[]): Promise<(object | null)[]> {
  if (ids.length > MAX_NODE_IDS) {
    throw new GraphQLError(`nodes takes at most ${MAX_NODE_IDS} ids (got ${ids.length})`, {
      extensions: { code: "ID_LIMIT_EXCEEDED", limit: MAX_NODE_IDS, actual: ids.length },
    });
  }
  const untyped = [...new Set(ids.filter(({ typename }) => typename === UNTYPED_TYPENAME).map(({ id }) => id))];
  const typesOfUntyped = await nodeTypesOf(ctx, untyped);
  const typed = ids.map(({ typename, id }) =>
    typename === UNTYPED_TYPENAME ? { typename: typesOfUntyped.get(id) ?? MALFORMED_TYPENAME, id } : { typename, id },
  );
  const idsByType = new Map<string, Set<string>>();
  for (const { typename, id } of typed) {
    if (NODE_LOADERS[typename]) idsByType.set(typename, (idsByType.get(typename) ?? new Set()).add(id));
  }
  const found = new Map<string, object>();
  await Promise.all(
    [...idsByType].map(async ([typename, typeIds]) => {
      const query = (await queryFromInfo({ context: ctx, info, typeName: typename, awaitSelections: true })) as Query;
      for (const node of await NODE_LOADERS[typename]!(ctx, [...typeIds], query)) {
        brandWithType(node, typename as never);
        found.set(`${typename}:${node.id}`, node);
      }
    }),
  );
  return typed.map(({ typename, id }) => found.get(`${typename}:${id}`) ?? null);
}

/** node(id:): null for an id the token cannot see; a malformed id is a NotFoundError. */
export async function loadNode(ctx: GraphQLContext, info: GraphQLResolveInfo, id: DecodedId): Promise<object | null> {
  if (id.typename === MALFORMED_TYPENAME) throw globalIdNotFound("Node", id.id);
  return (await loadNodes(ctx, info, [id]))[0] ?? null;
}

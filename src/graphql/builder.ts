import SchemaBuilder from "@pothos/core";
import DataloaderPlugin from "@pothos/plugin-dataloader";
import ErrorsPlugin from "@pothos/plugin-errors";
import PrismaPlugin from "@pothos/plugin-prisma";
import RelayPlugin from "@pothos/plugin-relay";
import type PrismaTypes from "../db/generated/pothos-types.ts";
import { getDatamodel } from "../db/generated/pothos-types.ts";
import type { GraphQLContext } from "./context.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function loadOrNull(load: () => unknown, id: string): Promise<unknown> {
  if (!UUID.test(id)) return null;
  try {
    return await load();
  } catch (error) {
    if ((error as { code?: string }).code === "P2025") return null;
    throw error;
  }
}

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  PrismaTypes: PrismaTypes;
  Scalars: {
    ID: { Input: string; Output: string };
    Money: { Input: bigint; Output: bigint };
    DateTime: { Input: Date; Output: Date };
    JSONObject: { Input: Record<string, unknown>; Output: unknown };
  };
  DefaultFieldNullability: false;
}>({
  plugins: [ErrorsPlugin, RelayPlugin, PrismaPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    // Node loaders filter by the token's tenant, so another tenant's id is simply not found.
    nodeQueryOptions: { resolve: (_root, { id }, _ctx, _info, resolveNode) => loadOrNull(() => resolveNode(id), id.id) },
    nodesQueryOptions: {
      resolve: (_root, { ids }, _ctx, _info, resolveNodes) => ids.map((id) => loadOrNull(async () => (await resolveNodes([id]))[0], id.id)),
    },
  },
  prisma: {
    client: (ctx) => ctx.ledger.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
    onUnusedQuery: process.env.NODE_ENV === "production" ? null : "warn",
  },
  // Only errors listed on a mutation become typed results; anything else stays an error,
  // masked by Yoga unless it is one of ours (see yoga.ts).
  errors: {
    defaultTypes: [],
    // `deposit` returns `DepositResult = DepositPayload | InsufficientCreditsError | …`.
    directResult: true,
    defaultUnionOptions: { name: ({ fieldName }) => `${fieldName.charAt(0).toUpperCase()}${fieldName.slice(1)}Result` },
  },
});

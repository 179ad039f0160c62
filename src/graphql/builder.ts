import SchemaBuilder from "@pothos/core";
import ComplexityPlugin from "@pothos/plugin-complexity";
import DataloaderPlugin from "@pothos/plugin-dataloader";
import ErrorsPlugin from "@pothos/plugin-errors";
import PrismaPlugin from "@pothos/plugin-prisma";
import RelayPlugin from "@pothos/plugin-relay";
import type PrismaTypes from "../db/generated/pothos-types.ts";
import { getDatamodel } from "../db/generated/pothos-types.ts";
import type { GraphQLContext } from "./context.ts";
import { decodeGlobalIdLeniently, encodeNodeId, ID_INPUT_DESCRIPTION, NODE_ID_DESCRIPTION } from "./global-ids.ts";
import { loadNode, loadNodes } from "./nodes.ts";
import { connectionCost, DEFAULT_PAGE_SIZE, nodesCost } from "./query-limits.ts";

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
  // globalIdNotFound (global-ids.ts) before Relay: a malformed ID becomes a NotFoundError first.
  plugins: [ErrorsPlugin, "globalIdNotFound", RelayPlugin, PrismaPlugin, DataloaderPlugin, ComplexityPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    // A node's id is its UUID (global-ids.ts); the older base64 `Typename:uuid` is still read.
    encodeGlobalID: encodeNodeId,
    decodeGlobalID: decodeGlobalIdLeniently,
    // Node loaders filter by the token's tenant, so another tenant's id is simply not found.
    idFieldOptions: { description: NODE_ID_DESCRIPTION },
    nodeTypeOptions: {
      description: "An object with an id: its UUID, as events, webhooks, REST answers, error messages and the CLI carry it.",
    },
    nodeQueryOptions: {
      description: `The object with this id, of any type; null when the token cannot see it. ${ID_INPUT_DESCRIPTION}`,
      resolve: (_root, { id }, ctx, info) => loadNode(ctx, info, id),
    },
    nodesQueryOptions: {
      description: `The objects with these ids, in the order asked (null for one the token cannot see); at most 100. ${ID_INPUT_DESCRIPTION}`,
      complexity: nodesCost,
      resolve: (_root, { ids }, ctx, info) => loadNodes(ctx, info, ids),
    },
    // A page's items are counted on the connection field, so its edges list is not counted again.
    defaultConnectionFieldOptions: { complexity: connectionCost },
    edgesFieldOptions: { complexity: { field: 1, multiplier: 1 } },
  },
  prisma: {
    client: (ctx) => ctx.ledger.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
    defaultConnectionSize: DEFAULT_PAGE_SIZE,
    onUnusedQuery: process.env.NODE_ENV === "production" ? null : "warn",
  },
  // Costs only: the limits are checked per request, before execution (query-limits.ts).
  complexity: { defaultComplexity: 1, defaultListMultiplier: 10 },
  // Only errors listed on a mutation become typed results; anything else stays an error,
  // masked by Yoga unless it is one of ours (see yoga.ts).
  errors: {
    defaultTypes: [],
    // `deposit` returns `DepositResult = DepositPayload | InsufficientCreditsError | …`.
    directResult: true,
    defaultUnionOptions: { name: ({ fieldName }) => `${fieldName.charAt(0).toUpperCase()}${fieldName.slice(1)}Result` },
    // A global ID in a mutation's input that names nothing is its NotFoundError result.
    unsafelyHandleInputErrors: true,
  },
});

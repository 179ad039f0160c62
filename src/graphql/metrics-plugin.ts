// Counts GraphQL operations by name, type and outcome for /metrics. Names are chosen by clients,
// so only the first few hundred distinct ones get a series of their own; later ones count as
// "other", and a client cannot grow the metrics without bound.
import { getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
import { graphqlOperations } from "../observability/metrics.ts";

const MOST_NAMES = 200;

export function useOperationMetrics(): Plugin {
  const names = new Set<string>();
  const label = (name: string | undefined) => {
    if (!name) return "anonymous";
    if (names.has(name)) return name;
    if (names.size >= MOST_NAMES) return "other";
    names.add(name);
    return name;
  };
  return {
    onExecute({ args }) {
      const operation = getOperationAST(args.document, args.operationName);
      const labels = { operation: label(operation?.name?.value), type: operation?.operation ?? "unknown" };
      return {
        onExecuteDone({ result }) {
          // A subscription's stream has no single outcome; it is counted once, as started.
          const outcome = Symbol.asyncIterator in result ? "stream" : result.errors?.length ? "error" : "ok";
          graphqlOperations.inc({ ...labels, outcome });
        },
      };
    },
  };
}

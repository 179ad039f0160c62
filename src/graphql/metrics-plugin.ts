// Counts GraphQL operations by name, type and outcome for /metrics. Names are chosen by clients,
// so only the first few hundred distinct ones of up to 100 characters get a series of their own;
// longer ones count as "(long)", later ones as "other", and a client cannot grow the metrics
// without bound (bounded-label.ts). Type and outcome take a handful of values each.
import { getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
import { boundedLabel } from "../observability/bounded-label.ts";
import { graphqlOperations } from "../observability/metrics.ts";

/** Distinct operation names with a series of their own, and the longest name that gets one. */
const NAME_BOUNDS = { most: 200, longest: 100 };

export function useOperationMetrics(): Plugin {
  const named = boundedLabel(NAME_BOUNDS);
  const label = (name: string | undefined) => (name ? named(name) : "anonymous");
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

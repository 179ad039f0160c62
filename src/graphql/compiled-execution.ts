// Queries and mutations run compiled (graphql-jit): a document seen again is compiled once into a
// function that resolves its fields without walking the document, coercing arguments and
// building resolve infos field by field, as graphql-js' executor does on every request. A page of
// 50 wallets with 10 entries each is thousands of fields; a debit, a few dozen.
//
// A document is compiled on its second run, not its first: the compiled function is kept with the
// document object, and only the documents Yoga keeps (document-cache.ts: up to 32 KiB each, 1 MiB
// in all) come back as the same object. A document parsed every time (too long to keep) or sent
// once runs on graphql-js' executor and costs no compilation, so no client can make the gateway
// compile on every request, and what is compiled goes when its document leaves the cache.
// Subscriptions, and an operation the compiler does not take, run on graphql-js' executor.
// Errors, masking and limits are unchanged: they are Yoga's and the plugins', around whichever
// executor runs.
import { OperationTypeNode, getOperationAST, type ExecutionArgs, type ExecutionResult, type OperationDefinitionNode } from "graphql";
import { compileQuery, isCompiledQuery, type CompiledQuery } from "graphql-jit";
import type { Plugin } from "graphql-yoga";

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/** `compile` is graphql-jit's; tests count its calls. */
export function useCompiledExecution(compile: typeof compileQuery = compileQuery): Plugin {
  // By the operation about to run: a node of its document, so kept as long as the document is.
  const seen = new WeakSet<OperationDefinitionNode>();
  /** null where the compiler declined. */
  const compiledOperations = new WeakMap<OperationDefinitionNode, CompiledQuery | null>();

  function compiled(args: ExecutionArgs): CompiledQuery | null {
    // A name that picks no operation is graphql-js' error to give.
    const operation = getOperationAST(args.document, args.operationName);
    if (!operation || operation.operation === OperationTypeNode.SUBSCRIPTION) return null;
    let query = compiledOperations.get(operation);
    if (query !== undefined) return query;
    if (!seen.has(operation)) {
      seen.add(operation);
      return null;
    }
    const result = compile(args.schema, args.document, operation.name?.value);
    query = isCompiledQuery(result) ? result : null;
    compiledOperations.set(operation, query);
    return query;
  }

  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const query = compiled(args);
      if (!query) return;
      // Variables that do not coerce are answered by graphql-js' executor, which refuses them too,
      // before anything runs, but with the input's path and the scalar's own message ("Money must be
      // a whole number of minor units"), where the compiled query says only "Expected type Money".
      const orGraphqlJs = (result: ExecutionResult, run: ExecutionArgs) => ("data" in result ? result : executeFn(run));
      setExecuteFn((run: ExecutionArgs) => {
        const result = query.query(run.rootValue, run.contextValue, run.variableValues);
        return isPromise(result) ? result.then((settled) => orGraphqlJs(settled, run)) : orGraphqlJs(result, run);
      });
    },
  };
}

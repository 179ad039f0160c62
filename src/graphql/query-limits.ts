// What one GraphQL request may ask for, checked before anything is resolved, so that no single
// request can exhaust the process (GRAPHQL_MAX_* settings):
// - tokens: counted while lexing, before the document is parsed;
// - aliases: a validation rule on the document;
// - depth and cost: measured on the operation about to run, with its variables, by the Pothos
//   complexity plugin. Each field costs 1, and what is selected under a list costs once per item it
//   can hold: a connection's `first`/`last` (or the default page), the ids given to `nodes`, ten
//   for other lists. Introspection is outside the schema's cost; graphql-js' own
//   MaxIntrospectionDepthRule, which Yoga applies, bounds how deeply its lists nest.
// Every refusal names the limit, e.g. "query depth 14 exceeds the limit of 12", with a code.
import { complexityFromQuery } from "@pothos/plugin-complexity";
import {
  getOperationAST,
  Kind,
  Lexer,
  Source,
  TokenKind,
  type ASTVisitor,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLError,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import { createGraphQLError, type Plugin } from "graphql-yoga";
import type { GraphQLLimits } from "../config.ts";
import { MAX_NODE_IDS } from "./nodes.ts";
import { MAX_PAGE_SIZE } from "./types/pagination.ts";

/** Items in a page when neither first nor last is given (the builder's defaultConnectionSize). */
export const DEFAULT_PAGE_SIZE = 20;

/** A connection field's cost: its selection counts once per item of the page asked for. */
export function connectionCost(args: { first?: number | null; last?: number | null }) {
  const size = args.first == null && args.last == null ? DEFAULT_PAGE_SIZE : Math.max(args.first ?? 0, args.last ?? 0);
  // Past the cap the field fails with PAGE_SIZE_EXCEEDED, a clearer error than the cost.
  return { field: 1, multiplier: Math.min(Math.max(size, 0), MAX_PAGE_SIZE) };
}

/** nodes(ids:): once per id; past MAX_NODE_IDS it fails with ID_LIMIT_EXCEEDED instead. */
export function nodesCost(args: { ids: readonly unknown[] }) {
  return { field: 1, multiplier: Math.min(args.ids.length, MAX_NODE_IDS) };
}

export function useQueryLimits(limits: GraphQLLimits): Plugin {
  const aliasRule = aliasLimit(limits.maxAliases);
  return {
    onParse({ parseFn, setParseFn }) {
      setParseFn((source, options) => {
        refuseTooManyTokens(typeof source === "string" ? source : source.body, limits.maxTokens);
        return parseFn(source, options);
      });
    },
    onValidate({ addValidationRule }) {
      addValidationRule(aliasRule);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const measured = measure(args);
      if (!measured) return;
      const errors: GraphQLError[] = [];
      if (measured.depth > limits.maxDepth) {
        errors.push(
          limitError(
            "DEPTH_LIMIT_EXCEEDED",
            `query depth ${measured.depth} exceeds the limit of ${limits.maxDepth}`,
            limits.maxDepth,
            measured.depth,
          ),
        );
      }
      if (measured.complexity > limits.maxCost) {
        errors.push(
          limitError(
            "COST_LIMIT_EXCEEDED",
            `query cost ${measured.complexity} exceeds the limit of ${limits.maxCost}`,
            limits.maxCost,
            measured.complexity,
          ),
        );
      }
      if (errors.length > 0) setResultAndStopExecution({ errors });
    },
  };
}

/**
 * Depth and cost of the operation about to run, with its variables; null when there is no such
 * operation or its variables do not coerce (execution then refuses it before resolving anything).
 */
function measure(args: ExecutionArgs): { depth: number; complexity: number } | null {
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation) return null;
  // complexityFromQuery measures a document's first operation: give it the one that runs.
  const document: DocumentNode = {
    ...args.document,
    definitions: [operation, ...args.document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION)],
  };
  try {
    return complexityFromQuery(document, {
      schema: args.schema,
      ctx: args.contextValue as object,
      variables: (args.variableValues ?? {}) as Record<string, unknown>,
    });
  } catch (error) {
    if ((error as Error).name === "GraphQLError") return null;
    throw error;
  }
}

/** A refusal, answered as Yoga answers any invalid query (in Yoga's own error class, which it knows to answer so). */
function limitError(code: string, message: string, limit: number, actual: number): GraphQLError {
  return createGraphQLError(message, { extensions: { code, limit, actual } });
}

/** Counts tokens as graphql-js' parser would, stopping one past the limit. */
function refuseTooManyTokens(body: string, maxTokens: number): void {
  const lexer = new Lexer(new Source(body));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF && count <= maxTokens) count += 1;
  } catch {
    // A syntax error is the parser's to report, with its position.
    return;
  }
  if (count > maxTokens) throw limitError("TOKEN_LIMIT_EXCEEDED", `query has more than ${maxTokens} tokens, the limit`, maxTokens, count);
}

function aliasLimit(maxAliases: number): ValidationRule {
  return function aliasLimitRule(context: ValidationContext): ASTVisitor {
    let aliases = 0;
    return {
      Field(node) {
        if (node.alias) aliases += 1;
      },
      Document: {
        leave() {
          if (aliases > maxAliases)
            context.reportError(
              limitError("ALIAS_LIMIT_EXCEEDED", `query has ${aliases} aliases, over the limit of ${maxAliases}`, maxAliases, aliases),
            );
        },
      },
    };
  };
}

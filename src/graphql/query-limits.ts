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
  visit,
  type ASTNode,
  type ASTVisitor,
  type DocumentNode,
  type ExecutionArgs,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLSchema,
  type SelectionSetNode,
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

interface Measure {
  depth: number;
  complexity: number;
}

/**
 * Measures of documents whose cost no variable can change, by operation name: Yoga's parse cache
 * hands the same document object for the same text, so a debit's or a page's cost is measured
 * once, not per request. Held weakly: a document the parse cache drops is dropped here too.
 */
const fixedMeasures = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, Measure>>>();
/** Whether a document's cost can change with its variables, by document. */
const variableCost = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, boolean>>();

/**
 * Depth and cost of the operation about to run, with its variables; null when there is no such
 * operation or its variables do not coerce (execution then refuses it before resolving anything).
 */
function measure(args: ExecutionArgs): Measure | null {
  const { schema, document } = args;
  const operationName = args.operationName ?? "";
  let measures = fixedMeasures.get(schema);
  if (!measures) fixedMeasures.set(schema, (measures = new WeakMap()));
  const known = measures.get(document)?.get(operationName);
  if (known) return known;
  const measured = measureNow(args);
  if (measured && !costReadsVariables(schema, document)) {
    const byOperation = measures.get(document) ?? new Map<string, Measure>();
    byOperation.set(operationName, measured);
    measures.set(document, byOperation);
  }
  return measured;
}

/**
 * Whether a variable can change the document's depth or cost: one given to a field whose cost is
 * worked out from its arguments (a connection's `first`/`last`, the ids of `nodes`), or to
 * `@skip`/`@include`. Every operation and fragment is walked; a field this schema does not know
 * counts as reading its variables, to be safe. (The walk reads the schema by duck typing, not
 * graphql-js' instanceof checks, which fail when the schema comes from another copy of graphql.)
 */
function costReadsVariables(schema: GraphQLSchema, document: DocumentNode): boolean {
  let bySchema = variableCost.get(schema);
  if (!bySchema) variableCost.set(schema, (bySchema = new WeakMap()));
  const known = bySchema.get(document);
  if (known !== undefined) return known;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const walked = new Set<string>();
  const typeNamed = (name: string) => schema.getType(name) as FieldsOwner | undefined;

  const reads = (selectionSet: SelectionSetNode, owner: FieldsOwner | undefined): boolean =>
    selectionSet.selections.some((selection) => {
      if (selection.directives?.some(holdsVariable)) return true;
      switch (selection.kind) {
        case Kind.FIELD: {
          const field = owner?.getFields?.()[selection.name.value];
          const costFromArguments = field ? typeof field.extensions?.complexity === "function" : true;
          if (costFromArguments && selection.arguments?.some(holdsVariable)) return true;
          return selection.selectionSet ? reads(selection.selectionSet, field && namedType(field.type)) : false;
        }
        case Kind.INLINE_FRAGMENT:
          return reads(selection.selectionSet, selection.typeCondition ? typeNamed(selection.typeCondition.name.value) : owner);
        case Kind.FRAGMENT_SPREAD: {
          const fragment = fragments.get(selection.name.value);
          if (!fragment || walked.has(fragment.name.value)) return false;
          walked.add(fragment.name.value);
          return reads(fragment.selectionSet, typeNamed(fragment.typeCondition.name.value));
        }
      }
    });

  const roots = { query: schema.getQueryType(), mutation: schema.getMutationType(), subscription: schema.getSubscriptionType() };
  const answer = document.definitions.some((definition) =>
    definition.kind === Kind.OPERATION_DEFINITION
      ? definition.directives?.some(holdsVariable) ||
        reads(definition.selectionSet, (roots[definition.operation] ?? undefined) as FieldsOwner | undefined)
      : definition.kind === Kind.FRAGMENT_DEFINITION
        ? reads(definition.selectionSet, typeNamed(definition.typeCondition.name.value))
        : false,
  );
  bySchema.set(document, answer);
  return answer;
}

/** An object or interface type, as far as the walk above reads it. */
interface FieldsOwner {
  getFields?: () => Record<string, { type: unknown; extensions?: { complexity?: unknown } }>;
}

function namedType(type: unknown): FieldsOwner | undefined {
  let named = type as { ofType?: unknown } | undefined;
  while (named?.ofType) named = named.ofType as { ofType?: unknown };
  return named as FieldsOwner | undefined;
}

function holdsVariable(node: ASTNode): boolean {
  let found = false;
  visit(node, {
    Variable() {
      found = true;
    },
  });
  return found;
}

function measureNow(args: ExecutionArgs): Measure | null {
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

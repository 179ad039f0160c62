// Operations run compiled from their second run (src/graphql/compiled-execution.ts): compiled
// once, only for documents the document cache keeps, and answering exactly as graphql-js'
// executor does, refusals of bad variables included.
import { createYoga } from "graphql-yoga";
import { compileQuery } from "graphql-jit";
import { beforeAll, describe, expect, it } from "vitest";
import { useCompiledExecution } from "../../src/graphql/compiled-execution.ts";
import { boundedDocumentCaches, LONGEST_CACHED_SOURCE } from "../../src/graphql/document-cache.ts";
import { schema } from "../../src/graphql/schema.ts";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { useGateway } from "../support/app.ts";
import { teamScope } from "../support/ledger.ts";

/** Yoga over the gateway's schema with the plugin alone, counting what it compiles. */
function countingYoga() {
  let compiled = 0;
  const yoga = createYoga({
    schema,
    parserAndValidationCache: boundedDocumentCaches(),
    plugins: [
      useCompiledExecution((...args) => {
        compiled += 1;
        return compileQuery(...args);
      }),
    ],
  });
  const run = async (query: string) => {
    const response = await yoga.fetch("http://gateway.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as { data?: unknown; errors?: unknown };
  };
  return { run, compiled: () => compiled };
}

describe("compiling", () => {
  it("compiles an operation on its second run, and only once", async () => {
    const yoga = countingYoga();
    const query = "query Typename { __typename }";
    expect(await yoga.run(query)).toEqual({ data: { __typename: "Query" } });
    expect(yoga.compiled()).toBe(0);
    for (let run = 0; run < 3; run += 1) expect(await yoga.run(query)).toEqual({ data: { __typename: "Query" } });
    expect(yoga.compiled()).toBe(1);
  });

  it("never compiles a document too long to keep, which is parsed afresh each time", async () => {
    const yoga = countingYoga();
    const query = `query Typename { __typename }\n# ${"x".repeat(LONGEST_CACHED_SOURCE)}`;
    for (let run = 0; run < 3; run += 1) expect(await yoga.run(query)).toEqual({ data: { __typename: "Query" } });
    expect(yoga.compiled()).toBe(0);
  });
});

describe("answers compiled", () => {
  const gateway = useGateway();
  const PAGE = `{ wallets(first: 50) { edges { node { id currency balance { total used frozen available }
    ledgerEntries(first: 10) { edges { node { sequence type amount endingBalance createdAt } } } } } } }`;

  beforeAll(async () => {
    const tenant = await gateway.db.prisma.tenant.findUniqueOrThrow({ where: { slug: "acme" } });
    const scope = teamScope(tenant.id, true);
    for (let index = 0; index < 3; index += 1) {
      const { wallet } = await createWallet(gateway.ledger, { scope, customer: { externalId: `compiled-${index}` }, currency: "USD" });
      await deposit(gateway.ledger, { scope, walletId: wallet.id, amount: 1_000n, category: "paid" });
      for (let entry = 0; entry < 11; entry += 1) await debit(gateway.ledger, { scope, walletId: wallet.id, amount: 7n });
    }
  }, 60_000);

  it("the page of wallets with their entries, as graphql-js' executor answered it", async () => {
    const first = await gateway.graphql(PAGE);
    expect(first.errors).toBeUndefined();
    expect(first.data.wallets.edges).toHaveLength(3);
    for (let run = 0; run < 2; run += 1) expect(await gateway.graphql(PAGE)).toEqual(first);
  });

  it("refuses variables that do not coerce with the scalar's own message, compiled or not", async () => {
    const [{ node }] = (await gateway.graphql(PAGE)).data.wallets.edges;
    const deposit = `mutation($input: DepositInput!) { deposit(input: $input) { __typename } }`;
    const refusals = [];
    for (let run = 0; run < 3; run += 1) refusals.push(await gateway.graphql(deposit, { input: { walletId: node.id, amount: "12.5" } }));
    expect(refusals[0]!.errors?.[0]?.message).toMatch(
      /^Variable "\$input" got invalid value "12.5" at "input.amount";.* Money must be a whole number of minor units$/,
    );
    expect(refusals[0]!.data).toBeFalsy();
    // The first ran on graphql-js' executor, the others compiled.
    expect(refusals.slice(1)).toEqual([refusals[0], refusals[0]]);
  });
});

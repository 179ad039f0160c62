// What one GraphQL request may ask for: depth, cost (connection pages multiply what is under
// them), aliases, tokens and introspection nesting, each refused before anything is resolved,
// with an error that names the limit. The database sees only the token lookup.
import { getIntrospectionQuery } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { DEFAULT_HTTP_CONFIG, type GraphQLLimits } from "../../src/config.ts";
import { useGateway, createWalletVia, countingPrisma } from "../support/app.ts";

const gateway = useGateway();

/** Runs a query on an app with these limits, counting the Prisma operations it caused. */
async function run(query: string, options: { variables?: Record<string, unknown>; limits?: Partial<GraphQLLimits> } = {}) {
  const counted = countingPrisma(gateway.db.prisma);
  const app = createApp({
    db: { ...gateway.db, prisma: counted.prisma },
    ledger: { prisma: counted.prisma, now: gateway.clock.now },
    http: { graphql: { ...DEFAULT_HTTP_CONFIG.graphql, ...options.limits } },
  });
  const response = await app.fetch(
    new Request("http://gateway.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${gateway.token}` },
      body: JSON.stringify({ query, variables: options.variables ?? {} }),
    }),
  );
  const body = (await response.json()) as {
    data?: any;
    errors?: { message: string; extensions: { code: string; limit?: number; actual?: number } }[];
  };
  return { ...body, status: response.status, operations: counted.operations() };
}

/** `customer { wallets(first: 100) { edges { node { … } } } }`, nested `levels` deep. */
function nestedWallets(levels: number): string {
  let inner = "id";
  for (let level = 0; level < levels; level += 1) inner = `customer { wallets(first: 100) { edges { node { ${inner} } } } }`;
  return `{ wallets(first: 100) { edges { node { ${inner} } } } }`;
}

beforeAll(async () => {
  await createWalletVia(gateway, "alice");
});

describe("depth and cost", () => {
  it("refuses the query that exhausted the heap, before touching a wallet", async () => {
    const query = nestedWallets(5);
    expect(query.length).toBeLessThan(400);
    const reply = await run(query);
    expect(reply.data).toBeUndefined();
    expect(reply.errors!.map((error) => error.extensions.code).sort()).toEqual(["COST_LIMIT_EXCEEDED", "DEPTH_LIMIT_EXCEEDED"]);
    expect(reply.errors).toContainEqual(expect.objectContaining({ message: "query depth 24 exceeds the limit of 12" }));
    expect(reply.errors!.find((error) => error.extensions.code === "COST_LIMIT_EXCEEDED")!.message).toMatch(
      /^query cost \d+ exceeds the limit of 50000$/,
    );
    // The token lookup, nothing else.
    expect(reply.operations).toBe(1);
  });

  it("refuses 100 × 100 × 100 within the depth limit by its cost", async () => {
    const reply = await run(
      `{ wallets(first: 100) { edges { node { customer { wallets(first: 100) { edges { node { ledgerEntries(first: 100) { edges { node { id } } } } } } } } } } }`,
    );
    expect(reply.errors).toEqual([
      {
        message: "query cost 3030401 exceeds the limit of 50000",
        extensions: { code: "COST_LIMIT_EXCEEDED", limit: 50_000, actual: 3_030_401 },
      },
    ]);
    expect(reply.operations).toBe(1);
  });

  it("multiplies what is under a connection by its first or last, the default page otherwise", async () => {
    const limits = { maxCost: 300 };
    // wallets (1) + per item: edges (1) + node (1) + id (1)
    expect((await run(`{ wallets(first: 99) { edges { node { id } } } }`, { limits })).errors).toBeUndefined();
    expect((await run(`{ wallets(first: 100) { edges { node { id } } } }`, { limits })).errors![0]!.message).toBe(
      "query cost 301 exceeds the limit of 300",
    );
    expect((await run(`{ wallets(last: 100) { edges { node { id } } } }`, { limits })).errors![0]!.message).toBe(
      "query cost 301 exceeds the limit of 300",
    );
    const defaultPage = await run(`{ wallets { edges { node { id } } } }`, { limits: { maxCost: 60 } });
    expect(defaultPage.errors![0]!.message).toBe("query cost 61 exceeds the limit of 60");
  });

  it("measures with the request's variables", async () => {
    const query = `query($n: Int) { wallets(first: $n) { edges { node { id } } } }`;
    expect((await run(query, { variables: { n: 99 }, limits: { maxCost: 300 } })).data.wallets.edges).toHaveLength(1);
    expect((await run(query, { variables: { n: 100 }, limits: { maxCost: 300 } })).errors![0]!.extensions.code).toBe("COST_LIMIT_EXCEEDED");
  });

  it("measures each request of one document again when a variable sets its cost", async () => {
    // One app, so both requests share its parsed document and whatever is kept of its measure.
    const app = createApp({ db: gateway.db, ledger: gateway.ledger, http: { graphql: { ...DEFAULT_HTTP_CONFIG.graphql, maxCost: 300 } } });
    const ask = async (query: string, variables: Record<string, unknown>) => {
      const response = await app.fetch(
        new Request("http://gateway.test/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${gateway.token}` },
          body: JSON.stringify({ query, variables }),
        }),
      );
      return (await response.json()) as { data?: unknown; errors?: { extensions: { code: string } }[] };
    };
    const page = `query($n: Int) { wallets(first: $n) { edges { node { id } } } }`;
    expect((await ask(page, { n: 99 })).errors).toBeUndefined();
    expect((await ask(page, { n: 100 })).errors![0]!.extensions.code).toBe("COST_LIMIT_EXCEEDED");
    const fixed = `{ wallets(first: 100) { edges { node { id } } } }`;
    expect((await ask(fixed, {})).errors![0]!.extensions.code).toBe("COST_LIMIT_EXCEEDED");
    expect((await ask(fixed, {})).errors![0]!.extensions.code).toBe("COST_LIMIT_EXCEEDED");
  });

  it("measures the operation that runs, not the document's first", async () => {
    const app = createApp({ db: gateway.db, ledger: gateway.ledger, http: { graphql: { ...DEFAULT_HTTP_CONFIG.graphql, maxCost: 300 } } });
    const document = `query Small { viewer { livemode } } query Large { wallets(first: 100) { edges { node { id } } } }`;
    const ask = async (operationName: string) => {
      const response = await app.fetch(
        new Request("http://gateway.test/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${gateway.token}` },
          body: JSON.stringify({ query: document, operationName }),
        }),
      );
      return (await response.json()) as { data?: unknown; errors?: { extensions: { code: string } }[] };
    };
    expect((await ask("Small")).data).toEqual({ viewer: { livemode: true } });
    expect((await ask("Large")).errors![0]!.extensions.code).toBe("COST_LIMIT_EXCEEDED");
  });

  it("leaves ordinary queries alone", async () => {
    const reply = await run(
      `{ wallets(first: 10) { totalCount edges { node { id currency balance { available } ledgerEntries(first: 5) { edges { node { sequence amount } } } } } } }`,
    );
    expect(reply.errors).toBeUndefined();
    expect(reply.data.wallets.totalCount).toBe(1);
  });

  it("takes its limits from the settings", async () => {
    const reply = await run(`{ viewer { tenant { slug } } }`, { limits: { maxDepth: 2 } });
    expect(reply.errors).toEqual([
      { message: "query depth 3 exceeds the limit of 2", extensions: { code: "DEPTH_LIMIT_EXCEEDED", limit: 2, actual: 3 } },
    ]);
  });
});

describe("aliases", () => {
  const aliased = (count: number) => `{ ${Array.from({ length: count }, (_, i) => `a${i}: viewer { livemode }`).join(" ")} }`;

  it("allows 30 and refuses 31", async () => {
    expect((await run(aliased(30))).errors).toBeUndefined();
    const reply = await run(aliased(31));
    expect(reply.errors).toEqual([
      { message: "query has 31 aliases, over the limit of 30", extensions: { code: "ALIAS_LIMIT_EXCEEDED", limit: 30, actual: 31 } },
    ]);
    expect(reply.operations).toBe(1);
  });
});

describe("tokens", () => {
  it("refuses a document of more than 5000 tokens before parsing it", async () => {
    const reply = await run(`{ viewer { ${"livemode ".repeat(5_000)} } }`);
    expect(reply.errors).toEqual([
      { message: "query has more than 5000 tokens, the limit", extensions: { code: "TOKEN_LIMIT_EXCEEDED", limit: 5_000, actual: 5_001 } },
    ]);
    expect(reply.operations).toBe(1);
  });

  it("leaves a syntax error to the parser", async () => {
    const reply = await run(`{ viewer { livemode `);
    expect(reply.errors![0]!.message).toMatch(/^Syntax Error/);
  });
});

describe("introspection", () => {
  it("answers GraphiQL's introspection query", async () => {
    const reply = await run(
      getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        inputValueDeprecation: true,
      }),
    );
    expect(reply.errors).toBeUndefined();
    expect(reply.data.__schema.types.length).toBeGreaterThan(50);
  });

  it("refuses lists of types nested past three levels (graphql-js' MaxIntrospectionDepthRule)", async () => {
    const reply = await run(`{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }`);
    expect(reply.errors).toEqual([
      expect.objectContaining({ message: "Maximum introspection depth exceeded", extensions: { code: "GRAPHQL_VALIDATION_FAILED" } }),
    ]);
    expect(reply.operations).toBe(1);
  });
});

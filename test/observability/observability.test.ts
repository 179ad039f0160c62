// What an operator sees of requests: an id on every log line of a request and in its answer, one
// access line each (route pattern, status, duration, tenant; never the token), 4xx answers that
// are not logged as errors, /metrics in Prometheus' format (optionally behind METRICS_TOKEN), and
// /readyz, which answers 503 while the database lacks migrations.
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { createTestDatabase } from "../support/database.ts";
import { createWalletVia, depositVia, useGateway } from "../support/app.ts";
import { useHttp } from "../support/http.ts";
import { captureLogs } from "../support/logs.ts";

const gateway = useGateway();
const http = useHttp(gateway);
const logs = captureLogs();

const accessLines = () => logs.lines.filter((line) => line.msg === "request");

describe("request logs", () => {
  it("takes the caller's X-Request-Id, returns it, and writes one access line with the route's pattern and the tenant", async () => {
    logs.clear();
    const response = await fetch(`${http.baseUrl}/v1/customers/cus-1`, {
      headers: { authorization: `Bearer ${gateway.token}`, "x-request-id": "order-42" },
    });
    expect(response.headers.get("x-request-id")).toBe("order-42");
    const tenant = await gateway.db.prisma.tenant.findUniqueOrThrow({ where: { slug: "acme" } });
    expect(accessLines()).toEqual([
      expect.objectContaining({
        level: "info",
        requestId: "order-42",
        method: "GET",
        status: response.status,
        tenantId: tenant.id,
        durationMs: expect.any(Number),
      }),
    ]);
    // A pattern, not the path with its ids.
    expect(accessLines()[0]!.route).toBe("/v1/customers/{customer_id}");
    expect(JSON.stringify(logs.lines)).not.toContain(gateway.token);
  });

  it("makes up an id when none (or a strange one) is sent, and logs client errors as info", async () => {
    logs.clear();
    const refused = await fetch(`${http.baseUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": 'bad id {"level":"fatal"}' },
      body: "{}",
    });
    expect(refused.status).toBe(401);
    const id = refused.headers.get("x-request-id")!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const missing = await fetch(`${http.baseUrl}/wallets/123`);
    expect(missing.status).toBe(404);
    expect(accessLines().map((line) => [line.requestId === id, line.route, line.status, line.level])).toEqual([
      [true, "/graphql", 401, "info"],
      [false, "(unmatched)", 404, "info"],
    ]);
    expect(logs.errors()).toEqual([]);
  });
});

describe("/metrics", () => {
  it("counts HTTP requests by route and status, GraphQL operations by name and outcome, and ledger operations by type and outcome", async () => {
    const walletId = await createWalletVia(gateway, "metrics");
    await depositVia(gateway, walletId, "100");
    for (const amount of ["30", "500"]) {
      await http.send("POST", "/graphql", {
        json: {
          query: `mutation Spend($input: DebitInput!) { debit(input: $input) { __typename } }`,
          variables: { input: { walletId, amount } },
        },
      });
    }
    const response = await fetch(`${http.baseUrl}/metrics`);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toMatch(/^http_requests_total\{method="POST",route="\/graphql",status="200"\} \d+$/m);
    expect(text).toMatch(/^http_request_duration_seconds_bucket\{le="0\.1",method="POST",route="\/graphql",status="200"\} \d+$/m);
    expect(text).toMatch(/^graphql_operations_total\{operation="Spend",type="mutation",outcome="ok"\} 2$/m);
    expect(text).toMatch(/^ledger_operations_total\{type="debit",outcome="committed"\} [1-9]/m);
    expect(text).toMatch(/^ledger_operations_total\{type="debit",outcome="INSUFFICIENT_CREDITS"\} [1-9]/m);
    // Each debit statement, with the debits it carried (one each here: they were sent one at a time).
    expect(text).toMatch(/^ledger_debit_statement_debits_count\{outcome="answered"\} [1-9]/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    for (const declared of ["stripe_calls_total", "webhook_deliveries_total", "db_pool_connections", "http_requests_in_flight"])
      expect(text).toContain(`# TYPE ${declared} `);
  });

  it("wants METRICS_TOKEN when one is set", async () => {
    const app = createApp({ db: gateway.db, ledger: gateway.ledger, metricsToken: "metrics-secret-0123456789" });
    const ask = (authorization?: string) =>
      app.fetch(new Request("http://gateway.test/metrics", { headers: authorization ? { authorization } : {} }));
    expect((await ask()).status).toBe(401);
    expect((await ask(`Bearer ${gateway.token}`)).status).toBe(401);
    expect((await ask("Bearer metrics-secret-0123456789")).status).toBe(200);
  });
});

describe("/readyz", () => {
  it("is ready when the database answers and has every migration", async () => {
    const response = await fetch(`${http.baseUrl}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ready", database: gateway.db.kind });
  });

  it("answers 503 while migrations are pending, and while the database is down", async () => {
    const unmigrated = await createTestDatabase({ migrate: false });
    try {
      const app = createApp({ db: unmigrated, ledger: { prisma: unmigrated.prisma, now: () => new Date() } });
      const response = await app.fetch(new Request("http://gateway.test/readyz"));
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: "not ready", reason: "migrations pending" });
    } finally {
      await unmigrated.close();
    }
    const closed = await createTestDatabase();
    await closed.close();
    const app = createApp({ db: closed, ledger: { prisma: closed.prisma, now: () => new Date() } });
    const down = await app.fetch(new Request("http://gateway.test/readyz"));
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: "not ready", reason: "database unreachable" });
  });
});

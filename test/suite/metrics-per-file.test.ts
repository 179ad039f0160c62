// Database files share their worker's modules (test/vitest.config.ts), and with them the process's
// /metrics registry: each file still starts from zero (test/support/metrics-per-file.ts), so what
// it reads on /metrics is what it caused, whichever files ran before it in the same worker.
import { expect, it } from "vitest";
import { graphqlOperations, httpRequests, ledgerOperations, registry } from "../../src/observability/metrics.ts";
import { createWalletVia, depositVia, useGateway } from "../support/app.ts";

const countedAtStart = await Promise.all(
  [httpRequests, graphqlOperations, ledgerOperations].map(async (metric) => (await metric.get()).values),
);

const gateway = useGateway();

it("starts with no request, GraphQL operation or ledger operation counted", () => {
  expect(countedAtStart).toEqual([[], [], []]);
});

it("counts what the file does", async () => {
  const walletId = await createWalletVia(gateway, "counted");
  await depositVia(gateway, walletId, "100");
  const text = await registry.metrics();
  expect(text).toMatch(/^ledger_operations_total\{type="deposit",outcome="committed"\} 1$/m);
  expect(text).toMatch(/^graphql_operations_total\{operation="anonymous",type="mutation",outcome="ok"\} 2$/m);
});

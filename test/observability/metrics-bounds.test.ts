// /metrics stays small whatever clients send: every label takes a bounded number of values of
// bounded length. A client that names its operations with 300,000 characters, or sends requests
// with made-up methods, adds a handful of series, not megabytes.
import { describe, expect, it } from "vitest";
import { useGateway } from "../support/app.ts";
import { useHttp } from "../support/http.ts";

const gateway = useGateway();
const http = useHttp(gateway);

async function scrape(): Promise<string> {
  const response = await fetch(`${http.baseUrl}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

/** The label values a metric's series carry, e.g. every `operation="…"` of graphql_operations_total. */
function labelValues(text: string, metric: string, label: string): string[] {
  const values = new Set<string>();
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${metric}{`)) continue;
    const value = new RegExp(`[{,]${label}="([^"]*)"`).exec(line)?.[1];
    if (value !== undefined) values.add(value);
  }
  return [...values];
}

const MiB = 1_048_576;

describe("/metrics under hostile labels", () => {
  it("stays under 1 MiB after 200 operations named with 300,000 characters each, and still counts them", async () => {
    const NAME_LENGTH = 300_000;
    for (let i = 0; i < 200; i += 1) {
      const name = `Q${String(i).padStart(3, "0")}${"x".repeat(NAME_LENGTH - 4)}`;
      const answer = await http.send("POST", "/graphql", { json: { query: `query ${name} { viewer { livemode } }` } });
      expect(answer.status).toBe(200);
    }
    const text = await scrape();
    const bytes = Buffer.byteLength(text);
    console.info(`/metrics after 200 operations with ${NAME_LENGTH}-character names: ${bytes} bytes`);
    expect(bytes).toBeLessThanOrEqual(MiB);
    const operations = labelValues(text, "graphql_operations_total", "operation");
    expect(Math.max(...operations.map((name) => name.length))).toBeLessThanOrEqual(100);
    const counted = text
      .split("\n")
      .filter((line) => line.startsWith("graphql_operations_total{") && line.includes('type="query"'))
      .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
    expect(counted).toBeGreaterThanOrEqual(200);
  });

  it("keeps its distinct operation names to a few hundred", async () => {
    for (let i = 0; i < 260; i += 1) {
      await http.send("POST", "/graphql", { json: { query: `query Named${i} { viewer { livemode } }` } });
    }
    const operations = labelValues(await scrape(), "graphql_operations_total", "operation");
    expect(operations.length).toBeLessThanOrEqual(202);
    expect(operations).toContain("other");
  });

  it("counts requests with made-up methods under one method label", async () => {
    for (let i = 0; i < 30; i += 1) {
      await gateway.app.fetch(new Request("http://gateway.test/graphql", { method: `MADEUP${i}` }));
    }
    const methods = labelValues(await scrape(), "http_requests_total", "method");
    expect(methods.filter((method) => method.startsWith("MADEUP"))).toEqual([]);
    expect(methods).toContain("other");
  });
});

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { useGateway } from "../support/app.ts";

const gateway = useGateway();

describe("authentication", () => {
  it("answers 401 without a token and 403 with a wrong one, with a clear message", async () => {
    const missing = await gateway.graphql("{ viewer { livemode } }", {}, null);
    expect(missing.status).toBe(401);
    expect(missing.errors![0]).toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
    expect(missing.errors![0]!.message).toMatch(/Authorization: Bearer/);
    const wrong = await gateway.graphql("{ viewer { livemode } }", {}, "bg_live_00000000-0000-0000-0000-000000000000");
    expect(wrong.status).toBe(403);
    expect(wrong.errors![0]).toMatchObject({ extensions: { code: "FORBIDDEN" } });
  });

  it("serves GraphiQL to a browser without a token", async () => {
    const response = await gateway.app.fetch(new Request("http://gateway.test/graphql", { headers: { accept: "text/html" } }));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("GraphiQL");
  });

  it("tells the token's tenant and mode", async () => {
    const live = await gateway.graphql("{ viewer { livemode tenant { slug } customer { externalId } } }");
    expect(live.data.viewer).toEqual({ livemode: true, tenant: { slug: "acme" }, customer: null });
    const test = await gateway.graphql("{ viewer { livemode } }", {}, await gateway.issue("acme", { test: true }));
    expect(test.data.viewer.livemode).toBe(false);
    expect((await gateway.issue("acme", { test: true })).startsWith("bg_test_")).toBe(true);
  });

  it("works over real HTTP", async () => {
    const server = createServer(gateway.app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${gateway.token}` },
        body: JSON.stringify({ query: "{ viewer { tenant { slug } } }" }),
      });
      expect(await response.json()).toEqual({ data: { viewer: { tenant: { slug: "acme" } } } });
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(await health.json()).toMatchObject({ status: "ok" });
    } finally {
      server.close();
    }
  });
});

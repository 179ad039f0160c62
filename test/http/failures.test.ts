// Every error answer is in its route family's shape and carries no internals: a path that is
// not valid percent-encoding, a method a path does not take, a database that does not answer
// (503 with Retry-After, authentication and /readyz included), and any other failure (500), each
// logged once.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createApp, type App } from "../../src/app.ts";
import type { PrismaClient } from "../../src/db/generated/client.ts";
import { openPostgres } from "../../src/db/postgres.ts";
import { loadPaymentsConfig } from "../../src/payments/config.ts";
import { createStripeAccess } from "../../src/payments/stripe-client.ts";
import { useGateway } from "../support/app.ts";
import { signWebhook } from "../support/fake-stripe.ts";
import { captureLogs } from "../support/logs.ts";

const gateway = useGateway();
const WEBHOOK_SECRET = "whsec_test_secret";
const payments = createStripeAccess(loadPaymentsConfig({ STRIPE_SECRET_KEY: "sk_test_fake", STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET })!);

interface Probe {
  family: string;
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  /** Checks the family's error shape and returns its message, to look for internals in. */
  shape(body: any, status: number): string;
}

const EVENT = JSON.stringify({
  id: "evt_failures_1",
  object: "event",
  type: "payment_intent.succeeded",
  livemode: false,
  data: { object: { id: "pi_1", object: "payment_intent", metadata: {} } },
});

const PROBES: Probe[] = [
  {
    family: "GraphQL",
    method: "POST",
    path: "/graphql",
    body: JSON.stringify({ query: "{ viewer { livemode } }" }),
    shape: (body, status) => {
      expect(body.errors[0].extensions.code).toBe(status === 503 ? "SERVICE_UNAVAILABLE" : "INTERNAL_SERVER_ERROR");
      return body.errors[0].message;
    },
  },
  {
    family: "Wren",
    method: "GET",
    path: "/api/credits/balance",
    shape: (body) => {
      expect(Object.keys(body)).toEqual(["error"]);
      return body.error;
    },
  },
  {
    family: "customer deposits",
    method: "GET",
    path: "/v1/customers/alice",
    shape: (body, status) => {
      expect(body.error).toMatchObject(
        status === 503 ? { type: "api_error", code: "service_unavailable" } : { type: "api_error", code: "internal_error" },
      );
      return body.error.message;
    },
  },
  {
    family: "Orb",
    method: "GET",
    path: "/customers/external_customer_id/alice/credits",
    shape: (body, status) => {
      expect(body).toMatchObject({
        status,
        type: expect.stringMatching(status === 503 ? /#503-service-unavailable$/ : /#500-internal-server-error$/),
      });
      return body.detail;
    },
  },
  {
    family: "commerce",
    method: "GET",
    path: "/v1/commerce/billing/wallets",
    shape: (body, status) => {
      expect(body.name).toBe(status === 503 ? "SERVICE_UNAVAILABLE" : "INTERNAL_SERVER_ERROR");
      return body.message;
    },
  },
  {
    family: "Stripe webhook",
    method: "POST",
    path: "/webhooks/stripe",
    body: EVENT,
    headers: { "stripe-signature": signWebhook(EVENT, WEBHOOK_SECRET) },
    shape: (body) => body.error,
  },
  {
    family: "gateway",
    method: "GET",
    path: "/healthz",
    shape: (body, status) => {
      expect(body.error.code).toBe(status === 503 ? "SERVICE_UNAVAILABLE" : "INTERNAL_SERVER_ERROR");
      return body.error.message;
    },
  },
];

async function send(app: App, probe: Probe): Promise<Response> {
  return app.fetch(
    new Request(`http://gateway.test${probe.path}`, {
      method: probe.method,
      headers: { authorization: `Bearer ${gateway.token}`, "content-type": "application/json", ...probe.headers },
      body: probe.body,
    }),
  );
}

/** Internals that must never reach a client: stack frames, file paths, driver and database names. */
function expectNoInternals(text: string) {
  expect(text).not.toMatch(
    /\bat .*\(|\/work\/|\.ts\b|node_modules|prisma|P10\d\d|127\.0\.0\.1|ECONNREFUSED|billing_gateway_secret|bg_test_/i,
  );
}

const logs = captureLogs();
afterEach(() => logs.clear());

describe("with the database unreachable", () => {
  // A real client on a port where nothing listens: every query fails to connect.
  const down = openPostgres("postgres://postgres@127.0.0.1:1/billing_gateway_secret", 2);
  const app = createApp({ db: { ...down, kind: "postgres" }, ledger: { prisma: down.prisma, now: () => new Date() }, payments });
  afterAll(() => down.close());

  for (const probe of PROBES) {
    it(`answers ${probe.family} with 503 in its shape, a plain message and Retry-After, logged once`, async () => {
      const response = await send(app, probe);
      const text = await response.text();
      expect(response.status).toBe(503);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(response.headers.get("retry-after")).toBe("5");
      const message = probe.shape(JSON.parse(text), 503);
      expect(message).toMatch(/temporarily unavailable/);
      expectNoInternals(text);
      expect(logs.errors()).toHaveLength(1);
    });
  }

  describe("after authentication", () => {
    // Tokens are found; every other query meets the unreachable database, as when it goes down mid-request.
    const prisma = down.prisma.$extends({
      query: { apiToken: { $allOperations: ({ operation, args }) => (gateway.db.prisma.apiToken as any)[operation](args) } },
    }) as unknown as PrismaClient;
    const app = createApp({ db: { ...down, prisma }, ledger: { prisma, now: () => new Date() }, payments });

    it("answers a GraphQL field with SERVICE_UNAVAILABLE, status 503 and Retry-After", async () => {
      const response = await send(app, { ...PROBES[0]!, body: JSON.stringify({ query: "{ wallets(first: 1) { totalCount } }" }) });
      const text = await response.text();
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
      expect(JSON.parse(text).errors).toEqual([
        expect.objectContaining({
          message: "the service is temporarily unavailable: retry shortly",
          extensions: { code: "SERVICE_UNAVAILABLE" },
        }),
      ]);
      expectNoInternals(text);
      expect(logs.errors()).toHaveLength(1);
    });

    it("answers a REST handler with 503 in its vendor's shape", async () => {
      const response = await send(app, PROBES[2]!);
      expect(response.status).toBe(503);
      expect((await response.json()).error).toMatchObject({ type: "api_error", code: "service_unavailable" });
      expect(logs.errors()).toHaveLength(1);
    });

    // GraphQL's probe reads only the token's viewer; a field that reads the database is the test above.
    for (const probe of PROBES.filter((probe) => probe.family !== "GraphQL")) {
      it(`answers ${probe.family} with 503 and Retry-After when the database fails mid-request`, async () => {
        const response = await send(app, probe);
        expect(response.status).toBe(503);
        expect(response.headers.get("retry-after")).toBe("5");
        probe.shape(await response.json(), 503);
      });
    }
  });

  it("answers /readyz with 503 and Retry-After", async () => {
    const response = await app.fetch(new Request("http://gateway.test/readyz"));
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(await response.json()).toEqual({ status: "not ready", reason: "database unreachable" });
  });
});

describe("a 503 for another reason", () => {
  it("carries Retry-After too: a Stripe webhook to a gateway without its secret", async () => {
    const unconfigured = createApp({ db: gateway.db, ledger: gateway.ledger });
    const response = await send(
      unconfigured,
      PROBES.find((probe) => probe.family === "Stripe webhook")!,
    );
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
  });
});

describe("with an unexpected failure", () => {
  /** A client whose every query fails with a message full of internals, as a bug's might be. */
  function failingClient(): PrismaClient {
    return gateway.db.prisma.$extends({
      query: {
        async $allOperations() {
          throw new Error('relation "api_token" failed in /work/app/src/secret.ts:12 (database billing_gateway_secret)');
        },
      },
    }) as unknown as PrismaClient;
  }

  for (const probe of PROBES) {
    it(`answers ${probe.family} with 500 in its shape, without internals, logged once`, async () => {
      const prisma = failingClient();
      const app = createApp({ db: { ...gateway.db, prisma }, ledger: { prisma, now: gateway.clock.now }, payments });
      const response = await send(app, probe);
      const text = await response.text();
      expect(response.status).toBe(500);
      probe.shape(JSON.parse(text), 500);
      expectNoInternals(text);
      expect(logs.errors()).toHaveLength(1);
    });
  }
});

describe("a path that is not valid percent-encoding", () => {
  const get = (path: string) =>
    gateway.app.fetch(new Request(`http://gateway.test${path}`, { headers: { authorization: `Bearer ${gateway.token}` } }));

  it("is 400 in the customer deposits shape", async () => {
    const response = await get("/v1/customers/%ZZ");
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatchObject({
      type: "bad_request",
      code: "malformed_path",
      message: "the request path is not valid percent-encoding",
    });
  });

  it("is 400 in the commerce shape", async () => {
    const response = await get("/v1/commerce/billing/wallets/%E0%A4%A");
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ name: "INVALID_REQUEST", details: [{ issue: "MALFORMED_PATH" }] });
  });

  it("is 400 in the Orb shape", async () => {
    const response = await get("/customers/%ZZ/credits");
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      status: 400,
      title: "Request validation error",
      detail: "the request path is not valid percent-encoding",
    });
    expect(logs.errors()).toEqual([]);
  });
});

describe("a method a path does not take", () => {
  it("is 405 with Allow, in the path's family shape", async () => {
    const response = await gateway.app.fetch(
      new Request("http://gateway.test/v1/commerce/billing/wallets/abc", {
        method: "POST",
        headers: { authorization: `Bearer ${gateway.token}` },
      }),
    );
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, PUT, DELETE");
    expect(await response.json()).toMatchObject({ name: "METHOD_NOT_SUPPORTED" });
  });

  it("is 405 on GraphQL in its shape", async () => {
    const response = await gateway.app.fetch(
      new Request("http://gateway.test/graphql", { method: "PUT", headers: { authorization: `Bearer ${gateway.token}` } }),
    );
    expect(response.status).toBe(405);
    expect((await response.json()).errors[0].extensions.code).toBe("METHOD_NOT_ALLOWED");
  });
});

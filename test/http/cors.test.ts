// CORS: preflights answered for listed origins on /graphql and every REST path without a token;
// no other origin is ever echoed; no credentials; Yoga's own permissive CORS is off.
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { ConfigError, loadHttpConfig } from "../../src/config.ts";
import { openApiDocument } from "../../src/rest/openapi.ts";
import { useGateway } from "../support/app.ts";

const gateway = useGateway();
const LISTED = "https://app.example.com";
const OTHER = "https://evil.example.net";

const app = () => createApp({ db: gateway.db, ledger: gateway.ledger, http: { corsOrigins: [LISTED, "http://localhost:3000"] } });

function preflight(path: string, origin: string, method = "POST") {
  return app().fetch(
    new Request(`http://gateway.test${path}`, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": method,
        "access-control-request-headers": "authorization, content-type, idempotency-key",
      },
    }),
  );
}

/** Every REST path the OpenAPI document describes, with a sample value for each parameter, and its methods. */
const REST_PATHS = Object.entries(openApiDocument.paths as Record<string, Record<string, unknown>>).map(([template, operations]) => ({
  path: template.replace(/\{[^}]+\}/g, "sample-id"),
  methods: Object.keys(operations).map((method) => method.toUpperCase()),
}));

describe("a preflight from a listed origin", () => {
  it("is answered on /graphql without a token", async () => {
    const response = await preflight("/graphql", LISTED);
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(LISTED);
    expect(response.headers.get("access-control-allow-methods")).toBe("GET, POST");
    expect(response.headers.get("access-control-allow-headers")).toBe("Authorization, Content-Type, Idempotency-Key");
    expect(response.headers.get("access-control-max-age")).toBe("600");
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
    expect(response.headers.get("vary")).toContain("Origin");
  });

  it("is answered on every REST path with the methods that path takes", async () => {
    expect(REST_PATHS.length).toBeGreaterThanOrEqual(15);
    for (const { path, methods } of REST_PATHS) {
      if (path === "/openapi.json") continue;
      const response = await preflight(path, "http://localhost:3000", methods[0]);
      expect(response.status, path).toBe(204);
      expect(response.headers.get("access-control-allow-origin"), path).toBe("http://localhost:3000");
      // At least the documented ones: /v1/customers/deposit is also GET /v1/customers/{customer_id}.
      expect(response.headers.get("access-control-allow-methods")!.split(", "), path).toEqual(expect.arrayContaining(methods));
      expect(response.headers.get("access-control-allow-headers"), path).toBe("Authorization, Content-Type, Idempotency-Key");
      expect(response.headers.get("access-control-allow-credentials"), path).toBeNull();
    }
  });
});

describe("an origin that is not listed", () => {
  it("gets a preflight answer without CORS headers, so the browser refuses", async () => {
    const response = await preflight("/graphql", OTHER);
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(response.headers.get("access-control-allow-methods")).toBeNull();
  });

  it("is never echoed on an answer", async () => {
    const response = await app().fetch(
      new Request("http://gateway.test/graphql", {
        method: "POST",
        headers: { origin: OTHER, "content-type": "application/json", authorization: `Bearer ${gateway.token}` },
        body: JSON.stringify({ query: "{ viewer { livemode } }" }),
      }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
  });
});

describe("answers to a listed origin", () => {
  it("carry its origin, expose Retry-After, and never allow credentials, errors included", async () => {
    for (const request of [
      new Request("http://gateway.test/graphql", {
        method: "POST",
        headers: { origin: LISTED, "content-type": "application/json", authorization: `Bearer ${gateway.token}` },
        body: JSON.stringify({ query: "{ viewer { livemode } }" }),
      }),
      new Request("http://gateway.test/v1/customers/alice", { headers: { origin: LISTED } }),
      new Request("http://gateway.test/no/such/path", { headers: { origin: LISTED } }),
    ]) {
      const response = await app().fetch(request);
      expect(response.headers.get("access-control-allow-origin"), request.url).toBe(LISTED);
      expect(response.headers.get("access-control-expose-headers"), request.url).toBe("Retry-After");
      expect(response.headers.get("access-control-allow-credentials"), request.url).toBeNull();
      expect(response.headers.get("vary"), request.url).toContain("Origin");
    }
  });
});

describe("without CORS_ORIGINS", () => {
  it("answers no origin with CORS headers, where Yoga alone echoed any origin with credentials", async () => {
    const response = await gateway.app.fetch(
      new Request("http://gateway.test/graphql", {
        method: "POST",
        headers: { origin: OTHER, "content-type": "application/json", authorization: `Bearer ${gateway.token}` },
        body: JSON.stringify({ query: "{ viewer { livemode } }" }),
      }),
    );
    expect(response.status).toBe(200);
    for (const header of ["access-control-allow-origin", "access-control-allow-credentials", "access-control-allow-methods"])
      expect(response.headers.get(header)).toBeNull();
    const answer = await gateway.app.fetch(
      new Request("http://gateway.test/graphql", {
        method: "OPTIONS",
        headers: { origin: OTHER, "access-control-request-method": "POST" },
      }),
    );
    expect(answer.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("CORS_ORIGINS", () => {
  it("takes a comma-separated list of origins", () => {
    expect(
      loadHttpConfig({ CORS_ORIGINS: " https://app.example.com, http://localhost:3000/ ,https://Admin.Example.com" }).corsOrigins,
    ).toEqual(["https://app.example.com", "http://localhost:3000", "https://admin.example.com"]);
    expect(loadHttpConfig({}).corsOrigins).toEqual([]);
  });

  it("refuses what is not an origin", () => {
    for (const bad of ["*", "app.example.com", "https://app.example.com/path", "ftp://files.example.com", "https://user@app.example.com"]) {
      expect(() => loadHttpConfig({ CORS_ORIGINS: bad }), bad).toThrow(ConfigError);
    }
  });
});

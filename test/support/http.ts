// The gateway behind a real HTTP server on a loopback port, for tests that speak to it as a
// partner's client would.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";
import type { GatewayFixture } from "./app.ts";

export interface HttpFixture {
  baseUrl: string;
  server: Server;
  /** Sends a request with the gateway fixture's token unless `token` says otherwise (null: none). */
  send(
    method: string,
    path: string,
    options?: { json?: unknown; body?: string; contentType?: string; token?: string | null; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any }>;
}

export function useHttp(gateway: GatewayFixture): HttpFixture {
  const fixture = {} as HttpFixture;
  let server: Server;
  beforeAll(async () => {
    // Delegates per request, so a test may swap gateway.app (e.g. to add payments).
    server = createServer((request, response) => gateway.app(request, response));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    fixture.server = server;
    fixture.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    fixture.send = async (method, path, options = {}) => {
      const token = options.token === undefined ? gateway.token : options.token;
      const body = options.json !== undefined ? JSON.stringify(options.json) : options.body;
      const response = await fetch(`${fixture.baseUrl}${path}`, {
        method,
        headers: {
          ...(body !== undefined ? { "content-type": options.contentType ?? "application/json" } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...options.headers,
        },
        body,
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    };
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return fixture;
}

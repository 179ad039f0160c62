// A client that hangs up mid-request is not a failure of the gateway: nothing is logged as one.
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { useGateway } from "../support/app.ts";

const gateway = useGateway();
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((request, response) => gateway.app(request, response));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it("logs no error when the client goes away while its body is still arriving", async () => {
  const errors = vi.spyOn(console, "error");
  const closed = new Promise<void>((resolve) => server.once("request", (_request, response) => response.once("close", () => resolve())));
  const request = httpRequest({
    host: "127.0.0.1",
    port,
    path: "/graphql",
    method: "POST",
    // No Content-Length: the body is read as it streams in.
    headers: { "content-type": "application/json", authorization: `Bearer ${gateway.token}`, "transfer-encoding": "chunked" },
  });
  request.on("error", () => {});
  request.write('{"query":"{ viewer');
  await new Promise((resolve) => setTimeout(resolve, 100));
  request.destroy();
  await closed;
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(errors).not.toHaveBeenCalled();
  errors.mockRestore();
});

// A client that hangs up mid-request is not a failure of the gateway: nothing is logged as one.
import { request as httpRequest } from "node:http";
import { expect, it, vi } from "vitest";
import { useGateway } from "../support/app.ts";
import { useHttp } from "../support/http.ts";
import { captureLogs } from "../support/logs.ts";

const gateway = useGateway();
const http = useHttp(gateway);
const logs = captureLogs();

it("logs no error when the client goes away while its body is still arriving", async () => {
  const closed = new Promise<void>((resolve) =>
    http.server.once("request", (_request, response) => response.once("close", () => resolve())),
  );
  const request = httpRequest({
    host: "127.0.0.1",
    port: new URL(http.baseUrl).port,
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
  expect(logs.errors()).toEqual([]);
  // Answered 499, which nobody reads: an info line, like any answered request.
  expect(logs.lines.filter((line) => line.msg === "request").map((line) => line.status)).toEqual([499]);
});

// The HTTP server's drain (src/lifecycle/http-server.ts), on a real loopback server: whatever
// reached the process when the drain began is answered, never reset; an answer in flight closes
// its kept-alive connection after it; idle kept-alive connections are closed.
import { Agent, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { afterEach, expect, it } from "vitest";
import { listen, type HttpServer } from "../../src/lifecycle/http-server.ts";

type Outcome = { status: number; connection: string | undefined; body: string } | { error: string };

function get(port: number, agent: Agent | false): Promise<Outcome> {
  return new Promise((resolve) => {
    const request = httpRequest({ host: "127.0.0.1", port, path: "/", agent }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode!, connection: response.headers.connection, body }));
      response.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? String(error) }));
    });
    request.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? String(error) }));
    request.end();
  });
}

const servers: HttpServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) if (server.server.listening) await server.drain(0);
});

async function serve(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<HttpServer> {
  const server = await listen(handler, 0, { host: "127.0.0.1" });
  servers.push(server);
  return server;
}

it("answers the connections still queued in the kernel when the drain begins, and resets none", async () => {
  const server = await serve((_request, response) => response.end("answered"));
  // Connected (the kernel completes the handshake: each client connects on the next tick) but not
  // yet taken by the process: the drain begins before the event loop has looked.
  const outcomes = Array.from({ length: 40 }, () => get(server.port, false));
  await new Promise((resolve) => process.nextTick(resolve));
  const drained = server.drain(10_000);
  const answers = await Promise.all(outcomes);
  expect(answers.filter((answer) => "error" in answer)).toEqual([]);
  expect(
    answers.every((answer) => "status" in answer && answer.status === 200 && answer.body === "answered" && answer.connection === "close"),
  ).toBe(true);
  expect(await drained).toBe(true);
  expect(server.server.listening).toBe(false);
});

it("finishes the answer in flight with Connection: close, then closes its connection and the idle kept-alive ones", async () => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let arrived!: () => void;
  const inFlight = new Promise<void>((resolve) => (arrived = resolve));
  const server = await serve((request, response) => {
    if (request.url === "/" && request.headers["x-hold"] === undefined) return response.end("quick");
    arrived();
    void released.then(() => response.end("held"));
  });
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  try {
    // One kept-alive connection that will sit idle, and one carrying a held request.
    expect(await get(server.port, agent)).toMatchObject({ status: 200, connection: "keep-alive", body: "quick" });
    const idleSockets = Object.values(agent.freeSockets).flat();
    expect(idleSockets).toHaveLength(1);
    const idleClosed = new Promise<void>((resolve) => idleSockets[0]!.once("close", () => resolve()));
    const held = new Promise<Outcome>((resolve) => {
      const request = httpRequest(
        { host: "127.0.0.1", port: server.port, path: "/", agent: new Agent({ keepAlive: true }), headers: { "x-hold": "1" } },
        (response) => {
          let body = "";
          response.on("data", (chunk: Buffer) => (body += chunk.toString()));
          response.on("end", () => resolve({ status: response.statusCode!, connection: response.headers.connection, body }));
        },
      );
      request.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? String(error) }));
      request.end();
    });
    await inFlight;

    const drained = server.drain(10_000);
    release();
    expect(await held).toEqual({ status: 200, connection: "close", body: "held" });
    expect(await drained).toBe(true);
    await idleClosed;
  } finally {
    agent.destroy();
  }
});

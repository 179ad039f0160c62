// An answer whose client has stopped reading it (src/lifecycle/http-server.ts): once Node's write
// buffer has stayed full for `writeStallMs`, its connection is closed, so a stream nobody reads
// holds no socket, buffer or slot; an answer read slowly but steadily is left alone.
import { connect } from "node:net";
import type { ServerResponse } from "node:http";
import { afterEach, expect, it } from "vitest";
import { listen, type HttpServer } from "../../src/lifecycle/http-server.ts";

const servers: HttpServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) if (server.server.listening) await server.drain(0);
});

/** Writes 64 KiB chunks for as long as the client takes them, like an event stream with a lot to say. */
function endlessAnswer(response: ServerResponse, closed: () => void): void {
  response.once("close", closed);
  response.writeHead(200, { "content-type": "text/event-stream" });
  const chunk = Buffer.alloc(65_536, "x");
  const write = () => {
    while (!response.destroyed && response.write(chunk));
  };
  response.on("drain", write);
  write();
}

/** Opens a request and reads nothing, or reads `bytesPerTick` every 100 ms. */
function client(port: number, bytesPerTick: number | null): { closedAfterMs: Promise<number>; stop(): void } {
  const started = performance.now();
  const socket = connect(port, "127.0.0.1", () => socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  socket.pause();
  let reader: NodeJS.Timeout | null = null;
  if (bytesPerTick !== null) {
    reader = setInterval(() => {
      for (let taken = 0; taken < bytesPerTick;) {
        const chunk = socket.read() as Buffer | null;
        if (!chunk) break;
        taken += chunk.length;
      }
    }, 100);
  }
  const closedAfterMs = new Promise<number>((resolve) => {
    socket.once("close", () => resolve(performance.now() - started));
    socket.once("error", () => {});
  });
  return {
    closedAfterMs,
    stop() {
      if (reader) clearInterval(reader);
      socket.destroy();
    },
  };
}

it("closes the connection of an answer its client stopped reading, after the stall bound", async () => {
  const started = performance.now();
  let closedAfterMs = Infinity;
  const server = await listen((_request, response) => endlessAnswer(response, () => (closedAfterMs = performance.now() - started)), 0, {
    host: "127.0.0.1",
    writeStallMs: 500,
  });
  servers.push(server);
  const stalled = client(server.port, null);
  for (let waited = 0; closedAfterMs === Infinity && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  stalled.stop();
  expect(closedAfterMs).toBeGreaterThanOrEqual(500);
  expect(closedAfterMs).toBeLessThan(5_000);
  expect(server.inFlight()).toBe(0);
});

it("leaves alone an answer its client reads, however slowly", async () => {
  const server = await listen((_request, response) => endlessAnswer(response, () => {}), 0, { host: "127.0.0.1", writeStallMs: 500 });
  servers.push(server);
  const steady = client(server.port, 256 * 1024);
  const closedEarly = await Promise.race([
    steady.closedAfterMs.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2_500)),
  ]);
  steady.stop();
  expect(closedEarly).toBe(false);
});

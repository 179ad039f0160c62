// The HTTP server, and how it drains. Stopping (once server.ts has waited out the drain delay),
// every request that arrives from then on is answered 503 with `Connection: close` by the app (in
// its API's error shape, before any work), and requests already in flight finish with their
// answers, each on a connection that closes after it. Nothing that reached the process is reset:
//
// - The listener closes only once nothing is in flight and no connection or request has arrived
//   for LISTENER_QUIET_MS, checked right after the event loop has looked for new connections.
//   Closing a listener resets every connection the kernel has queued but the process has not yet
//   taken (many, when the embedded database keeps the process busy), after their requests were
//   sent, which a client cannot tell from a request cut off midway.
// - A connection accepted but not heard from yet is given FRESH_CONNECTION_GRACE_MS to send its
//   request (answered 503) before it is closed: its request may be in the socket, unread, and
//   closing a socket with unread bytes resets it.
// - Kept-alive connections between requests are closed last, with the listener gone.
//
// Whatever is still running after the timeout has its connection closed (its transaction then
// rolls back).
//
// While running, an answer whose client has stopped reading it (Node's write buffer full, no
// `drain`) for `writeStallMs` has its connection closed: a stream left unread, or a large answer
// to a client that went quiet, then holds no socket, buffer or slot of this process.
import { once } from "node:events";
import { createServer, type IncomingMessage, type RequestListener, type Server as HttpServerType, type ServerResponse } from "node:http";
import { Server, type AddressInfo, type Socket } from "node:net";

export class PortInUseError extends Error {}

export interface HttpServer {
  server: HttpServerType;
  /** The port listened on: PORT's, or the one the system chose for PORT=0. */
  port: number;
  /** Requests being answered now. */
  inFlight(): number;
  /** Answers the rest with `Connection: close`, then stops accepting and waits for in-flight requests, at most `timeoutMs`; true when all finished in time. */
  drain(timeoutMs: number): Promise<boolean>;
}

/** How long a connection accepted but not yet heard from may take to send its request, once stopping. */
const FRESH_CONNECTION_GRACE_MS = 1_000;
/** How long nothing new must have arrived before the listener closes. */
const LISTENER_QUIET_MS = 200;
/** How often answers are looked at for a client that stopped reading. */
const WRITE_STALL_CHECK_MS = 1_000;

export interface ListenOptions {
  host?: string;
  /** An answer its client has not read from for this long has its connection closed. */
  writeStallMs?: number;
}

export async function listen(handler: RequestListener, port: number, options: ListenOptions = {}): Promise<HttpServer> {
  const { host, writeStallMs = 30_000 } = options;
  const active = new Set<ServerResponse>();
  // Answers whose write buffer is full, since when.
  const stalledSince = new Map<ServerResponse, number>();
  // Connections that have not sent a request yet: Node counts them as idle, but closing them
  // would reset a request already on its way.
  const fresh = new Set<Socket>();
  let draining = false;
  let lastArrival = Date.now();
  let settled: (() => void) | null = null;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    lastArrival = Date.now();
    fresh.delete(request.socket);
    active.add(response);
    response.once("close", () => {
      active.delete(response);
      stalledSince.delete(response);
      if (draining) settled?.();
    });
    if (draining) response.setHeader("connection", "close");
    handler(request, response);
  });
  server.on("connection", (socket: Socket) => {
    lastArrival = Date.now();
    fresh.add(socket);
    socket.once("close", () => {
      fresh.delete(socket);
      if (draining) settled?.();
    });
  });
  const stallCheck = setInterval(
    () => {
      const now = Date.now();
      for (const response of active) {
        if (!response.writableNeedDrain) {
          stalledSince.delete(response);
          continue;
        }
        const since = stalledSince.get(response);
        if (since === undefined) stalledSince.set(response, now);
        else if (now - since >= writeStallMs) response.destroy();
      }
    },
    Math.min(WRITE_STALL_CHECK_MS, writeStallMs),
  ).unref();
  server.once("close", () => clearInterval(stallCheck));
  server.listen(port, host);
  try {
    await Promise.race([once(server, "listening"), once(server, "error").then(([error]) => Promise.reject(error))]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE")
      throw new PortInUseError(`Port ${port} is in use by another program: stop it, or set PORT to a free port (PORT=0 picks one).`);
    if ((error as NodeJS.ErrnoException).code === "EACCES")
      throw new PortInUseError(`Port ${port} may not be used by this user: set PORT to a port above 1023.`);
    throw error;
  }

  /** Resolves true once `done()` holds (checked whenever a request or connection ends), false at the deadline. */
  const until = (done: () => boolean, deadline: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(done()), Math.max(0, deadline - Date.now()));
      settled = () => {
        if (!done()) return;
        clearTimeout(timer);
        resolve(true);
      };
      settled();
    });

  /**
   * Resolves once nothing is in flight and nothing has arrived for LISTENER_QUIET_MS, or at the
   * deadline. Decided in the event loop's check phase, right after its poll phase has accepted
   * whatever connections and read whatever requests were waiting: a timer that fires after the
   * loop was busy (a long query on the embedded database) would otherwise see a quiet that was
   * only the process not looking.
   */
  const quiet = (deadline: number) =>
    new Promise<void>((resolve) => {
      const look = () =>
        setImmediate(() => {
          const now = Date.now();
          const sinceArrival = now - lastArrival;
          if (now >= deadline || (active.size === 0 && sinceArrival >= LISTENER_QUIET_MS)) return resolve();
          setTimeout(look, Math.min(deadline - now, Math.max(10, LISTENER_QUIET_MS - sinceArrival)));
        });
      look();
    });

  return {
    server,
    port: (server.address() as AddressInfo).port,
    inFlight: () => active.size,
    async drain(timeoutMs) {
      draining = true;
      const deadline = Date.now() + timeoutMs;
      // Each answer still to be written closes its connection after it.
      for (const response of active) if (!response.headersSent) response.setHeader("connection", "close");
      // Queued connections keep being taken, and their requests answered 503, until the work in
      // flight is done and nothing more arrives; then the listener closes (net.Server's close:
      // http.Server's would also close the connections not heard from yet).
      const finished = await until(() => active.size === 0, deadline);
      await quiet(deadline);
      const closed = new Promise<void>((resolve) => Server.prototype.close.call(server, () => resolve()));
      await until(() => fresh.size === 0 && active.size === 0, Math.min(deadline, Date.now() + FRESH_CONNECTION_GRACE_MS));
      // What is left: kept-alive connections with nothing to do, and whatever the timeout cut short.
      server.closeAllConnections();
      await closed;
      return finished;
    },
  };
}

// The HTTP server, and how it drains. Stopping, every request that arrives from then on is
// answered 503 with `Connection: close` by the app (in its API's error shape, before any work),
// and requests already in flight finish with their answers, each on a connection that closes
// after it. Once they have, the listener closes and new connections are refused. The listener
// stays open meanwhile on purpose: connections the kernel has queued but the process has not
// yet taken (many, when the embedded database keeps the process busy) would otherwise be reset
// after their requests were sent, which a client cannot tell from a request cut off midway.
// Whatever is still running after the timeout has its connection closed (its transaction then
// rolls back).
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
  /** Stops accepting and waits for in-flight requests, at most `timeoutMs`; true when all finished in time. */
  drain(timeoutMs: number): Promise<boolean>;
}

/** How long a connection accepted but not yet heard from may take to send its request, once stopping. */
const FRESH_CONNECTION_GRACE_MS = 1_000;

export async function listen(handler: RequestListener, port: number, host?: string): Promise<HttpServer> {
  const active = new Set<ServerResponse>();
  // Connections that have not sent a request yet: Node counts them as idle, but closing them
  // would reset a request already on its way.
  const fresh = new Set<Socket>();
  let draining = false;
  let settled: (() => void) | null = null;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    fresh.delete(request.socket);
    active.add(response);
    response.once("close", () => {
      active.delete(response);
      if (draining) settled?.();
    });
    if (draining) response.setHeader("connection", "close");
    handler(request, response);
  });
  server.on("connection", (socket: Socket) => {
    fresh.add(socket);
    socket.once("close", () => {
      fresh.delete(socket);
      if (draining) settled?.();
    });
  });
  server.listen(port, host);
  try {
    await Promise.race([once(server, "listening"), once(server, "error").then(([error]) => Promise.reject(error))]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") throw new PortInUseError(`Port ${port} is in use by another program: stop it, or set PORT to a free port (PORT=0 picks one).`);
    if ((error as NodeJS.ErrnoException).code === "EACCES") throw new PortInUseError(`Port ${port} may not be used by this user: set PORT to a port above 1023.`);
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
      // flight is done; then the listener closes (net.Server's close: http.Server's would also
      // close the connections not heard from yet).
      const finished = await until(() => active.size === 0, deadline);
      const closed = new Promise<void>((resolve) => Server.prototype.close.call(server, () => resolve()));
      await until(() => fresh.size === 0 && active.size === 0, Math.min(deadline, Date.now() + FRESH_CONNECTION_GRACE_MS));
      // What is left: kept-alive connections with nothing to do, and whatever the timeout cut short.
      server.closeAllConnections();
      await closed;
      return finished;
    },
  };
}

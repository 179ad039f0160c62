// The HTTP server, and how it drains. Stopping, it closes its listener (new connections are
// refused), and requests that still arrive on kept-alive connections are answered 503 with
// `Connection: close` by the app (isDraining), before any work; requests already in flight
// finish with their answers, each on a connection that closes after it. Whatever is still
// running after the timeout has its connection closed (its transaction then rolls back).
import { once } from "node:events";
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export class PortInUseError extends Error {}

export interface HttpServer {
  server: Server;
  /** The port listened on: PORT's, or the one the system chose for PORT=0. */
  port: number;
  /** True once drain() has begun. */
  isDraining(): boolean;
  /** Requests being answered now. */
  inFlight(): number;
  /** Stops accepting and waits for in-flight requests, at most `timeoutMs`; true when all finished in time. */
  drain(timeoutMs: number): Promise<boolean>;
}

export async function listen(handler: RequestListener, port: number, host?: string): Promise<HttpServer> {
  const active = new Set<ServerResponse>();
  let draining = false;
  let allFinished: (() => void) | null = null;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    active.add(response);
    response.once("close", () => {
      active.delete(response);
      if (draining) {
        // A kept-alive connection that just went idle would otherwise wait for its keep-alive timeout.
        server.closeIdleConnections();
        if (active.size === 0) allFinished?.();
      }
    });
    if (draining) response.setHeader("connection", "close");
    handler(request, response);
  });
  server.listen(port, host);
  try {
    await Promise.race([once(server, "listening"), once(server, "error").then(([error]) => Promise.reject(error))]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") throw new PortInUseError(`Port ${port} is in use by another program: stop it, or set PORT to a free port (PORT=0 picks one).`);
    if ((error as NodeJS.ErrnoException).code === "EACCES") throw new PortInUseError(`Port ${port} may not be used by this user: set PORT to a port above 1023.`);
    throw error;
  }
  return {
    server,
    port: (server.address() as AddressInfo).port,
    isDraining: () => draining,
    inFlight: () => active.size,
    async drain(timeoutMs) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Each answer still to be written closes its connection after it.
      for (const response of active) if (!response.headersSent) response.setHeader("connection", "close");
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const finished =
        active.size === 0 ||
        (await Promise.race([
          new Promise<true>((resolve) => (allFinished = () => resolve(true))),
          new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
        ]));
      clearTimeout(timer);
      server.closeAllConnections();
      await closed;
      return finished;
    },
  };
}

// A GraphQL subscription over server-sent events (graphql-yoga's default transport), as a client
// sees it: each `next` event's data, in order, until the test closes it.
import { request as httpRequest } from "node:http";
import { Readable } from "node:stream";

/**
 * fetch over node:http, for streams over a real connection: aborting the request's signal
 * destroys the connection at once, which the server sees as its client leaving. (Node's fetch
 * sometimes keeps the socket of an aborted stream open.)
 */
export async function fetchOverHttp(request: Request): Promise<Response> {
  const body = request.body ? Buffer.from(await request.arrayBuffer()) : null;
  return new Promise<Response>((resolve, reject) => {
    const outgoing = httpRequest(request.url, {
      method: request.method,
      headers: { ...Object.fromEntries(request.headers), ...(body ? { "content-length": String(body.length) } : {}) },
      agent: false,
    });
    const abort = () => outgoing.destroy();
    request.signal.addEventListener("abort", abort, { once: true });
    outgoing.once("error", reject);
    outgoing.once("response", (incoming) => {
      incoming.once("close", () => request.signal.removeEventListener("abort", abort));
      const headers = new Headers();
      for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === "string") headers.set(name, value);
      resolve(new Response(Readable.toWeb(incoming) as ReadableStream<Uint8Array>, { status: incoming.statusCode, headers }));
    });
    outgoing.end(body ?? undefined);
  });
}

export interface Subscription<T> {
  /** The next update; fails after `timeoutMs` without one. */
  next(timeoutMs?: number): Promise<T>;
  /** Resolves with the errors the stream told once the server has ended it (`complete`, or the body's end). */
  ended: Promise<{ errors: GraphQLErrorShape[]; updates: T[] }>;
  close(): void;
}

export interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}

export async function subscribe<T = Record<string, any>>(
  fetcher: (request: Request) => Promise<Response> | Response,
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Subscription<T>> {
  const abort = new AbortController();
  const response = await fetcher(
    new Request(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      signal: abort.signal,
    }),
  );
  if (!response.ok || !response.body) throw new Error(`subscription refused: ${response.status} ${await response.text()}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const arrived: T[] = [];
  const waiting: { resolve: (value: T) => void; reject: (error: Error) => void }[] = [];
  let buffer = "";
  let failure: Error | null = null;
  const errors: GraphQLErrorShape[] = [];
  const ended = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(message)?.[1];
          const data = /^data: (.*)$/m.exec(message)?.[1];
          if (event !== "next" || !data) continue;
          const payload = JSON.parse(data) as { data?: T; errors?: GraphQLErrorShape[] };
          if (payload.errors) {
            errors.push(...payload.errors);
            failure = new Error(`subscription error: ${JSON.stringify(payload.errors)}`);
            for (const waiter of waiting.splice(0)) waiter.reject(failure);
            continue;
          }
          const update = payload.data as T;
          const waiter = waiting.shift();
          if (waiter) waiter.resolve(update);
          else arrived.push(update);
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) failure = error as Error;
    }
    return { errors, updates: [...arrived] };
  })();
  return {
    next(timeoutMs = 10_000) {
      if (failure) return Promise.reject(failure);
      const ready = arrived.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(failure ?? new Error(`no update within ${timeoutMs} ms`)), timeoutMs);
        waiting.push({
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
      });
    },
    ended,
    close: () => abort.abort(),
  };
}

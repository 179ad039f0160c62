// A GraphQL subscription over server-sent events (graphql-yoga's default transport), as a client
// sees it: each `next` event's data, in order, until the test closes it.
export interface Subscription<T> {
  /** The next update; fails after `timeoutMs` without one. */
  next(timeoutMs?: number): Promise<T>;
  close(): void;
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
  const waiting: ((value: T) => void)[] = [];
  let buffer = "";
  let failure: Error | null = null;
  void (async () => {
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
          const payload = JSON.parse(data) as { data?: T; errors?: unknown };
          if (payload.errors) failure = new Error(`subscription error: ${JSON.stringify(payload.errors)}`);
          const update = payload.data as T;
          const waiter = waiting.shift();
          if (waiter) waiter(update);
          else arrived.push(update);
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) failure = error as Error;
    }
  })();
  return {
    next(timeoutMs = 10_000) {
      if (failure) return Promise.reject(failure);
      const ready = arrived.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(failure ?? new Error(`no update within ${timeoutMs} ms`)), timeoutMs);
        waiting.push((value) => {
          clearTimeout(timer);
          resolve(value);
        });
      });
    },
    close: () => abort.abort(),
  };
}

// Server-sent event streams (a `walletUpdated` subscription) end when the gateway stops taking
// work, the way a finished subscription ends: with GraphQL over SSE's `complete` event, written
// after the event being written, if any, and the response closed. The client then reconnects,
// to another gateway or to this one restarted, from the last sequence it saw. Without this, an
// open stream is a request that never finishes: the drain would wait for it until
// SHUTDOWN_TIMEOUT_MS and then cut its connection.

import { setMaxListeners } from "node:events";

const COMPLETE = new TextEncoder().encode("event: complete\ndata:\n\n");

/** `response` unchanged unless it is an event stream; an event stream that ends when `ending` aborts. */
export function endingWhen(ending: AbortSignal, response: Response): Response {
  if (!response.body || !response.headers.get("content-type")?.startsWith("text/event-stream")) return response;
  const upstream = response.body.getReader();
  // One listener per open stream on the process's one signal (STREAMS_PER_PROCESS bounds them),
  // taken off when the stream ends however it ends: the signal outlives every stream.
  setMaxListeners(0, ending);
  let stopListening = () => {};
  const ended = new Promise<"ended">((resolve) => {
    if (ending.aborted) return resolve("ended");
    const onAbort = () => resolve("ended");
    ending.addEventListener("abort", onAbort, { once: true });
    stopListening = () => ending.removeEventListener("abort", onAbort);
  });
  // Events are written in several chunks ("event: next\n", then "data: …\n\n"): the stream only
  // ends between two events.
  let betweenEvents = true;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const read = upstream.read();
      const next = betweenEvents ? await Promise.race([read, ended]) : await read;
      if (next === "ended") {
        stopListening();
        controller.enqueue(COMPLETE);
        controller.close();
        // Ends the subscription's own stream too (and, with it, what it listens to).
        read.catch(() => {});
        await upstream.cancel().catch(() => {});
        return;
      }
      if (next.done) {
        stopListening();
        return controller.close();
      }
      controller.enqueue(next.value);
      betweenEvents = endsWithBlankLine(next.value);
    },
    cancel(reason) {
      stopListening();
      return upstream.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

function endsWithBlankLine(chunk: Uint8Array): boolean {
  const newline = 0x0a;
  return chunk.length >= 2 && chunk[chunk.length - 1] === newline && chunk[chunk.length - 2] === newline;
}

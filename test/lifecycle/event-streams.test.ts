// Event streams that end when the gateway stops (src/lifecycle/event-streams.ts): a stream that
// ends first, by itself or by its client, leaves nothing listening on the process's signal, so a
// long-running gateway does not collect one listener per stream it ever served.
import { getEventListeners } from "node:events";
import { expect, it } from "vitest";
import { endingWhen } from "../../src/lifecycle/event-streams.ts";

function eventStream(events: string[]): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const event of events) controller.enqueue(encoder.encode(`event: next\ndata: ${event}\n\n`));
      controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

it("takes its listener off the stopping signal when the stream finishes or its client leaves", async () => {
  const stopping = new AbortController();
  for (let index = 0; index < 50; index += 1) {
    const response = endingWhen(stopping.signal, eventStream([`{"n":${index}}`]));
    if (index % 2 === 0) await response.text();
    else await response.body!.cancel();
  }
  expect(getEventListeners(stopping.signal, "abort")).toHaveLength(0);
});

it("ends an open stream with complete when the gateway stops", async () => {
  const stopping = new AbortController();
  const encoder = new TextEncoder();
  const neverEnding = new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode("event: next\ndata: {}\n\n"));
      },
    }),
    { headers: { "content-type": "text/event-stream" } },
  );
  const text = endingWhen(stopping.signal, neverEnding).text();
  setTimeout(() => stopping.abort(), 20);
  expect(await text).toBe("event: next\ndata: {}\n\nevent: complete\ndata:\n\n");
  expect(getEventListeners(stopping.signal, "abort")).toHaveLength(0);
});

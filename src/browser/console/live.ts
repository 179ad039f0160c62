// Keeps an open wallet's view current: the `walletUpdated` subscription, read as server-sent
// events from this gateway's /graphql (a fetch stream, not EventSource, which cannot send the
// token). When the stream ends or fails it reconnects with backoff, resuming after the last
// sequence it saw so no event in between is missed; a refused token or an unknown wallet stops it.
import { savedToken } from "./api.ts";

const WALLET_UPDATED = `subscription ConsoleWalletUpdated($walletId: ID!, $afterSequence: Int) {
  walletUpdated(walletId: $walletId, afterSequence: $afterSequence) { sequence }
}`;

const FIRST_RETRY_MS = 1_000;
const LAST_RETRY_MS = 30_000;

export type LiveState = "connecting" | "live" | "reconnecting" | "stopped";

/** The stream cannot be resumed by trying again (token refused, wallet not visible). */
class Unrecoverable extends Error {}

export function watchWallet(walletId: string, signal: AbortSignal, onUpdate: () => void, onState: (state: LiveState) => void): void {
  let lastSequence: number | undefined;
  let retryMs = FIRST_RETRY_MS;
  let reconnecting = false;

  const connect = async (): Promise<void> => {
    const token = savedToken();
    if (!token) throw new Unrecoverable();
    const response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: WALLET_UPDATED, variables: { walletId, afterSequence: lastSequence } }),
      credentials: "omit",
      cache: "no-store",
      signal,
    });
    if (response.status === 401 || response.status === 403 || response.status === 400) throw new Unrecoverable();
    if (!response.ok || !response.body) throw new Error(`answered ${response.status}`);
    onState("live");
    retryMs = FIRST_RETRY_MS;
    // Without a sequence to resume from, whatever happened while disconnected is read afresh.
    if (reconnecting && lastSequence === undefined) onUpdate();

    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
      let end: number;
      while ((end = buffer.indexOf("\n\n")) !== -1) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = message.split("\n");
        const event = lines
          .find((line) => line.startsWith("event:"))
          ?.slice(6)
          .trim();
        if (event === "complete") return;
        const data = lines
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).trimStart())
          .join("\n");
        if (event !== "next" || !data) continue; // keep-alive comments and the like
        const payload = JSON.parse(data) as { data?: { walletUpdated?: { sequence: number } } | null; errors?: unknown[] };
        if (payload.errors?.length) throw new Unrecoverable();
        const sequence = payload.data?.walletUpdated?.sequence;
        if (typeof sequence === "number") lastSequence = sequence;
        onUpdate();
      }
    }
  };

  void (async () => {
    onState("connecting");
    while (!signal.aborted) {
      try {
        await connect();
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof Unrecoverable) return onState("stopped");
      }
      if (signal.aborted) return;
      onState("reconnecting");
      reconnecting = true;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, retryMs);
        signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
      });
      retryMs = Math.min(retryMs * 2, LAST_RETRY_MS);
    }
  })();
}

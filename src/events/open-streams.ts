// The `walletUpdated` streams open in this process, by token: how many a token and the process
// may hold (STREAMS_PER_TOKEN, STREAMS_PER_PROCESS), and what ends one early. Counted in memory:
// a stream is a connection to this process, so the process is what it costs.
//
// Once a second, each token with open streams is checked again through the authenticator (one
// check per token, not per stream; the authenticator's cache answers most): a revoked token's
// streams end within TOKEN_CACHE_SECONDS of the revocation, plus at most a second (at once, but
// for that second, when it was revoked through this process). Each check also ends a stream
// whose client has stopped reading: one that has had an update waiting to be taken for longer
// than STREAM_STALL_SECONDS. Yoga writes a stream's updates only as the connection drains
// (@whatwg-node/server waits for `drain`, and the event stream is pulled), so what a stalled
// stream holds is bounded anyway (Node's 16 KiB write buffer and at most a page of events); ending
// it lets go of the page and of its wallet's reader. Its slot is freed when its connection closes.
import type { TokenAuthenticator } from "../auth/authenticator.ts";
import type { Viewer } from "../auth/tokens.ts";
import type { StreamLimits } from "../config.ts";

const CHECK_EVERY_MS = 1_000;

/** Why a stream ended before its client left. */
export type StreamEnding = "token-refused" | "stalled";

export class TooManyStreamsError extends Error {
  readonly code = "TOO_MANY_STREAMS";
  constructor(
    readonly limit: number,
    readonly per: "token" | "process",
  ) {
    super(
      per === "token"
        ? `this token has ${limit} walletUpdated streams open, the limit: close one first`
        : `the gateway has ${limit} walletUpdated streams open, its limit: try again later`,
    );
  }
}

/** One open stream: its end signal, and what its iterator tells of its client's reading. */
export interface OpenStream {
  /** Aborted when the stream must end (token refused, client stalled). */
  readonly signal: AbortSignal;
  /** Why it was ended, once it has been. */
  readonly ending: StreamEnding | null;
  /** The stream is waiting for its client to take an update (true) or producing the next (false). */
  waiting(waiting: boolean): void;
  /** Frees the stream's slot: when its iterator is done, or its connection closed. Idempotent. */
  close(): void;
}

interface TokenStreams {
  authorization: string | null;
  streams: Set<Stream>;
  checking: boolean;
}

class Stream implements OpenStream {
  private readonly controller = new AbortController();
  ending: StreamEnding | null = null;
  /** Since when an update has waited for the client to take it; null while the stream produces. */
  waitingSince: number | null = null;

  constructor(private readonly closed: (stream: Stream) => void) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  waiting(waiting: boolean): void {
    this.waitingSince = waiting ? Date.now() : null;
  }

  end(ending: StreamEnding): void {
    if (this.ending) return;
    this.ending = ending;
    this.controller.abort();
  }

  close(): void {
    this.closed(this);
  }
}

export class OpenStreams {
  private readonly byToken = new Map<string, TokenStreams>();
  private count = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly limits: StreamLimits,
    private readonly tokens: TokenAuthenticator,
  ) {}

  /** Streams open now, in this process. */
  get size(): number {
    return this.count;
  }

  /**
   * Admits a stream for the viewer's token, which sent `authorization`; its slot is freed by
   * `close`, or when `connection` aborts (the client left). Fails with TooManyStreamsError.
   */
  open(viewer: Viewer, authorization: string | null, connection?: AbortSignal): OpenStream {
    const held = this.byToken.get(viewer.tokenId);
    if ((held?.streams.size ?? 0) >= this.limits.perToken) throw new TooManyStreamsError(this.limits.perToken, "token");
    if (this.count >= this.limits.perProcess) throw new TooManyStreamsError(this.limits.perProcess, "process");
    let group = held;
    if (!group) this.byToken.set(viewer.tokenId, (group = { authorization, streams: new Set(), checking: false }));
    const owner = group;
    const onLeave = () => stream.close();
    const stream = new Stream((closing) => {
      if (!owner.streams.delete(closing)) return;
      connection?.removeEventListener("abort", onLeave);
      this.count -= 1;
      if (owner.streams.size === 0 && this.byToken.get(viewer.tokenId) === owner) this.byToken.delete(viewer.tokenId);
      if (this.count === 0) this.stopChecking();
    });
    owner.streams.add(stream);
    this.count += 1;
    connection?.addEventListener("abort", onLeave, { once: true });
    this.timer ??= setInterval(() => this.check(), CHECK_EVERY_MS).unref();
    if (connection?.aborted) stream.close();
    return stream;
  }

  private stopChecking(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private check(): void {
    const stalledBefore = Date.now() - this.limits.stallSeconds * 1000;
    for (const group of this.byToken.values()) {
      for (const stream of group.streams) if (stream.waitingSince !== null && stream.waitingSince < stalledBefore) stream.end("stalled");
      if (group.checking) continue;
      group.checking = true;
      void this.tokens
        .authenticate(group.authorization)
        .then(
          (authentication) => {
            if ("failure" in authentication) for (const stream of group.streams) stream.end("token-refused");
          },
          // The database did not answer: the token is checked again at the next tick.
          () => {},
        )
        .finally(() => (group.checking = false));
    }
  }
}

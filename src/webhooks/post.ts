// One webhook POST over node:http / node:https, bounded in what the receiver can make the gateway
// hold: it connects to the address the URL policy checked (the `lookup` answers that address,
// so the name is not resolved again; TLS still names the host, for SNI and the certificate),
// asks for no compression and inflates nothing, and reads at most MAX_ANSWER_BYTES of the
// answer before closing the connection: only the status is kept.
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { isIP } from "node:net";
import type { WebhookTarget } from "./url-policy.ts";

/** Bytes of an answer read at most; the connection is closed past them. */
export const MAX_ANSWER_BYTES = 4_096;

/** No answer (status line and headers) within the timeout. */
export class WebhookTimeoutError extends Error {
  override readonly name = "TimeoutError";
}

export interface WebhookPost {
  target: WebhookTarget;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/**
 * POSTs and answers the receiver's status once its answer ends, MAX_ANSWER_BYTES of it have
 * come, or the timeout passes after the status came. Rejects with WebhookTimeoutError when no
 * status came in time, and with the socket's error when none could be had (refused, reset, TLS).
 */
export function postWebhook(post: WebhookPost): Promise<{ status: number }> {
  const { url, address, family } = post.target;
  const pinned: LookupFunction = (_host, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const send = url.protocol === "https:" ? https.request : http.request;
  return new Promise((resolve, reject) => {
    let status: number | null = null;
    let settled = false;
    const request = send(url, {
      method: "POST",
      headers: {
        ...post.headers,
        "content-length": String(Buffer.byteLength(post.body)),
        "accept-encoding": "identity",
        connection: "close",
      },
      lookup: pinned,
      // A connection of its own: a pooled one may lead to an address checked for another attempt.
      agent: false,
      ...(url.protocol === "https:" && !isIP(host) ? { servername: host } : {}),
    });
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      if (status !== null) resolve({ status });
      else reject(error ?? new Error("the connection closed without an answer"));
    };
    const timer = setTimeout(() => finish(new WebhookTimeoutError(`no answer within ${post.timeoutMs} ms`)), post.timeoutMs);
    request.on("error", (error) => finish(error));
    request.on("response", (response) => {
      status = response.statusCode ?? 0;
      let read = 0;
      response.on("data", (chunk: Buffer) => {
        read += chunk.length;
        if (read >= MAX_ANSWER_BYTES) finish();
      });
      response.on("end", () => finish());
      response.on("close", () => finish());
      response.on("error", () => finish());
    });
    request.end(post.body);
  });
}

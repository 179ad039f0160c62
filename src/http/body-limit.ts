// The request body limit, on every route: a Content-Length over the limit is refused before a
// byte is read, and a body without one (chunked) is counted as it arrives and refused at the
// first chunk past the limit. Nothing larger than the limit is ever held in memory.
import { PayloadTooLargeError } from "./errors.ts";

/** Throws PayloadTooLargeError when the declared Content-Length is over the limit. */
export function refuseDeclaredOversize(request: Request, limitBytes: number): void {
  const declared = declaredLength(request);
  if (declared !== null && declared > limitBytes) throw new PayloadTooLargeError(limitBytes);
}

/**
 * The request as its handler may read it: one that declares its length is passed on as it is,
 * since Node's HTTP parser delivers exactly the declared bytes (refuseDeclaredOversize has checked
 * them); any other body is read here, counting, and passed on in memory. Skipping the copy keeps
 * a second Request object and a second read of every body off the hot path.
 */
export async function boundedRequest(request: Request, limitBytes: number): Promise<Request> {
  if (declaredLength(request) !== null) return request;
  return withBody(request, await readBodyWithin(request, limitBytes));
}

function declaredLength(request: Request): number | null {
  const declared = request.headers.get("content-length")?.trim();
  return declared && /^\d+$/.test(declared) ? Number(declared) : null;
}

/**
 * Reads the whole body, or fails with PayloadTooLargeError as soon as it passes the limit; null
 * for a request without a body. The stream is left unread past the limit rather than cancelled:
 * cancelling would destroy the connection before the 413 could be written, so the answer closes
 * the connection instead.
 */
async function readBodyWithin(request: Request, limitBytes: number): Promise<Uint8Array<ArrayBuffer> | null> {
  if (!request.body) return null;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limitBytes) {
      reader.releaseLock();
      throw new PayloadTooLargeError(limitBytes);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** The same request with a body already read, for handlers that read it again. */
function withBody(request: Request, body: Uint8Array<ArrayBuffer> | null): Request {
  return new Request(request.url, { method: request.method, headers: request.headers, body, signal: request.signal });
}

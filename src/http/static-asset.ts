// Pages and scripts the gateway serves itself (GraphiQL, the wallet console): built once per
// process, compressed once (brotli and gzip), and answered by what the browser accepts. Browsers
// keep them and ask again with If-None-Match on every load ("no-cache"), so a new version shows at
// once and an unchanged one costs a 304 with no body.
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

export interface StaticAsset {
  contentType: string;
  etag: string;
  /** The body per Content-Encoding; "identity" is the uncompressed one. */
  bodies: Record<Encoding, Uint8Array>;
  /** Extra headers, e.g. a Content-Security-Policy for a page. */
  headers: Record<string, string>;
}

type Encoding = "br" | "gzip" | "identity";

/** Compresses a body for serving. Brotli at quality 5: nearly its best size on GraphiQL's 9 MB in a second or so, off the event loop. */
export async function staticAsset(
  contentType: string,
  content: string | Uint8Array,
  headers: Record<string, string> = {},
): Promise<StaticAsset> {
  const identity = typeof content === "string" ? new TextEncoder().encode(content) : content;
  const [br, gz] = await Promise.all([
    brotli(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: identity.byteLength } }),
    gzipped(identity),
  ]);
  const etag = `"${createHash("sha256").update(identity).digest("base64url").slice(0, 27)}"`;
  return { contentType, etag, bodies: { br, gzip: gz, identity }, headers };
}

/**
 * Builds an asset the first time it is asked for, then keeps it: a gateway that nobody opens in
 * a browser never pays for it. A failed build is tried again on the next request.
 */
export function lazyAsset(build: () => Promise<StaticAsset>): () => Promise<StaticAsset> {
  let built: Promise<StaticAsset> | null = null;
  return () => {
    built ??= build().catch((error: unknown) => {
      built = null;
      throw error;
    });
    return built;
  };
}

/** The asset as this request accepts it, or 304 when the browser's copy is current. */
export function serveAsset(request: Request, asset: StaticAsset): Response {
  const headers = new Headers({
    "content-type": asset.contentType,
    etag: asset.etag,
    "cache-control": "no-cache",
    vary: "Accept-Encoding",
    "x-content-type-options": "nosniff",
    ...asset.headers,
  });
  if (matchesETag(request.headers.get("if-none-match"), asset.etag)) return new Response(null, { status: 304, headers });
  const encoding = acceptedEncoding(request.headers.get("accept-encoding"));
  if (encoding !== "identity") headers.set("content-encoding", encoding);
  const body = asset.bodies[encoding];
  headers.set("content-length", String(body.byteLength));
  return new Response(body as Uint8Array<ArrayBuffer>, { status: 200, headers });
}

/** Brotli, then gzip, then none, leaving out any the client refuses with q=0. */
export function acceptedEncoding(acceptEncoding: string | null): Encoding {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? "").split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    const q = params.map((param) => param.trim()).find((param) => param.startsWith("q="));
    accepted.set(name, q ? Number(q.slice(2)) || 0 : 1);
  }
  const wildcard = accepted.get("*") ?? 0;
  const takes = (name: string) => (accepted.get(name) ?? wildcard) > 0;
  if (takes("br")) return "br";
  if (takes("gzip")) return "gzip";
  return "identity";
}

function matchesETag(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((candidate) => {
    const tag = candidate.trim();
    return tag === "*" || tag === etag || tag === `W/${etag}`;
  });
}

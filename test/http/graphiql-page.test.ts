// GraphiQL's page: built once, served compressed by what the browser accepts, and revalidated by
// ETag, under a policy that lets no other site frame it. What it does in a browser is pinned by
// test/browser/graphiql.test.ts.
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { acceptedEncoding } from "../../src/http/static-asset.ts";
import { useGateway } from "../support/app.ts";

const gateway = useGateway();

function openGraphiQL(headers: Record<string, string> = {}) {
  return gateway.app.fetch(new Request("http://gateway.test/graphql", { headers: { accept: "text/html", ...headers } }));
}

describe("the GraphiQL page", () => {
  it("is served brotli-compressed to a browser that accepts it, and cacheable", async () => {
    const response = await openGraphiQL({ "accept-encoding": "gzip, deflate, br, zstd" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("content-encoding")).toBe("br");
    expect(response.headers.get("vary")).toBe("Accept-Encoding");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(response.headers.get("etag")).toMatch(/^"[\w-]+"$/);
    const compressed = Buffer.from(await response.arrayBuffer());
    const html = brotliDecompressSync(compressed).toString("utf8");
    // The page is GraphiQL's own 9 MB of inline scripts: compressed, under a quarter of it.
    expect(compressed.byteLength).toBeLessThan(html.length / 4);
    expect(html).toContain("PASTE_YOUR_TOKEN_HERE");
    expect(html).toContain("renderYogaGraphiQL");
  });

  it("is gzipped for a client that takes only gzip, and plain for one that takes nothing", async () => {
    const gzipped = await openGraphiQL({ "accept-encoding": "gzip" });
    expect(gzipped.headers.get("content-encoding")).toBe("gzip");
    const html = gunzipSync(Buffer.from(await gzipped.arrayBuffer())).toString("utf8");
    const plain = await openGraphiQL();
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(await plain.text()).toBe(html);
  });

  it("answers 304 without a body when the browser's copy is current", async () => {
    const first = await openGraphiQL({ "accept-encoding": "br" });
    const etag = first.headers.get("etag")!;
    const again = await openGraphiQL({ "accept-encoding": "br", "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(etag);
    expect(await again.text()).toBe("");
    const stale = await openGraphiQL({ "accept-encoding": "br", "if-none-match": '"an-older-page"' });
    expect(stale.status).toBe(200);
  });

  it("may not be framed by another page, and runs only its own scripts", async () => {
    for (const encoding of ["br", "identity"]) {
      const response = await openGraphiQL({ "accept-encoding": encoding });
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      const policy = Object.fromEntries(
        response.headers
          .get("content-security-policy")!
          .split(";")
          .map((directive) => directive.trim().split(/\s+/))
          .map(([name, ...sources]) => [name, sources]),
      );
      expect(policy["frame-ancestors"]).toEqual(["'none'"]);
      expect(policy["default-src"]).toEqual(["'none'"]);
      expect(policy["connect-src"]).toEqual(["'self'"]);
      // Its inline scripts by their hashes: no other inline script, no script from elsewhere.
      expect(policy["script-src"].length).toBeGreaterThan(0);
      for (const source of policy["script-src"]) expect(source).toMatch(/^'sha256-[A-Za-z0-9+/]+=*'$/);
      // An answer to If-None-Match carries the same policy.
      const again = await openGraphiQL({ "if-none-match": response.headers.get("etag")! });
      expect(again.status).toBe(304);
      expect(again.headers.get("x-frame-options")).toBe("DENY");
    }
  });

  it("needs no token, while operations still do", async () => {
    expect((await openGraphiQL()).status).toBe(200);
    const operation = await gateway.graphql("{ viewer { livemode } }", {}, null);
    expect(operation.status).toBe(401);
    expect(operation.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("content negotiation", () => {
  it("prefers brotli, then gzip, and honours q=0 refusals and wildcards", () => {
    expect(acceptedEncoding("gzip, br")).toBe("br");
    expect(acceptedEncoding("br;q=0, gzip")).toBe("gzip");
    expect(acceptedEncoding("*")).toBe("br");
    expect(acceptedEncoding("*;q=0, identity")).toBe("identity");
    expect(acceptedEncoding("deflate")).toBe("identity");
    expect(acceptedEncoding(null)).toBe("identity");
  });
});

// The wallet console's files: its page, its script (src/browser/console/, bundled when first
// asked for) and its style sheet. They are public: the data comes from /graphql, with the token
// the person pastes. The policy lets the page load only these files and talk only to this gateway.
import { readFile } from "node:fs/promises";
import { bundleForBrowsers } from "./browser-bundle.ts";
import { lazyAsset, serveAsset, staticAsset, type StaticAsset } from "./static-asset.ts";

export const CONSOLE_PATH = "/console";

const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const PAGE_HEADERS = { "content-security-policy": CONTENT_SECURITY_POLICY, "referrer-policy": "no-referrer", "x-frame-options": "DENY" };

const source = (file: string) => readFile(new URL(`../browser/console/${file}`, import.meta.url));

const files: Record<string, () => Promise<StaticAsset>> = {
  [CONSOLE_PATH]: lazyAsset(async () => staticAsset("text/html; charset=utf-8", await source("index.html"), PAGE_HEADERS)),
  [`${CONSOLE_PATH}/console.js`]: lazyAsset(async () =>
    staticAsset("text/javascript; charset=utf-8", await bundleForBrowsers("console/main.ts"), PAGE_HEADERS),
  ),
  [`${CONSOLE_PATH}/console.css`]: lazyAsset(async () => staticAsset("text/css; charset=utf-8", await source("console.css"), PAGE_HEADERS)),
  [`${CONSOLE_PATH}/actions.css`]: lazyAsset(async () => staticAsset("text/css; charset=utf-8", await source("actions.css"), PAGE_HEADERS)),
};

/** Whether a path is one of the console's files. */
export function isConsoleFile(pathname: string): boolean {
  return Object.hasOwn(files, pathname);
}

export async function serveConsoleFile(request: Request, pathname: string): Promise<Response> {
  return serveAsset(request, await files[pathname]!());
}

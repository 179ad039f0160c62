// GraphiQL at GET /graphql, for people trying the API in a browser. It is Yoga's GraphiQL
// (scripts inline, no CDN), with a first minute that explains itself:
// - the first tab holds a query over the token's wallets, and the Headers pane is open with the
//   header to fill in ("Bearer PASTE_YOUR_TOKEN_HERE");
// - until a token is there, the schema is not asked for (the answer would be UNAUTHENTICATED,
//   shown in the results pane as if a query had failed): the pane says where to paste it instead;
// - once a token is pasted (or changed), the schema is fetched again with it and, if the first
//   query is still in the editor, it runs.
// The page is built once per process and served compressed and cacheable (static-asset.ts), under
// a policy like the console's (http/console-page.ts): no other site may frame it (a page that
// frames it could trick a person into running operations with their token), and it runs only its
// own inline scripts, named by their hashes, and the editor's workers, which it makes from blobs.
import { createHash } from "node:crypto";
import { css, editorWorkerService, favicon, graphqlWorker, js, jsonWorker } from "@graphql-yoga/render-graphiql/graphiql";
import type { Plugin } from "graphql-yoga";
import { bundleForBrowsers } from "../http/browser-bundle.ts";
import { lazyAsset, serveAsset, staticAsset } from "../http/static-asset.ts";

export const TOKEN_PLACEHOLDER = "PASTE_YOUR_TOKEN_HERE";

/** Short lines: GraphiQL's editor is narrow once Docs is open, and cuts long ones off. */
export const FIRST_QUERY = `# Billing Gateway
#
# 1. In "Headers" below, replace
#    ${TOKEN_PLACEHOLDER} with
#    your API token: the schema
#    loads and this query runs.
# 2. Docs: the book icon, top left.
#
query Wallets {
  viewer {
    livemode
    role
    tenant { slug name }
  }
  wallets(first: 10) {
    totalCount
    edges {
      node {
        id
        currency
        customer { externalId }
        balance {
          available total used frozen
        }
      }
    }
  }
}
`;

const HEADERS_TEMPLATE = JSON.stringify({ Authorization: `Bearer ${TOKEN_PLACEHOLDER}` }, null, 2);

const NO_TOKEN_HINT = `No token yet: open "Headers" below the query and replace ${TOKEN_PLACEHOLDER} with your API token. The schema then loads and the first query runs.`;

/** What Yoga's GraphiQL is given: its own options plus GraphiQL's (the Headers pane open). */
const graphiqlOptions = {
  title: "Billing Gateway",
  endpoint: "/graphql",
  defaultTabs: [{ query: FIRST_QUERY, headers: HEADERS_TEMPLATE }],
  // New tabs start with the header to fill in, too.
  headers: HEADERS_TEMPLATE,
  defaultEditorToolsVisibility: "headers",
};

/**
 * GraphiQL lays its panes side by side whatever the width: on a phone the response gets one
 * letter per line. Below 720 px the query and its result are stacked at fixed heights (the page
 * scrolls down, never sideways), the sidebar becomes a row along the top, and Docs (when open)
 * takes the width above the editors.
 */
const NARROW_SCREEN_CSS = `
@media (max-width: 720px) {
  html, body, #root { height: auto; }
  .graphiql-container { height: auto; min-height: 100vh; }
  .graphiql-container > .graphiql-container { flex-direction: column; }
  .graphiql-container .graphiql-sidebar { flex-direction: row; width: auto; padding: 4px 8px; gap: 4px; }
  .graphiql-container .graphiql-sidebar > :last-child { margin-left: auto; }
  .graphiql-container .graphiql-sidebar > * { flex-direction: row; gap: 4px; }
  .graphiql-container .graphiql-main { flex-direction: column; }
  .graphiql-container .graphiql-main > .graphiql-plugin { flex: 0 0 auto !important; max-height: 50vh; min-width: 0; overflow: auto; }
  .graphiql-container .graphiql-main > .graphiql-horizontal-drag-bar { display: none; }
  .graphiql-container .graphiql-sessions { flex: 0 0 auto !important; margin: 0 8px 8px; min-width: 0; }
  .graphiql-container .graphiql-sessions > :not(.graphiql-session-header) { flex-direction: column; }
  .graphiql-container .graphiql-editors { flex: 0 0 auto !important; height: 440px; }
  .graphiql-container .graphiql-response { flex: 0 0 auto !important; height: 60vh; min-height: 280px; }
  .graphiql-container .graphiql-sessions .graphiql-horizontal-drag-bar { display: none; }
  .graphiql-container .graphiql-logo { display: none; }
}
`;

/** JSON inside a <script>: no "</script>" or "<!--" can end it early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

/** The policy for a page whose inline scripts are these (GraphiQL's editor adds style elements as it goes). */
function contentSecurityPolicy(inlineScripts: string[]): string {
  const hashes = inlineScripts.map((script) => `'sha256-${createHash("sha256").update(script).digest("base64")}'`);
  return [
    "default-src 'none'",
    `script-src ${hashes.join(" ")}`,
    "worker-src blob:",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self' data:",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

async function buildPage() {
  const settings = { options: graphiqlOptions, placeholder: TOKEN_PLACEHOLDER, hint: NO_TOKEN_HINT, firstQuery: FIRST_QUERY };
  const graphiqlScript = `
      function prepareBlob(workerContent) {
        return URL.createObjectURL(new Blob([workerContent], { type: "application/javascript" }));
      }
      const workers = {
        editorWorkerService: prepareBlob(${JSON.stringify(editorWorkerService)}),
        json: prepareBlob(${JSON.stringify(jsonWorker)}),
        graphql: prepareBlob(${JSON.stringify(graphqlWorker)}),
      };
      self["MonacoEnvironment"] = { globalAPI: false, getWorkerUrl: (moduleId, label) => workers[label] };
      ${js};
    `;
  const firstMinuteScript = await bundleForBrowsers("graphiql-first-minute.ts");
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Billing Gateway · GraphiQL</title>
    <link rel="icon" href="${favicon}" />
    <style>${css}</style>
    <style>${NARROW_SCREEN_CSS}</style>
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>GraphiQL needs JavaScript.</noscript>
    <div id="root"></div>
    <script>${graphiqlScript}</script>
    <script type="application/json" id="graphiql-settings">${scriptJson(settings)}</script>
    <script>${firstMinuteScript}</script>
  </body>
</html>
`;
  return staticAsset("text/html; charset=utf-8", html, {
    "content-security-policy": contentSecurityPolicy([graphiqlScript, firstMinuteScript]),
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
  });
}

const graphiqlPage = lazyAsset(buildPage);

/** Whether a request is a browser opening the endpoint (GraphiQL) rather than an operation. */
export function wantsGraphiQL(request: Request): boolean {
  return (
    request.method === "GET" &&
    !new URL(request.url).searchParams.has("query") &&
    (request.headers.get("accept") ?? "").includes("text/html")
  );
}

/** Answers a browser's GET with the page, before Yoga looks for an operation. */
export function useGraphiQLPage(): Plugin {
  return {
    async onRequest({ request, endResponse }) {
      if (wantsGraphiQL(request)) endResponse(serveAsset(request, await graphiqlPage()));
    },
  };
}

// Runs in the GraphiQL page after GraphiQL's bundle (src/graphql/graphiql.ts says what for).
// GraphiQL has no option to fetch the schema again when the headers change, so this does what a
// person would: presses "Re-fetch GraphQL schema", and "Execute" for the untouched first query.

interface Settings {
  /** Yoga's GraphiQL options, passed on. */
  options: { endpoint: string } & Record<string, unknown>;
  placeholder: string;
  hint: string;
  firstQuery: string;
}

interface TabsState {
  tabs: { query: string | null; headers: string | null }[];
  activeTabIndex: number;
}

const settings = JSON.parse(document.getElementById("graphiql-settings")!.textContent!) as Settings;
const endpoint = new URL(settings.options.endpoint, location.href).href;

function tokenOf(authorization: string | null | undefined): string | null {
  const token = (authorization ?? "").replace(/^Bearer\s*/i, "").trim();
  return token && token !== settings.placeholder ? token : null;
}

function tokenInHeaders(text: string): string | null {
  try {
    const headers = JSON.parse(text || "{}") as Record<string, unknown>;
    for (const [name, value] of Object.entries(headers))
      if (name.toLowerCase() === "authorization" && typeof value === "string") return tokenOf(value);
  } catch {
    // Half-typed JSON: the next edit will tell.
  }
  return null;
}

// Asked for the schema without a token, the gateway answers UNAUTHENTICATED, which GraphiQL shows
// in the results pane as if a query had failed. Such a request is answered here, with the hint.
const send = window.fetch.bind(window);
window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
  const url = input instanceof Request ? input.url : String(input);
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
  const body = typeof init?.body === "string" ? init.body : "";
  if (new URL(url, location.href).href === endpoint && !tokenOf(headers.get("authorization")) && body.includes("__schema")) {
    return Promise.resolve(Response.json({ errors: [{ message: settings.hint }] }));
  }
  return send(input, init);
};

let query: string | null = null;
let lastToken: string | null = null;
let firstRunDone = false;
let settle: ReturnType<typeof setTimeout> | undefined;

function press(selector: string): void {
  document.querySelector<HTMLButtonElement>(selector)?.click();
}

function headersEdited(text: string): void {
  clearTimeout(settle);
  // A paste is one edit, typing is many: act once the headers stop changing.
  settle = setTimeout(() => {
    const token = tokenInHeaders(text);
    if (!token || token === lastToken) return;
    lastToken = token;
    press('button[aria-label^="Re-fetch GraphQL schema"]');
    if (!firstRunDone && query === settings.firstQuery) {
      firstRunDone = true;
      press(".graphiql-execute-button");
    }
  }, 300);
}

(window as unknown as { YogaGraphiQL: { renderYogaGraphiQL(root: Element, options: unknown): void } }).YogaGraphiQL.renderYogaGraphiQL(
  document.querySelector("#root")!,
  {
    ...settings.options,
    onEditQuery(value: string) {
      query = value;
    },
    onEditHeaders: headersEdited,
    onTabChange(state: TabsState) {
      const tab = state.tabs[state.activeTabIndex];
      query = tab?.query ?? null;
      if (tab?.headers) headersEdited(tab.headers);
    },
  },
);

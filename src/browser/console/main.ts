// The wallet console: a token form, then the customers and wallets it can see (#/) or one wallet
// (#/wallet/<id>). Views are rebuilt from the gateway on every navigation; nothing but the token
// is kept.
import { ApiError, forgetToken, graphql, saveToken, savedToken } from "./api.ts";
import { h } from "./dom.ts";
import { webhooksView } from "./activity.ts";
import { customerView } from "./customer.ts";
import { homeView } from "./home.ts";
import { failure } from "./section.ts";
import { walletView } from "./wallet.ts";

interface Viewer {
  livemode: boolean;
  role: string;
  tenant: { name: string; slug: string };
  customer: { externalId: string } | null;
}

const main = document.querySelector("main")!;
const account = document.querySelector<HTMLElement>("#account")!;
/** Aborted when the page leaves the current view or its token: ends the view's live updates. */
let viewLeft = new AbortController();

function leaveView(): AbortSignal {
  viewLeft.abort();
  viewLeft = new AbortController();
  return viewLeft.signal;
}

function tokenForm(message?: string): HTMLElement {
  const form = h(
    "form",
    { class: "token", "aria-label": "Open the console with a token" },
    h("h1", {}, "Wallet console"),
    h("p", {}, "Paste an API token of your tenant. It stays in this browser and is sent only to this gateway's /graphql."),
    message ? h("p", { class: "error", role: "alert" }, message) : null,
    h(
      "label",
      {},
      "API token",
      h("input", { name: "token", type: "password", autocomplete: "off", spellcheck: "false", required: true, placeholder: "bg_live_…" }),
    ),
    h("label", { class: "inline" }, h("input", { name: "remember", type: "checkbox" }), "Remember on this device"),
    h("button", { type: "submit" }, "Open"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    saveToken(String(data.get("token") ?? "").trim(), data.get("remember") === "on");
    void start();
  });
  return form;
}

function signOut(message?: string): void {
  forgetToken();
  leaveView();
  account.replaceChildren();
  main.replaceChildren(tokenForm(message));
}

function route(): void {
  const signal = leaveView();
  const hash = location.hash.replace(/^#/, "") || "/";
  const wallet = /^\/wallet\/([^/?]+)$/.exec(hash);
  const customer = /^\/customer\/([^/?]+)$/.exec(hash);
  if (wallet) {
    main.replaceChildren(walletView(decodeURIComponent(wallet[1]!), signal));
  } else if (customer) {
    main.replaceChildren(customerView(decodeURIComponent(customer[1]!)));
  } else if (hash === "/webhooks") {
    main.replaceChildren(webhooksView());
  } else {
    const search = new URLSearchParams(hash.split("?")[1] ?? "");
    main.replaceChildren(
      homeView({ customer: search.get("customer") ?? "", currency: search.get("currency") ?? "", status: search.get("status") ?? "" }),
    );
  }
  window.scrollTo(0, 0);
}

async function start(): Promise<void> {
  if (!savedToken()) return signOut();
  try {
    const { viewer } = await graphql<{ viewer: Viewer }>(
      "query ConsoleViewer { viewer { livemode role tenant { name slug } customer { externalId } } }",
    );
    account.replaceChildren(
      h("span", { class: "tenant" }, viewer.tenant.name),
      h("span", { class: viewer.livemode ? "mode live" : "mode test" }, viewer.livemode ? "live" : "test"),
      h("span", { class: "role" }, viewer.customer ? `customer ${viewer.customer.externalId}` : viewer.role),
      h("button", { type: "button", onclick: () => signOut() }, "Forget token"),
    );
    route();
  } catch (error) {
    const shown = failure(error);
    // A refused token has already brought back the token form, with the gateway's reason: keep it.
    if (!(error instanceof ApiError && error.tokenRefused)) main.replaceChildren(shown);
  }
}

document.addEventListener("console:token-refused", (event) => signOut((event as CustomEvent<string>).detail));
window.addEventListener("hashchange", () => {
  if (savedToken()) route();
});
void start();

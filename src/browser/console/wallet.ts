// One wallet: its balances (overall and by category), its balance over time, its credit blocks,
// its open holds and its ledger, filtered and a page at a time; all kept current while it is open.
import { graphql } from "./api.ts";
import { balanceChart, type BalancePoint } from "./chart.ts";
import { DAY_INPUT, emptyNote, h, table, when } from "./dom.ts";
import { searchLink } from "./home.ts";
import { download, ledgerCsv, ledgerFileName, type ExportedEntry } from "./ledger-export.ts";
import { watchWallet, type LiveState } from "./live.ts";
import { formatAmount, formatMoney } from "./money.ts";
import { PAGE_INFO, pageArguments, pager, type Connection, type Cursor } from "./pages.ts";
import { section } from "./section.ts";
import { walletExtras } from "./wallet-extras.ts";

const PAGE_SIZE = 10;
/** The chart reads this many of the latest entries (the API's largest page). */
const CHART_ENTRIES = 100;
/** A burst of updates (a batch of debits) refreshes the view once, this long after the first. */
const REFRESH_DELAY_MS = 250;

const LIVE_LABELS: Record<LiveState, string> = {
  connecting: "connecting…",
  live: "live",
  reconnecting: "reconnecting…",
  stopped: "not live",
};

const DAY_MS = 24 * 60 * 60 * 1000;

const ENTRY_TYPES = [
  "increment",
  "decrement",
  "hold",
  "hold_release",
  "capture",
  "refund",
  "void",
  "amendment",
  "expiration",
  "expiration_change",
];

interface Figures {
  available: string;
  total: string;
  used: string;
  frozen: string;
}

interface Wallet {
  id: string;
  name: string | null;
  currency: string;
  scale: number;
  status: string;
  createdAt: string;
  overdraftLimit: string;
  customer: { externalId: string; name: string | null };
  balance: Figures & { overdraftUsed: string; byCategory: (Figures & { category: string })[] };
  /** What usage of each feature key named by the wallet's scoped blocks can spend. */
  balancesByFeature: (Figures & { feature: string })[];
  holds: {
    id: string;
    amount: string;
    reference: string | null;
    description: string | null;
    createdAt: string;
    expiresAt: string | null;
  }[];
}

interface Block {
  id: string;
  category: string;
  amount: string;
  remaining: string;
  effectiveAt: string;
  expiresAt: string | null;
  status: string;
  priority: number;
  source: string;
  appliesTo: string[];
}

type Entry = ExportedEntry;

const WALLET = `query ConsoleWallet($id: ID!) {
  wallet(id: $id) {
    id name currency scale status createdAt overdraftLimit
    customer { externalId name }
    balance { available total used frozen overdraftUsed byCategory { category available total used frozen } }
    balancesByFeature { feature available total used frozen }
    holds { id amount reference description createdAt expiresAt }
  }
}`;

const CHART = `query ConsoleBalanceHistory($id: ID!) {
  wallet(id: $id) { ledgerEntries(first: ${CHART_ENTRIES}) { totalCount edges { node { createdAt endingBalance sequence } } } }
}`;

const BLOCKS = `query ConsoleBlocks($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  wallet(id: $id) {
    creditBlocks(first: $first, after: $after, last: $last, before: $before) {
      totalCount ${PAGE_INFO}
      edges { node { id category amount remaining effectiveAt expiresAt status priority source appliesTo } }
    }
  }
}`;

const ENTRIES = `query ConsoleEntries($id: ID!, $first: Int, $after: String, $last: Int, $before: String, $types: [LedgerEntryType!], $category: String, $createdAfter: DateTime, $createdBefore: DateTime) {
  wallet(id: $id) {
    ledgerEntries(first: $first, after: $after, last: $last, before: $before, types: $types, category: $category, createdAfter: $createdAfter, createdBefore: $createdBefore) {
      totalCount ${PAGE_INFO}
      edges { node { id sequence createdAt type status amount endingBalance description reference block { category } } }
    }
  }
}`;

function figuresTable(wallet: Wallet): HTMLElement {
  const money = (minor: string) => formatMoney(minor, wallet.scale);
  const overall = h(
    "dl",
    { class: "figures", "aria-label": "Balance" },
    ...(
      [
        ["Available", wallet.balance.available],
        ["Total", wallet.balance.total],
        ["Used", wallet.balance.used],
        ["Frozen", wallet.balance.frozen],
        ["Overdraft used", wallet.balance.overdraftUsed],
      ] as const
    ).map(([label, value]) =>
      h(
        "div",
        { class: "figure" },
        h("dt", {}, label),
        h("dd", { "data-figure": label.toLowerCase() }, `${money(value)} ${wallet.currency}`),
      ),
    ),
  );
  const unit = (label: string) => `${label} (${wallet.currency})`;
  const byCategory = table<Figures & { category: string }>(
    "Balances by category",
    [
      { label: "Category", cell: (row) => row.category },
      { label: unit("Available"), cell: (row) => money(row.available), numeric: true },
      { label: unit("Total"), cell: (row) => money(row.total), numeric: true },
      { label: unit("Used"), cell: (row) => money(row.used), numeric: true },
      { label: unit("Frozen"), cell: (row) => money(row.frozen), numeric: true },
    ],
    wallet.balance.byCategory,
    emptyNote("No credits in any category.", ["Add some with the ", h("code", {}, "deposit"), " mutation (or a top-up)."]),
  );
  // Only wallets with scoped credits (blocks that name feature keys) have these.
  const byFeature =
    wallet.balancesByFeature.length > 0
      ? table<Figures & { feature: string }>(
          "Balances by feature",
          [
            { label: "Feature", cell: (row) => row.feature },
            { label: unit("Available"), cell: (row) => money(row.available), numeric: true },
            { label: unit("Total"), cell: (row) => money(row.total), numeric: true },
            { label: unit("Used"), cell: (row) => money(row.used), numeric: true },
            { label: unit("Frozen"), cell: (row) => money(row.frozen), numeric: true },
          ],
          wallet.balancesByFeature,
          "",
        )
      : null;
  return h("div", {}, overall, byCategory, byFeature ? h("h3", {}, "By feature (what usage of each can spend)") : null, byFeature);
}

function holdsTable(wallet: Wallet): HTMLElement {
  return table<Wallet["holds"][number]>(
    "Open holds",
    [
      { label: `Amount (${wallet.currency})`, cell: (hold) => formatMoney(hold.amount, wallet.scale), numeric: true },
      { label: "Reference", cell: (hold) => hold.reference ?? "" },
      { label: "Description", cell: (hold) => hold.description ?? "" },
      { label: "Placed", cell: (hold) => when(hold.createdAt) },
      { label: "Expires", cell: (hold) => when(hold.expiresAt) },
    ],
    wallet.holds,
    "No open holds.",
  );
}

function entryFilters(onChange: (filters: Record<string, unknown>) => void): HTMLFormElement {
  const form = h(
    "form",
    { class: "filters", "aria-label": "Filter entries" },
    h(
      "label",
      {},
      "Type",
      h("select", { name: "type" }, h("option", { value: "" }, "any"), ...ENTRY_TYPES.map((type) => h("option", { value: type }, type))),
    ),
    h("label", {}, "Category", h("input", { name: "category", autocomplete: "off", size: 12 })),
    // Days as the page shows them, in UTC, written the same way in every browser (a date input
    // would show the browser's locale, such as mm/dd/yyyy, and mean local midnight).
    h("label", {}, "From (UTC)", h("input", { name: "from", ...DAY_INPUT })),
    h("label", {}, "Until (UTC, inclusive)", h("input", { name: "until", ...DAY_INPUT })),
    h("button", { type: "submit" }, "Filter"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const value = (name: string) => String(data.get(name) ?? "").trim() || undefined;
    const type = value("type");
    const from = value("from");
    const until = value("until");
    onChange({
      types: type ? [type] : undefined,
      category: value("category"),
      createdAfter: from ? `${from}T00:00:00.000Z` : undefined,
      // Entries before the next day's midnight: the whole of the last day.
      createdBefore: until ? new Date(Date.parse(`${until}T00:00:00.000Z`) + DAY_MS).toISOString() : undefined,
    });
  });
  return form;
}

/** "Download CSV": the entries the filter selects, every page of them, as a file. */
function ledgerDownload(wallet: () => Promise<Wallet>, filters: () => Record<string, unknown>): HTMLElement {
  const state = h("span", { class: "note", role: "status" });
  const button = h("button", { type: "button", class: "secondary" }, "Download CSV");
  button.addEventListener("click", () => {
    button.disabled = true;
    state.replaceChildren("reading the ledger…");
    void (async () => {
      try {
        const found = await wallet();
        const csv = await ledgerCsv(found, filters(), (read, total) => state.replaceChildren(`read ${read} of ${total} entries…`));
        download(ledgerFileName(found, new Date()), csv);
        state.replaceChildren("downloaded");
      } catch (error) {
        state.replaceChildren(`could not export: ${(error as Error).message}`);
      } finally {
        button.disabled = false;
      }
    })();
  });
  return h("div", { class: "export" }, button, state);
}

/** The view of one wallet; `signal` aborts when the page leaves it (stops live updates). */
export function walletView(id: string, signal: AbortSignal): HTMLElement {
  const summary = section("Balances", "balances");
  const chart = section("Balance over time", "balance-history");
  const blocks = section("Credit blocks", "blocks");
  const holds = section("Open holds", "holds");
  let filters: Record<string, unknown> = {};
  const entries = section(
    "Ledger",
    "entries",
    h(
      "div",
      { class: "ledger-tools" },
      entryFilters((chosen) => {
        filters = chosen;
        void showEntries({});
      }),
      ledgerDownload(
        () => wallet(),
        () => filters,
      ),
    ),
  );
  const heading = h("h1", {}, "Wallet");
  const live = h("span", { class: "live-state connecting", "data-testid": "live-state", role: "status" }, LIVE_LABELS.connecting);
  const facts = h("span", {});

  let walletRequest: Promise<Wallet> | null = null;
  const wallet = () =>
    (walletRequest ??= graphql<{ wallet: Wallet | null }>(WALLET, { id }).then(({ wallet }) => {
      if (!wallet) throw new Error("no such wallet");
      return wallet;
    }));

  const showSummary = (): Promise<void> =>
    summary.load(async () => {
      const found = await wallet().catch((error: unknown) => {
        if ((error as Error).message === "no such wallet") return null;
        throw error;
      });
      if (!found) return [h("p", { class: "error", role: "alert" }, "No such wallet for this token.")];
      heading.replaceChildren(`${found.name ?? `${found.currency} wallet`} · ${found.customer.externalId}`);
      facts.replaceChildren(
        `${found.status} · ${found.currency} · opened ${when(found.createdAt)} · overdraft limit ${formatAmount(found.overdraftLimit, found.scale, found.currency)}`,
      );
      void holds.load(async () => [holdsTable(found)]);
      return [figuresTable(found)];
    });

  const showChart = (): Promise<void> =>
    chart.load(async () => {
      const [{ scale, currency }, { wallet: history }] = await Promise.all([
        wallet(),
        graphql<{ wallet: { ledgerEntries: Connection<BalancePoint> } }>(CHART, { id }),
      ]);
      const points = history.ledgerEntries.edges.map((edge) => edge.node).reverse();
      if (points.length === 0)
        return [
          emptyNote("No entries yet.", [
            "Credits come in with the ",
            h("code", {}, "deposit"),
            " mutation, go out with ",
            h("code", {}, "debit"),
            ".",
          ]),
        ];
      const note =
        history.ledgerEntries.totalCount > points.length
          ? `The latest ${points.length} of ${history.ledgerEntries.totalCount} entries.`
          : `All ${points.length} entries.`;
      let drawn = balanceChart(points, scale, currency, new Date(), chartWidth());
      redrawChart = () => {
        if (!drawn.isConnected) return;
        const again = balanceChart(points, scale, currency, new Date(), chartWidth());
        drawn.replaceWith(again);
        drawn = again;
      };
      return [drawn, h("p", { class: "note" }, note)];
    });

  // The chart's drawing width: its card's, less the card's padding.
  const chartWidth = (): number => {
    const body = chart.element.querySelector<HTMLElement>(".section-body");
    return Math.max(Math.round(body?.clientWidth || chart.element.clientWidth - 32 || 720), 240);
  };
  // Drawn again at the card's new width when the window changes size.
  let redrawChart = (): void => {};
  window.addEventListener("resize", () => redrawChart(), { signal });

  let blocksAt: Cursor = {};
  const showBlocks = (cursor: Cursor): Promise<void> =>
    blocks.load(async () => {
      blocksAt = cursor;
      const [{ scale, currency }, { wallet: page }] = await Promise.all([
        wallet(),
        graphql<{ wallet: { creditBlocks: Connection<Block> } }>(BLOCKS, { id, ...pageArguments(cursor, PAGE_SIZE) }),
      ]);
      const money = (minor: string) => formatMoney(minor, scale);
      const rows = table<Block>(
        "Credit blocks",
        [
          { label: "Category", cell: (block) => block.category },
          { label: "Source", cell: (block) => block.source },
          { label: `Amount (${currency})`, cell: (block) => money(block.amount), numeric: true },
          { label: `Remaining (${currency})`, cell: (block) => money(block.remaining), numeric: true },
          { label: "Effective", cell: (block) => when(block.effectiveAt) },
          { label: "Expires", cell: (block) => when(block.expiresAt) },
          { label: "Status", cell: (block) => block.status },
          { label: "Applies to", cell: (block) => (block.appliesTo.length > 0 ? block.appliesTo.join(", ") : "any usage") },
          { label: "Priority", cell: (block) => block.priority, numeric: true },
        ],
        page.creditBlocks.edges.map((edge) => edge.node),
        emptyNote("No credit blocks yet.", ["Each ", h("code", {}, "deposit"), " (or paid top-up) opens one."]),
      );
      return [rows, pager("Credit blocks", page.creditBlocks, showBlocks)];
    });

  let entriesAt: Cursor = {};
  const showEntries = (cursor: Cursor): Promise<void> =>
    entries.load(async () => {
      entriesAt = cursor;
      const [{ scale, currency }, { wallet: page }] = await Promise.all([
        wallet(),
        graphql<{ wallet: { ledgerEntries: Connection<Entry> } }>(ENTRIES, { id, ...filters, ...pageArguments(cursor, PAGE_SIZE) }),
      ]);
      const money = (minor: string) => formatMoney(minor, scale);
      const rows = table<Entry>(
        "Ledger entries",
        [
          { label: "#", cell: (entry) => entry.sequence, numeric: true },
          { label: "When", cell: (entry) => when(entry.createdAt) },
          { label: "Type", cell: (entry) => entry.type },
          { label: "Status", cell: (entry) => entry.status },
          { label: "Category", cell: (entry) => entry.block?.category ?? "overdraft" },
          { label: `Amount (${currency})`, cell: (entry) => money(entry.amount), numeric: true },
          { label: `Balance after (${currency})`, cell: (entry) => money(entry.endingBalance), numeric: true },
          { label: "Reference", cell: (entry) => entry.reference ?? "" },
          { label: "Description", cell: (entry) => entry.description ?? "" },
        ],
        page.ledgerEntries.edges.map((edge) => edge.node),
        Object.keys(filters).some((name) => filters[name] !== undefined)
          ? "No entries match."
          : emptyNote("No entries yet.", [
              "Credits come in with the ",
              h("code", {}, "deposit"),
              " mutation, go out with ",
              h("code", {}, "debit"),
              ".",
            ]),
      );
      return [rows, pager("Ledger entries", page.ledgerEntries, showEntries)];
    });

  const showAll = (): void => {
    walletRequest = null;
    void showSummary();
    void showChart();
    void showBlocks(blocksAt);
    void showEntries(entriesAt);
  };
  showAll();

  let refresh: ReturnType<typeof setTimeout> | undefined;
  signal.addEventListener("abort", () => clearTimeout(refresh), { once: true });
  watchWallet(
    id,
    signal,
    () => {
      // Once per delay however many arrive: a steady stream still refreshes the view.
      refresh ??= setTimeout(() => {
        refresh = undefined;
        showAll();
      }, REFRESH_DELAY_MS);
    },
    (state) => {
      live.className = `live-state ${state}`;
      live.replaceChildren(LIVE_LABELS[state]);
    },
  );

  return h(
    "div",
    { class: "view" },
    h("p", {}, h("a", { href: searchLink({}) }, "← All wallets")),
    heading,
    h("p", { class: "facts" }, facts, " ", live),
    summary.element,
    chart.element,
    blocks.element,
    holds.element,
    entries.element,
    walletExtras(id, showAll),
  );
}

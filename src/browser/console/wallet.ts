// One wallet: its balances (overall and by category), its balance over time, its credit blocks,
// its open holds and its ledger, filtered and a page at a time; all kept current while it is open.
import { graphql } from "./api.ts";
import { balanceChart, type BalancePoint } from "./chart.ts";
import { h, table, when } from "./dom.ts";
import { searchLink } from "./home.ts";
import { watchWallet, type LiveState } from "./live.ts";
import { formatMoney } from "./money.ts";
import { PAGE_INFO, pageArguments, pager, type Connection, type Cursor } from "./pages.ts";
import { section } from "./section.ts";

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
}

interface Entry {
  id: string;
  sequence: string;
  createdAt: string;
  type: string;
  status: string;
  amount: string;
  endingBalance: string;
  description: string | null;
  reference: string | null;
  block: { category: string } | null;
}

const WALLET = `query ConsoleWallet($id: ID!) {
  wallet(id: $id) {
    id name currency scale status createdAt overdraftLimit
    customer { externalId name }
    balance { available total used frozen overdraftUsed byCategory { category available total used frozen } }
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
      edges { node { id category amount remaining effectiveAt expiresAt status priority source } }
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
  const byCategory = table<Figures & { category: string }>(
    "Balances by category",
    [
      { label: "Category", cell: (row) => row.category },
      { label: "Available", cell: (row) => money(row.available), numeric: true },
      { label: "Total", cell: (row) => money(row.total), numeric: true },
      { label: "Used", cell: (row) => money(row.used), numeric: true },
      { label: "Frozen", cell: (row) => money(row.frozen), numeric: true },
    ],
    wallet.balance.byCategory,
    "No credits in any category.",
  );
  return h("div", {}, overall, byCategory);
}

function holdsTable(wallet: Wallet): HTMLElement {
  return table<Wallet["holds"][number]>(
    "Open holds",
    [
      { label: "Amount", cell: (hold) => formatMoney(hold.amount, wallet.scale), numeric: true },
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
    h("label", {}, "From", h("input", { name: "from", type: "date" })),
    h("label", {}, "Until", h("input", { name: "until", type: "date" })),
    h("button", { type: "submit" }, "Filter"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const value = (name: string) => String(data.get(name) ?? "").trim() || undefined;
    const type = value("type");
    onChange({ types: type ? [type] : undefined, category: value("category"), createdAfter: value("from"), createdBefore: value("until") });
  });
  return form;
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
    entryFilters((chosen) => {
      filters = chosen;
      void showEntries({});
    }),
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
        `${found.status} · ${found.currency} · opened ${when(found.createdAt)} · overdraft limit ${formatMoney(found.overdraftLimit, found.scale)}`,
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
      if (points.length === 0) return [h("p", { class: "empty", role: "status" }, "No entries yet.")];
      const note =
        history.ledgerEntries.totalCount > points.length
          ? `The latest ${points.length} of ${history.ledgerEntries.totalCount} entries.`
          : `All ${points.length} entries.`;
      return [balanceChart(points, scale, currency, new Date()), h("p", { class: "note" }, note)];
    });

  let blocksAt: Cursor = {};
  const showBlocks = (cursor: Cursor): Promise<void> =>
    blocks.load(async () => {
      blocksAt = cursor;
      const [{ scale }, { wallet: page }] = await Promise.all([
        wallet(),
        graphql<{ wallet: { creditBlocks: Connection<Block> } }>(BLOCKS, { id, ...pageArguments(cursor, PAGE_SIZE) }),
      ]);
      const money = (minor: string) => formatMoney(minor, scale);
      const rows = table<Block>(
        "Credit blocks",
        [
          { label: "Category", cell: (block) => block.category },
          { label: "Source", cell: (block) => block.source },
          { label: "Amount", cell: (block) => money(block.amount), numeric: true },
          { label: "Remaining", cell: (block) => money(block.remaining), numeric: true },
          { label: "Effective", cell: (block) => when(block.effectiveAt) },
          { label: "Expires", cell: (block) => when(block.expiresAt) },
          { label: "Status", cell: (block) => block.status },
          { label: "Priority", cell: (block) => block.priority, numeric: true },
        ],
        page.creditBlocks.edges.map((edge) => edge.node),
        "No credit blocks.",
      );
      return [rows, pager("Credit blocks", page.creditBlocks, showBlocks)];
    });

  let entriesAt: Cursor = {};
  const showEntries = (cursor: Cursor): Promise<void> =>
    entries.load(async () => {
      entriesAt = cursor;
      const [{ scale }, { wallet: page }] = await Promise.all([
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
          { label: "Amount", cell: (entry) => money(entry.amount), numeric: true },
          { label: "Balance after", cell: (entry) => money(entry.endingBalance), numeric: true },
          { label: "Reference", cell: (entry) => entry.reference ?? "" },
          { label: "Description", cell: (entry) => entry.description ?? "" },
        ],
        page.ledgerEntries.edges.map((edge) => edge.node),
        "No entries match.",
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
  );
}

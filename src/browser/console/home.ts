// The first view: the token's customers and wallets, searched by customer, currency and status,
// a page at a time.
import { graphql } from "./api.ts";
import { customerLink } from "./customer.ts";
import { emptyNote, h, table, when } from "./dom.ts";
import { formatAmount } from "./money.ts";
import { PAGE_INFO, pageArguments, pager, type Connection, type Cursor } from "./pages.ts";
import { section } from "./section.ts";

const PAGE_SIZE = 10;

export interface WalletSearch {
  customer: string;
  currency: string;
  status: string;
}

interface CustomerRow {
  id: string;
  externalId: string;
  name: string | null;
  email: string | null;
  createdAt: string;
  wallets: { totalCount: number };
}

interface WalletRow {
  id: string;
  name: string | null;
  currency: string;
  scale: number;
  status: string;
  customer: { externalId: string; name: string | null };
  balance: { available: string; total: string };
}

const CUSTOMER_FIELDS = "id externalId name email createdAt wallets(first: 0) { totalCount }";

const CUSTOMERS = `query ConsoleCustomers($first: Int, $after: String, $last: Int, $before: String) {
  customers(first: $first, after: $after, last: $last, before: $before) { totalCount ${PAGE_INFO} edges { node { ${CUSTOMER_FIELDS} } } }
}`;

const CUSTOMER = `query ConsoleCustomer($externalId: String!) { customer(externalId: $externalId) { ${CUSTOMER_FIELDS} } }`;

const WALLETS = `query ConsoleWallets($first: Int, $after: String, $last: Int, $before: String, $customerExternalId: String, $currency: String, $status: WalletStatus) {
  wallets(first: $first, after: $after, last: $last, before: $before, customerExternalId: $customerExternalId, currency: $currency, status: $status) {
    totalCount ${PAGE_INFO}
    edges { node { id name currency scale status customer { externalId name } balance { available total } } }
  }
}`;

export function walletLink(id: string): string {
  return `#/wallet/${encodeURIComponent(id)}`;
}

export function searchLink(search: Partial<WalletSearch>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(search)) if (value) params.set(name, value);
  const query = params.toString();
  return query ? `#/?${query}` : "#/";
}

function customerTable(customers: CustomerRow[]): HTMLElement {
  return table<CustomerRow>(
    "Customers",
    [
      { label: "External id", cell: (customer) => h("a", { href: searchLink({ customer: customer.externalId }) }, customer.externalId) },
      { label: "Name", cell: (customer) => h("a", { href: customerLink(customer.externalId) }, customer.name ?? "unnamed") },
      { label: "Email", cell: (customer) => customer.email ?? "" },
      { label: "Since", cell: (customer) => when(customer.createdAt) },
      { label: "Wallets", cell: (customer) => customer.wallets.totalCount, numeric: true },
    ],
    customers,
    emptyNote("No customers yet.", [
      "A customer comes with their first wallet: run ",
      h("code", {}, 'mutation { createWallet(input: { customerExternalId: "alice", currency: "USD" }) { __typename } }'),
      " in ",
      h("a", { href: "/graphql" }, "GraphiQL"),
      " with a write or admin token (or POST it to /graphql).",
    ]),
  );
}

export function homeView(search: WalletSearch): HTMLElement {
  const form = h(
    "form",
    { class: "search", role: "search", "aria-label": "Search wallets" },
    h(
      "label",
      {},
      "Customer external id",
      h("input", { name: "customer", value: search.customer, autocomplete: "off", spellcheck: "false" }),
    ),
    h("label", {}, "Currency or unit", h("input", { name: "currency", value: search.currency, autocomplete: "off", size: 10 })),
    h(
      "label",
      {},
      "Status",
      h(
        "select",
        { name: "status" },
        ...[
          ["", "any"],
          ["active", "active"],
          ["terminated", "terminated"],
        ].map(([value, label]) => h("option", { value: value!, selected: search.status === value }, label!)),
      ),
    ),
    h("button", { type: "submit" }, "Search"),
    h("a", { href: "#/", class: "clear" }, "Clear"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    location.hash = searchLink({
      customer: String(data.get("customer") ?? "").trim(),
      currency: String(data.get("currency") ?? "")
        .trim()
        .toUpperCase(),
      status: String(data.get("status") ?? ""),
    });
  });

  const customers = section(search.customer ? "Customer" : "Customers", "customers");
  const wallets = section("Wallets", "wallets");

  if (search.customer) {
    void customers.load(async () => {
      const { customer } = await graphql<{ customer: CustomerRow | null }>(CUSTOMER, { externalId: search.customer });
      return [
        customer
          ? customerTable([customer])
          : h("p", { class: "empty", role: "status" }, `No customer with external id "${search.customer}".`),
      ];
    });
  } else {
    const showCustomers = (cursor: Cursor) =>
      customers.load(async () => {
        const { customers: page } = await graphql<{ customers: Connection<CustomerRow> }>(CUSTOMERS, pageArguments(cursor, PAGE_SIZE));
        return [customerTable(page.edges.map((edge) => edge.node)), pager("Customers", page, showCustomers)];
      });
    void showCustomers({});
  }

  const showWallets = (cursor: Cursor) =>
    wallets.load(async () => {
      const { wallets: page } = await graphql<{ wallets: Connection<WalletRow> }>(WALLETS, {
        ...pageArguments(cursor, PAGE_SIZE),
        customerExternalId: search.customer || undefined,
        currency: search.currency || undefined,
        status: search.status || undefined,
      });
      const rows = table<WalletRow>(
        "Wallets",
        [
          { label: "Wallet", cell: (wallet) => h("a", { href: walletLink(wallet.id) }, wallet.name ?? `${wallet.currency} wallet`) },
          { label: "Customer", cell: (wallet) => wallet.customer.externalId },
          { label: "Status", cell: (wallet) => wallet.status },
          { label: "Available", cell: (wallet) => formatAmount(wallet.balance.available, wallet.scale, wallet.currency), numeric: true },
          { label: "Total", cell: (wallet) => formatAmount(wallet.balance.total, wallet.scale, wallet.currency), numeric: true },
        ],
        page.edges.map((edge) => edge.node),
        search.customer || search.currency || search.status
          ? "No wallets match."
          : emptyNote("No wallets yet.", [
              "Open one with the ",
              h("code", {}, "createWallet"),
              " mutation (customer external id and currency, such as USD, or a unit of your own).",
            ]),
      );
      return [rows, pager("Wallets", page, showWallets)];
    });
  void showWallets({});

  return h("div", { class: "view" }, form, customers.element, wallets.element);
}

// One customer (#/customer/<external id>): who they are, their card, their wallets, and, for
// tokens that may, editing their name and email through updateCustomer (confirmed, with an
// idempotency key like every action).
import { graphql } from "./api.ts";
import { ACTING_ROLES } from "./actions.ts";
import { actionForm, field, payloadOf } from "./confirm.ts";
import { h, table, when } from "./dom.ts";
import { formatMoney } from "./money.ts";
import { section } from "./section.ts";

interface CustomerPage {
  id: string;
  externalId: string;
  name: string | null;
  email: string | null;
  createdAt: string;
  paymentMethod: { brand: string | null; last4: string | null; expMonth: number | null; expYear: number | null } | null;
  wallets: {
    totalCount: number;
    edges: {
      node: {
        id: string;
        name: string | null;
        currency: string;
        scale: number;
        status: string;
        balance: { available: string; total: string };
      };
    }[];
  };
}

/** Wallets shown on the page; a customer with more is searched on the wallets page. */
const WALLETS_SHOWN = 50;

const CUSTOMER = `query ConsoleCustomerPage($externalId: String!) {
  viewer { role }
  customer(externalId: $externalId) {
    id externalId name email createdAt
    paymentMethod { brand last4 expMonth expYear }
    wallets(first: ${WALLETS_SHOWN}) { totalCount edges { node { id name currency scale status balance { available total } } } }
  }
}`;

const UPDATE = `mutation ConsoleUpdateCustomer($input: UpdateCustomerInput!) {
  updateCustomer(input: $input) { __typename ... on Error { message code } ... on UpdateCustomerPayload { replayed customer { name email } } }
}`;

export function customerLink(externalId: string): string {
  return `#/customer/${encodeURIComponent(externalId)}`;
}

function details(customer: CustomerPage): HTMLElement {
  const card = customer.paymentMethod;
  return h(
    "dl",
    { class: "details", "aria-label": "Customer" },
    ...(
      [
        ["External id", customer.externalId],
        ["Name", customer.name ?? "none"],
        ["Email", customer.email ?? "none"],
        ["Since", when(customer.createdAt)],
        ["Card", card ? `${card.brand ?? "card"} ending ${card.last4 ?? "?"}, expires ${card.expMonth}/${card.expYear}` : "none on file"],
      ] as const
    ).map(([label, value]) => h("div", {}, h("dt", {}, label), h("dd", { "data-detail": label.toLowerCase() }, value))),
  );
}

function editForm(customer: CustomerPage, done: (said: string) => void): HTMLElement {
  return actionForm({
    title: "Edit customer",
    fields: [
      field("Name", { name: "name", value: customer.name ?? "", maxlength: 255 }),
      field("Email", { name: "email", type: "email", value: customer.email ?? "", maxlength: 320 }),
    ],
    plan: (data) => {
      const name = String(data.get("name") ?? "").trim();
      const email = String(data.get("email") ?? "").trim();
      if (name === (customer.name ?? "") && email === (customer.email ?? "")) return "Nothing changed: edit the name or the email first.";
      const say = (label: string, before: string | null, after: string) =>
        after === (before ?? "") ? null : after ? `Set the ${label} to "${after}".` : `Clear the ${label}.`;
      return {
        summary: [say("name", customer.name, name), say("email", customer.email, email)].filter((line): line is string => line !== null),
        run: async (idempotencyKey) => {
          const answer = await graphql<Record<string, never>>(UPDATE, {
            input: { externalId: customer.externalId, name: name || null, email: email || null, idempotencyKey },
          });
          const result = payloadOf<{ replayed: boolean }>(answer, "updateCustomer");
          return `Saved ${customer.externalId}${result.replayed ? " (already saved with this key)" : ""}.`;
        },
      };
    },
    done,
  });
}

export function customerView(externalId: string): HTMLElement {
  const heading = h("h1", {}, `Customer ${externalId}`);
  const notice = h("p", { class: "done", role: "status", "data-testid": "action-done" });
  const about = section("Customer", "customer", notice);
  const wallets = section("Wallets", "customer-wallets");
  const show = (): void => {
    const answer = graphql<{ viewer: { role: string }; customer: CustomerPage | null }>(CUSTOMER, { externalId });
    void about.load(async () => {
      const { viewer, customer } = await answer;
      if (!customer) return [h("p", { class: "empty", role: "status" }, `No customer with external id "${externalId}" for this token.`)];
      heading.replaceChildren(customer.name ? `${customer.name} · ${customer.externalId}` : `Customer ${customer.externalId}`);
      const edit = ACTING_ROLES.has(viewer.role)
        ? editForm(customer, (said) => {
            notice.textContent = said;
            show();
          })
        : null;
      return [details(customer), ...(edit ? [edit] : [])];
    });
    void wallets.load(async () => {
      const { customer } = await answer;
      if (!customer) return [];
      const rows = table<CustomerPage["wallets"]["edges"][number]["node"]>(
        "Customer wallets",
        [
          {
            label: "Wallet",
            cell: (wallet) => h("a", { href: `#/wallet/${encodeURIComponent(wallet.id)}` }, wallet.name ?? `${wallet.currency} wallet`),
          },
          { label: "Unit", cell: (wallet) => wallet.currency },
          { label: "Status", cell: (wallet) => wallet.status },
          { label: "Available", cell: (wallet) => formatMoney(wallet.balance.available, wallet.scale), numeric: true },
          { label: "Total", cell: (wallet) => formatMoney(wallet.balance.total, wallet.scale), numeric: true },
        ],
        customer.wallets.edges.map((edge) => edge.node),
        "No wallets: open one with the createWallet mutation.",
      );
      const more =
        customer.wallets.totalCount > customer.wallets.edges.length
          ? h("p", { class: "note" }, `The first ${customer.wallets.edges.length} of ${customer.wallets.totalCount} wallets.`)
          : null;
      return [rows, ...(more ? [more] : [])];
    });
  };
  show();
  return h("div", { class: "view" }, h("p", {}, h("a", { href: "#/" }, "← All wallets")), heading, about.element, wallets.element);
}

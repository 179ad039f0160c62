// The parts of a wallet's page below its ledger: a link to its customer, the actions a token may
// take, its top-ups and its event log. An action reloads these and, through `walletChanged`, the
// rest of the page.
import { walletActions } from "./actions.ts";
import { walletActivity } from "./activity.ts";
import { graphql } from "./api.ts";
import { customerLink } from "./customer.ts";
import { h } from "./dom.ts";

export function walletExtras(walletId: string, walletChanged: () => void): HTMLElement {
  const customer = h("p", { class: "customer-link" });
  void graphql<{ wallet: { customer: { externalId: string } } | null }>(
    "query ConsoleWalletCustomer($id: ID!) { wallet(id: $id) { customer { externalId } } }",
    { id: walletId },
  )
    .then(({ wallet }) => {
      if (wallet)
        customer.replaceChildren(h("a", { href: customerLink(wallet.customer.externalId) }, `Customer ${wallet.customer.externalId} →`));
    })
    .catch(() => undefined); // the page's other parts say what went wrong
  const activity = walletActivity(walletId);
  const actions = walletActions(walletId, () => {
    walletChanged();
    activity.reload();
  });
  return h("div", { class: "wallet-extras" }, customer, actions, ...activity.elements);
}

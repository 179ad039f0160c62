// What happened around a wallet besides its ledger: its paid top-ups (with Stripe's side of
// each), its event log, and the tenant's webhook deliveries of those events. Read-only views,
// a page at a time; the event log pages forward only, as the API does.
import { graphql } from "./api.ts";
import { h, table, when } from "./dom.ts";
import { formatMoney } from "./money.ts";
import { PAGE_INFO, pageArguments, pager, type Connection, type Cursor } from "./pages.ts";
import { section } from "./section.ts";

const PAGE_SIZE = 10;

interface TopUp {
  id: string;
  createdAt: string;
  status: string;
  trigger: string;
  amount: string;
  bonusAmount: string;
  chargeAmount: string;
  chargeCurrency: string;
  attempts: number;
  nextAttemptAt: string | null;
  stripePaymentIntentId: string | null;
  stripeChargeId: string | null;
  failureCode: string | null;
  declineCode: string | null;
  failureMessage: string | null;
}

interface WalletEvent {
  id: string;
  sequence: number;
  type: string;
  createdAt: string;
  payload: Record<string, unknown>;
}

interface Delivery {
  id: string;
  status: string;
  attempts: number;
  responseStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  nextAttemptAt: string | null;
  event: { type: string; sequence: number; wallet: { id: string } };
}

interface Endpoint {
  id: string;
  url: string;
  status: string;
  deliveries: { edges: { node: Delivery }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

const TOP_UPS = `query ConsoleTopUps($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  wallet(id: $id) {
    currency scale
    topUps(first: $first, after: $after, last: $last, before: $before) {
      totalCount ${PAGE_INFO}
      edges { node { id createdAt status trigger amount bonusAmount chargeAmount chargeCurrency attempts nextAttemptAt stripePaymentIntentId stripeChargeId failureCode declineCode failureMessage } }
    }
  }
}`;

const EVENTS = `query ConsoleEvents($id: ID!, $first: Int, $after: String) {
  events(walletId: $id, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id sequence type createdAt payload } }
  }
}`;

const DELIVERIES = `query ConsoleWebhookDeliveries($first: Int, $after: String) {
  webhookEndpoints(first: 20) {
    totalCount
    edges { node { id url status deliveries(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { id status attempts responseStatus lastError createdAt deliveredAt nextAttemptAt event { type sequence wallet { id } } } }
    } } }
  }
}`;

/** Stripe's side of a top-up in a few words: the payment intent, and why it failed if it did. */
function stripeState(topUp: TopUp): string {
  const parts = [topUp.stripePaymentIntentId ?? "no payment intent yet"];
  if (topUp.stripeChargeId) parts.push(topUp.stripeChargeId);
  const failure = [topUp.failureCode, topUp.declineCode].filter(Boolean).join(" / ");
  if (failure) parts.push(`${failure}${topUp.failureMessage ? `: ${topUp.failureMessage}` : ""}`);
  if (topUp.status === "pending" && topUp.nextAttemptAt) parts.push(`next try ${when(topUp.nextAttemptAt)}`);
  return parts.join(" · ");
}

/** The wallet's paid top-ups, newest first. */
export function topUpsSection(walletId: string): { element: HTMLElement; reload(): void } {
  const topUps = section("Top-ups", "top-ups");
  let at: Cursor = {};
  const show = (cursor: Cursor): Promise<void> =>
    topUps.load(async () => {
      at = cursor;
      const { wallet } = await graphql<{ wallet: { currency: string; scale: number; topUps: Connection<TopUp> } | null }>(TOP_UPS, {
        id: walletId,
        ...pageArguments(cursor, PAGE_SIZE),
      });
      if (!wallet) return [];
      const money = (minor: string) => formatMoney(minor, wallet.scale);
      // The card is charged in the wallet's currency, or (a unit of the tenant's own) in another, at its own scale.
      const charged = (topUp: TopUp) =>
        topUp.chargeCurrency.toUpperCase() === wallet.currency
          ? `${money(topUp.chargeAmount)} ${wallet.currency}`
          : `${topUp.chargeAmount} minor units of ${topUp.chargeCurrency.toUpperCase()}`;
      const rows = table<TopUp>(
        "Top-ups",
        [
          { label: "When", cell: (topUp) => when(topUp.createdAt) },
          { label: "Status", cell: (topUp) => topUp.status },
          { label: "Trigger", cell: (topUp) => topUp.trigger },
          { label: "Amount", cell: (topUp) => money(topUp.amount), numeric: true },
          { label: "Bonus", cell: (topUp) => money(topUp.bonusAmount), numeric: true },
          { label: "Charged", cell: charged, numeric: true },
          { label: "Attempts", cell: (topUp) => topUp.attempts, numeric: true },
          { label: "Stripe", cell: stripeState },
        ],
        wallet.topUps.edges.map((edge) => edge.node),
        "No top-ups yet: a paid top-up (here, through the API, or by the auto top-up rule) shows here with Stripe's state.",
      );
      return [rows, pager("Top-ups", wallet.topUps, show)];
    });
  void show({});
  return { element: topUps.element, reload: () => void show(at) };
}

/** A short line of what an event says; the whole payload is a click away. */
function eventDetail(event: WalletEvent): Node {
  return h("details", {}, h("summary", {}, "payload"), h("pre", {}, JSON.stringify(event.payload, null, 2)));
}

/** The wallet's event log (what webhooks deliver), newest first, forward a page at a time. */
export function eventsSection(walletId: string): { element: HTMLElement; reload(): void } {
  const events = section("Events", "events");
  /** Cursors of the pages shown before this one, to go back to. */
  let trail: (string | undefined)[] = [];
  let after: string | undefined;
  const show = (): Promise<void> =>
    events.load(async () => {
      const { events: page } = await graphql<{
        events: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: WalletEvent }[] };
      }>(EVENTS, { id: walletId, first: PAGE_SIZE, after });
      const rows = table<WalletEvent>(
        "Events",
        [
          { label: "#", cell: (event) => event.sequence, numeric: true },
          { label: "When", cell: (event) => when(event.createdAt) },
          { label: "Type", cell: (event) => event.type },
          { label: "Event id", cell: (event) => h("code", {}, event.id) },
          { label: "Payload", cell: eventDetail },
        ],
        page.edges.map((edge) => edge.node),
        "No events yet: every change to the wallet writes one.",
      );
      const nav = h(
        "nav",
        { class: "pager", "aria-label": "Events pages" },
        h(
          "button",
          {
            type: "button",
            disabled: trail.length === 0,
            onclick: () => {
              after = trail.pop();
              void show();
            },
          },
          "← Newer",
        ),
        h(
          "button",
          {
            type: "button",
            disabled: !page.pageInfo.hasNextPage,
            onclick: () => {
              trail.push(after);
              after = page.pageInfo.endCursor ?? undefined;
              void show();
            },
          },
          "Older →",
        ),
      );
      return [rows, nav];
    });
  void show();
  return {
    element: events.element,
    reload: () => {
      trail = [];
      after = undefined;
      void show();
    },
  };
}

/** The tenant's webhook endpoints and their latest deliveries (admin tokens only: the API says so to others). */
export function webhooksView(): HTMLElement {
  const deliveries = section("Webhook deliveries", "webhook-deliveries");
  void deliveries.load(async () => {
    const { webhookEndpoints } = await graphql<{ webhookEndpoints: { totalCount: number; edges: { node: Endpoint }[] } }>(DELIVERIES, {
      first: 20,
    });
    if (webhookEndpoints.totalCount === 0) {
      return [
        h(
          "p",
          { class: "empty", role: "status" },
          "No webhook endpoints yet: add one with the createWebhookEndpoint mutation, and its deliveries show here.",
        ),
      ];
    }
    return webhookEndpoints.edges.map(({ node: endpoint }) =>
      h(
        "div",
        { class: "endpoint" },
        h("h3", {}, endpoint.url, " ", h("span", { class: `badge ${endpoint.status}` }, endpoint.status)),
        table<Delivery>(
          `Deliveries to ${endpoint.url}`,
          [
            { label: "Created", cell: (delivery) => when(delivery.createdAt) },
            { label: "Event", cell: (delivery) => `${delivery.event.type} #${delivery.event.sequence}` },
            { label: "Wallet", cell: (delivery) => h("a", { href: `#/wallet/${encodeURIComponent(delivery.event.wallet.id)}` }, "open") },
            { label: "Status", cell: (delivery) => delivery.status },
            { label: "Attempts", cell: (delivery) => delivery.attempts, numeric: true },
            { label: "Last answer", cell: (delivery) => (delivery.responseStatus === null ? "none" : String(delivery.responseStatus)) },
            { label: "Last error", cell: (delivery) => delivery.lastError ?? "" },
            {
              label: "Delivered / next try",
              cell: (delivery) => (delivery.deliveredAt ? when(delivery.deliveredAt) : when(delivery.nextAttemptAt, "given up")),
            },
          ],
          endpoint.deliveries.edges.map((edge) => edge.node),
          "No deliveries yet.",
        ),
      ),
    );
  });
  return h("div", { class: "view" }, h("h1", {}, "Webhooks"), deliveries.element);
}

/**
 * What the wallet page shows below its ledger: the actions a token may take (see actions.ts) are
 * added by the caller; these are the top-ups and the event log, reloaded by `reload`.
 */
export function walletActivity(walletId: string): { elements: HTMLElement[]; reload(): void } {
  const topUps = topUpsSection(walletId);
  const events = eventsSection(walletId);
  return {
    elements: [topUps.element, events.element],
    reload: () => {
      topUps.reload();
      events.reload();
    },
  };
}

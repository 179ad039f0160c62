// What an admin or write token can do to a wallet from its page: grant credits, void credits,
// release a hold, top up with the customer's card, set the auto top-up rule and balance alerts.
// Each goes through the GraphQL API like any client's call, with an idempotency key and after a
// confirmation (confirm.ts). The gateway decides what a token may do; this part is shown only to
// the roles that may do these things, and a refusal is shown as the gateway words it.
import { graphql } from "./api.ts";
import { parseAmount } from "./amount-input.ts";
import { actionForm, field, payloadOf, type Plan } from "./confirm.ts";
import { DAY_INPUT, h, table, when } from "./dom.ts";
import { formatMoney, plainDecimal } from "./money.ts";
import { section } from "./section.ts";

/** Roles whose tokens may grant, void, top up and change a wallet's settings. */
export const ACTING_ROLES = new Set(["admin", "write"]);

interface ActionWallet {
  id: string;
  currency: string;
  scale: number;
  status: string;
  customer: { externalId: string; paymentMethod: { brand: string | null; last4: string | null } | null };
  holds: { id: string; amount: string; reference: string | null; description: string | null; expiresAt: string | null }[];
  autoTopUp: {
    threshold: string;
    amount: string | null;
    targetBalance: string | null;
    paused: boolean;
    pausedReason: string | null;
  } | null;
  balanceAlerts: { edges: { node: { id: string; threshold: string; below: boolean; createdAt: string } }[] };
}

const ACTION_WALLET = `query ConsoleWalletActions($id: ID!) {
  viewer { role }
  wallet(id: $id) {
    id currency scale status
    customer { externalId paymentMethod { brand last4 } }
    holds { id amount reference description expiresAt }
    autoTopUp { threshold amount targetBalance paused pausedReason }
    balanceAlerts(first: 50) { edges { node { id threshold below createdAt } } }
  }
}`;

/** Runs a mutation with `input`, answering its payload or throwing the typed error it answered. */
async function mutate<T = { replayed?: boolean }>(name: string, input: Record<string, unknown>, payload = "replayed"): Promise<T> {
  const type = `${name[0]!.toUpperCase()}${name.slice(1)}`;
  const answer = await graphql<Record<string, never>>(
    `mutation Console${type}($input: ${type}Input!) { ${name}(input: $input) { __typename ... on Error { message code } ... on ${type}Payload { ${payload} } } }`,
    { input },
  );
  return payloadOf<T>(answer, name);
}

const replayNote = (result: { replayed?: boolean }) => (result.replayed ? " (already done earlier with this key: nothing new)" : "");

function actionCards(wallet: ActionWallet, done: (said: string) => void): HTMLElement[] {
  const money = (minor: string) => `${formatMoney(minor, wallet.scale)} ${wallet.currency}`;
  const amountOf = (data: FormData, name: string, label: string, positive = true): string => {
    const text = String(data.get(name) ?? "");
    const minor = parseAmount(text, wallet.scale);
    if (minor === null)
      throw new Error(`${label}: enter an amount such as ${formatMoney("1250", wallet.scale)} (at most ${wallet.scale} decimals).`);
    if (positive && BigInt(minor) <= 0n) throw new Error(`${label}: enter an amount above zero.`);
    return minor;
  };
  /** Reads a form into a plan, or the reason it cannot be one. */
  const planned = (build: (data: FormData) => Plan) => (data: FormData) => {
    try {
      return build(data);
    } catch (error) {
      return (error as Error).message;
    }
  };
  const text = (data: FormData, name: string) => String(data.get(name) ?? "").trim() || undefined;

  const grant = actionForm({
    title: "Grant credits",
    fields: [
      field("Amount", { name: "amount", inputmode: "decimal", required: true, placeholder: "25.00" }),
      field("Category", { name: "category", value: "granted", required: true }),
      field("Expires on (UTC, optional)", { name: "expiresOn", ...DAY_INPUT }),
      field("Description (optional)", { name: "description" }),
    ],
    plan: planned((data) => {
      const amount = amountOf(data, "amount", "Amount");
      const category = text(data, "category") ?? "granted";
      const expiresOn = text(data, "expiresOn");
      const expiresAt = expiresOn ? `${expiresOn}T00:00:00.000Z` : undefined;
      return {
        summary: [
          `Add ${money(amount)} of ${category} credits to this wallet, free of charge.`,
          expiresAt ? `They expire at ${when(expiresAt)}.` : "They do not expire.",
        ],
        run: async (idempotencyKey) => {
          const result = await mutate("deposit", {
            walletId: wallet.id,
            amount,
            category,
            expiresAt,
            description: text(data, "description"),
            idempotencyKey,
          });
          return `Granted ${money(amount)} of ${category} credits${replayNote(result)}.`;
        },
      };
    }),
    done,
  });

  const voiding = actionForm({
    title: "Void credits",
    fields: [field("Amount", { name: "amount", inputmode: "decimal", required: true }), field("Reason (optional)", { name: "reason" })],
    plan: planned((data) => {
      const amount = amountOf(data, "amount", "Amount");
      return {
        summary: [`Remove ${money(amount)} of this wallet's available credits for good (a void entry in the ledger).`],
        run: async (idempotencyKey) => {
          const result = await mutate("void", { walletId: wallet.id, amount, reason: text(data, "reason"), idempotencyKey });
          return `Voided ${money(amount)}${replayNote(result)}.`;
        },
      };
    }),
    done,
  });

  const holdLabel = (hold: ActionWallet["holds"][number]) =>
    `${money(hold.amount)}${hold.reference ? ` · ${hold.reference}` : ""}${hold.description ? ` · ${hold.description}` : ""}`;
  const release =
    wallet.holds.length === 0
      ? h("div", { class: "action-card" }, h("h3", {}, "Release a hold"), h("p", { class: "empty" }, "No open holds to release."))
      : actionForm({
          title: "Release a hold",
          fields: [
            h(
              "label",
              {},
              "Hold",
              h(
                "select",
                { name: "hold", required: true },
                ...wallet.holds.map((hold) => h("option", { value: hold.id }, holdLabel(hold))),
              ),
            ),
          ],
          plan: planned((data) => {
            const hold = wallet.holds.find((open) => open.id === data.get("hold"));
            if (!hold) throw new Error("Choose a hold.");
            return {
              summary: [`Release the hold of ${holdLabel(hold)}: its ${money(hold.amount)} become available again, nothing is spent.`],
              run: async (idempotencyKey) => {
                const result = await mutate("releaseHold", { holdId: hold.id, idempotencyKey });
                return `Released the hold of ${money(hold.amount)}${replayNote(result)}.`;
              },
            };
          }),
          done,
        });

  const card = wallet.customer.paymentMethod;
  const cardName = card ? `${card.brand ?? "card"} ending ${card.last4 ?? "?"}` : null;
  const topUp = actionForm({
    title: "Top up",
    fields: [
      h(
        "p",
        { class: "note" },
        cardName ? `Charges the customer's ${cardName} through Stripe.` : "The customer has no card on file: a top-up will be refused.",
      ),
      field("Amount", { name: "amount", inputmode: "decimal", required: true, placeholder: "20.00" }),
    ],
    plan: planned((data) => {
      const amount = amountOf(data, "amount", "Amount");
      return {
        summary: [
          `Charge ${cardName ? `the customer's ${cardName}` : "the customer's card"} for ${money(amount)} through Stripe.`,
          `Add ${money(amount)} of paid credits once the charge succeeds.`,
        ],
        run: async (idempotencyKey) => {
          const result = await mutate("topUp", { walletId: wallet.id, amount, idempotencyKey });
          return `Topped up ${money(amount)}${replayNote(result)}.`;
        },
      };
    }),
    done,
  });

  const rule = wallet.autoTopUp;
  const ruleNow = rule
    ? `Now: below ${money(rule.threshold)}, ${rule.amount ? `add ${money(rule.amount)}` : `top up to ${money(rule.targetBalance!)}`}${rule.paused ? ` (paused: ${rule.pausedReason ?? "gave up"})` : ""}.`
    : "Now: no rule.";
  const autoTopUp = actionForm({
    title: "Auto top-up rule",
    fields: [
      h("p", { class: "note", "data-testid": "auto-top-up-now" }, ruleNow),
      field("When available falls below", {
        name: "threshold",
        inputmode: "decimal",
        value: rule ? plainDecimal(rule.threshold, wallet.scale) : "",
      }),
      h(
        "label",
        {},
        "Each time",
        h(
          "select",
          { name: "kind" },
          h("option", { value: "amount", selected: !rule?.targetBalance }, "add this amount"),
          h("option", { value: "targetBalance", selected: Boolean(rule?.targetBalance) }, "top up to this balance"),
        ),
      ),
      field("Amount", {
        name: "amount",
        inputmode: "decimal",
        value: rule ? plainDecimal(rule.amount ?? rule.targetBalance!, wallet.scale) : "",
      }),
      h("label", { class: "inline" }, h("input", { type: "checkbox", name: "remove" }), "Remove the rule"),
    ],
    plan: planned((data) => {
      if (data.get("remove") === "on") {
        if (!rule) throw new Error("There is no rule to remove.");
        return {
          summary: ["Remove the auto top-up rule: the card is no longer charged when credits run low."],
          run: async (idempotencyKey) => {
            const result = await mutate("updateWallet", { walletId: wallet.id, autoTopUp: null, idempotencyKey });
            return `Removed the auto top-up rule${replayNote(result)}.`;
          },
        };
      }
      const threshold = amountOf(data, "threshold", "Threshold", false);
      const amount = amountOf(data, "amount", "Amount");
      const kind = data.get("kind") === "targetBalance" ? "targetBalance" : "amount";
      return {
        summary: [
          `When available credits fall below ${money(threshold)}, charge the customer's card through Stripe and ${kind === "amount" ? `add ${money(amount)}` : `bring them back to ${money(amount)}`}.`,
          rule ? "This replaces the current rule (and resumes it if paused)." : "The wallet has no rule yet.",
        ],
        run: async (idempotencyKey) => {
          const result = await mutate("updateWallet", { walletId: wallet.id, autoTopUp: { threshold, [kind]: amount }, idempotencyKey });
          return `Saved the auto top-up rule${replayNote(result)}.`;
        },
      };
    }),
    done,
  });

  const alerts = wallet.balanceAlerts.edges.map((edge) => edge.node);
  const alertList = table<(typeof alerts)[number]>(
    "Balance alerts",
    [
      { label: "Threshold", cell: (alert) => money(alert.threshold), numeric: true },
      { label: "State", cell: (alert) => (alert.below ? "fired (at or below)" : "armed") },
      { label: "Since", cell: (alert) => when(alert.createdAt) },
      {
        label: "",
        cell: (alert) =>
          actionForm({
            title: `Remove the alert at ${money(alert.threshold)}`,
            review: "Remove…",
            compact: true,
            fields: [],
            plan: () => ({
              summary: [`Remove the balance alert at ${money(alert.threshold)}: balance.below_threshold no longer fires for it.`],
              // Removing is idempotent by itself: removing again answers the removed alert.
              run: async () => {
                await mutate("deleteBalanceAlert", { id: alert.id }, "balanceAlert { id }");
                return `Removed the alert at ${money(alert.threshold)}.`;
              },
            }),
            done,
          }),
      },
    ],
    alerts,
    "No balance alerts.",
  );
  const newAlert = actionForm({
    title: "Add a balance alert",
    fields: [field("Alert at or below", { name: "threshold", inputmode: "decimal", required: true })],
    plan: planned((data) => {
      const threshold = amountOf(data, "threshold", "Threshold", false);
      return {
        summary: [`Fire balance.below_threshold (events and webhooks) when available credits reach ${money(threshold)} or less.`],
        run: async (idempotencyKey) => {
          const result = await mutate("createBalanceAlert", { walletId: wallet.id, threshold, idempotencyKey }, "balanceAlert { id }");
          return `Added an alert at ${money(threshold)}${replayNote(result)}.`;
        },
      };
    }),
    done,
  });

  return [
    h("div", { class: "action-grid" }, grant, voiding, release, topUp),
    h(
      "div",
      { class: "action-grid" },
      autoTopUp,
      h("div", { class: "action-card alerts" }, h("h3", {}, "Balance alerts"), alertList, newAlert),
    ),
  ];
}

/**
 * The wallet's actions, for tokens that may act (nothing for read and customer tokens). `changed`
 * is told after each action, for the rest of the view to read the wallet again.
 */
export function walletActions(walletId: string, changed: () => void): HTMLElement {
  // What the last action did, kept above the cards, which are rebuilt from the wallet after it.
  const notice = h("p", { class: "done", role: "status", "data-testid": "action-done" });
  const actions = section("Actions", "actions", notice);
  actions.element.hidden = true;
  const show = (): Promise<void> =>
    actions.load(async () => {
      const { viewer, wallet } = await graphql<{ viewer: { role: string }; wallet: ActionWallet | null }>(ACTION_WALLET, { id: walletId });
      actions.element.hidden = !wallet || !ACTING_ROLES.has(viewer.role);
      if (!wallet || actions.element.hidden) return [];
      if (wallet.status === "terminated") return [h("p", { class: "empty" }, "The wallet is terminated: nothing more can be done to it.")];
      return actionCards(wallet, (said) => {
        notice.textContent = said;
        changed();
        void show();
      });
    });
  void show();
  return actions.element;
}

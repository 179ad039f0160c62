// The Wren credits API (wren-credits-api.txt, wren-quickstart.txt): balance, ledger and top-up of
// a USD wallet. A team token uses the tenant's team wallet (customer `__team__`), a personal token
// its customer's. Test tokens (…_test_…) get Wren's documented canned answers (its sandbox), after
// the same validation as live ones, each marked with a Billing-Gateway-Notice header (test-mode.ts).
import {
  authorize,
  type LedgerEntry,
  type Wallet,
  walletBalance,
  ensureCustomerWallet,
  TEAM_CUSTOMER,
  countLedgerEntries,
  findCustomerById,
  findCustomerWallet,
  listLedgerEntries,
  MAX_OFFSET,
} from "../../ledger/index.ts";
import { topUp as chargeTopUp } from "../../payments/top-up.ts";
import { z } from "zod";
import { described, pageNumber, wholeAmount } from "../fields.ts";
import { jsonResponse } from "../json.ts";
import { requestBody, restRoute, type RestCall, type VendorApi } from "../router.ts";
import { CANNED_BALANCE_CENTS, CANNED_HEADERS, cannedLedger, cannedTopUp } from "./test-mode.ts";
import { wrenFailure } from "./errors.ts";
import { wrenAnswers, WrenLedgerEntry } from "./schemas.ts";

export { TEAM_CUSTOMER };
const WREN_TYPES: LedgerEntry["type"][] = ["increment", "decrement", "capture", "refund", "void", "amendment", "expiration"];

async function creditWalletOwner({ ledger, viewer }: RestCall): Promise<string> {
  return viewer.customerId ? (await findCustomerById(ledger, viewer, viewer.customerId))!.externalId : TEAM_CUSTOMER;
}

/** The wallet to charge, opened on first use. */
async function creditWallet(call: RestCall): Promise<Wallet> {
  return ensureCustomerWallet(call.ledger, {
    scope: call.viewer,
    customer: { externalId: await creditWalletOwner(call) },
    currency: "USD",
  });
}

/** The wallet to read; null before its first top-up (reading opens nothing). */
async function existingCreditWallet(call: RestCall): Promise<Wallet | null> {
  return findCustomerWallet(call.ledger, call.viewer, await creditWalletOwner(call), "USD");
}

async function balance(call: RestCall): Promise<Response> {
  if (!call.viewer.livemode) return jsonResponse({ creditBalanceUsdCents: CANNED_BALANCE_CENTS }, 200, CANNED_HEADERS);
  const wallet = await existingCreditWallet(call);
  return jsonResponse({ creditBalanceUsdCents: wallet ? (await walletBalance(call.ledger, call.viewer, wallet.id)).available : 0n });
}

function wrenEntry(entry: LedgerEntry) {
  const metadata = (entry.metadata ?? {}) as Record<string, unknown>;
  const type = entry.type === "refund" ? "refund" : entry.amount >= 0n ? "top_up" : "deduction";
  return {
    id: entry.id,
    amount_usd_cents: entry.amount,
    type,
    order_group_id: type === "top_up" ? null : entry.reference,
    stripe_charge_id: typeof metadata.stripe_charge_id === "string" ? metadata.stripe_charge_id : null,
    created_at: entry.createdAt.toISOString(),
  };
}

async function ledgerEntries(call: RestCall, limit: number, offset: number): Promise<Response> {
  if (!call.viewer.livemode) return jsonResponse(cannedLedger(limit, offset), 200, CANNED_HEADERS);
  const wallet = await existingCreditWallet(call);
  if (!wallet) return jsonResponse({ entries: [], total: 0, limit, offset });
  // Holds are reservations, not movements: Wren's ledger shows what was added, spent and refunded.
  const page = await listLedgerEntries(call.ledger, call.viewer, wallet.id, { types: WREN_TYPES, limit, offset });
  const total = await countLedgerEntries(call.ledger, call.viewer, wallet.id, WREN_TYPES);
  return jsonResponse({ entries: page.items.map(wrenEntry), total, limit, offset });
}

async function topUp(call: RestCall, amount: bigint): Promise<Response> {
  // The canned answer moves no money, but a token that may not pay must not be told it did.
  if (!call.viewer.livemode) {
    authorize(call.viewer, "pay");
    return jsonResponse(cannedTopUp(amount), 200, CANNED_HEADERS);
  }
  const wallet = await creditWallet(call);
  const result = await chargeTopUp(call, {
    scope: call.viewer,
    walletId: wallet.id,
    amount,
    idempotencyKey: call.request.headers.get("idempotency-key"),
  });
  const chargeId = (result.entries.at(-1)?.metadata as { stripe_charge_id?: string } | null)?.stripe_charge_id ?? result.operation.id;
  // The balance the top-up left, also when a repeated key answers it.
  const balance = result.balance ?? (await walletBalance(call.ledger, call.viewer, wallet.id));
  return jsonResponse({ amountCharged: amount, id: chargeId, creditBalance: balance.available });
}

// A JSON number is read exactly; a form sends digits as text.
const topUpBody = requestBody(
  {
    amountInUsdCents: described(
      "US cents to charge and credit, at least 100 ($1.00)",
      wholeAmount({
        required: "must be a positive integer",
        digits: 15,
        minimum: { amount: 100n, message: "must be at least 100 ($1.00)" },
      }),
    ),
  },
  { form: true },
);

export const wrenApi: VendorApi = {
  routes: [
    restRoute({
      method: "GET",
      path: "/api/credits/balance",
      summary: "Credit balance (test tokens: Wren's canned $1,000.00, marked by a Billing-Gateway-Notice header)",
      responses: wrenAnswers.ok("WrenBalance", z.object({ creditBalanceUsdCents: z.int() })),
      handle: balance,
    }),
    restRoute({
      method: "GET",
      path: "/api/credits/ledger",
      summary: "Credit ledger, newest first (test tokens: Wren's canned sample, marked by a Billing-Gateway-Notice header)",
      query: { limit: pageNumber({ fallback: 50, min: 1, max: 200 }), offset: pageNumber({ fallback: 0, min: 0, max: MAX_OFFSET }) },
      responses: wrenAnswers.ok(
        "WrenLedgerPage",
        z.object({ entries: z.array(WrenLedgerEntry), total: z.int(), limit: z.int(), offset: z.int() }),
      ),
      handle: (call, { query }) => ledgerEntries(call, query.limit, query.offset),
    }),
    restRoute({
      method: "POST",
      path: "/api/credits/top-up",
      summary:
        "Top up credits, charging the saved card (test tokens: a canned answer that charges nothing, marked by a Billing-Gateway-Notice header)",
      body: topUpBody,
      responses: wrenAnswers.ok("WrenTopUp", z.object({ amountCharged: z.int(), id: z.string(), creditBalance: z.int() })),
      handle: (call, { body }) => topUp(call, body.amountInUsdCents),
    }),
  ],
  unauthenticated: (failure) => jsonResponse({ error: failure === "missing" ? "Missing authentication" : "Invalid authentication" }, 403),
  failure: wrenFailure,
};

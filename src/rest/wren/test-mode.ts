// Wren's test mode is stateless: every request sees the same canned balance and ledger, and a
// top-up answers as if charged, without calling Stripe. This is Wren's documented sandbox
// (wren-credits-api.txt, "Test mode"; wren-quickstart.txt: "Balance shows $1,000.00 no matter
// what I do — you're on a test token"), kept so that clients written against Wren's sandbox see
// what they expect. GraphQL and the other REST families show a test token's real (test-mode)
// ledger, so every canned answer says so in a header: nobody takes these figures for the ledger's.

/** The header every canned answer carries, and what it says. */
export const CANNED_NOTICE_HEADER = "billing-gateway-notice";
export const CANNED_NOTICE =
  "Wren test mode: canned figures, as Wren's sandbox answers test tokens (nothing is read, charged or written); GraphQL and the other REST families show this token's real test-mode ledger; use a live token for real Wren figures";

/** The headers of a canned answer. */
export const CANNED_HEADERS = { [CANNED_NOTICE_HEADER]: CANNED_NOTICE };

export const CANNED_BALANCE_CENTS = 100_000n;

const CANNED_ENTRIES = [
  {
    id: "test_le_3",
    amount_usd_cents: -1_250n,
    type: "deduction",
    order_group_id: "test_oo_2",
    stripe_charge_id: null,
    created_at: "2024-01-03T12:00:00.000Z",
  },
  {
    id: "test_le_2",
    amount_usd_cents: -750n,
    type: "deduction",
    order_group_id: "test_oo_1",
    stripe_charge_id: null,
    created_at: "2024-01-02T12:00:00.000Z",
  },
  {
    id: "test_le_1",
    amount_usd_cents: 102_000n,
    type: "top_up",
    order_group_id: null,
    stripe_charge_id: "ch_test_canned",
    created_at: "2024-01-01T12:00:00.000Z",
  },
];

export function cannedLedger(limit: number, offset: number) {
  return { entries: CANNED_ENTRIES.slice(offset, offset + limit), total: CANNED_ENTRIES.length, limit, offset };
}

export function cannedTopUp(amount: bigint) {
  return { amountCharged: amount, id: "ch_test_canned", creditBalance: CANNED_BALANCE_CENTS };
}

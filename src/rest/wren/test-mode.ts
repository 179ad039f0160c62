// Wren's test mode is stateless: every request sees the same canned balance and ledger, and a
// top-up answers as if charged, without calling Stripe.

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

// Commerce billing wallets hold credits; money is credits × the wallet's `rate_amount`. The ledger
// keeps the credits exactly, in millionths (unit BILLING_CREDITS, scale 6), and the wallet's
// commerce settings (currency, rate, rules) in its metadata.
import { type LedgerEntry, type Operation, type Wallet, type WalletBalance, formatMinorUnits } from "../../ledger/index.ts";
import { valueOf } from "../../payments/pricing.ts";
import { CREDIT_SCALE, pricingOf, settingsOf, type CommerceSettings } from "../../payments/commerce-settings.ts";

// The settings as kept on the wallet (payments/commerce-settings.ts), named here too for the shim's files.
export { CREDIT_SCALE, CREDIT_UNIT, pricingOf, settingsOf, type CommerceSettings } from "../../payments/commerce-settings.ts";

export function credits(amount: bigint): string {
  return formatMinorUnits(amount, CREDIT_SCALE).replace(/\.?0+$/, "") || "0";
}

/** credits × rate, in the currency's major units, rounded as every charge is (payments/pricing.ts). */
export function money(amount: bigint, settings: CommerceSettings) {
  return { value: valueOf(amount, pricingOf(settings)), currency_code: settings.currency_code };
}

export function walletResource(wallet: Wallet & { customer: { externalId: string } }, balance: WalletBalance) {
  const settings = settingsOf(wallet);
  // Holds are usage not yet settled: "ongoing usage". Available counts them, net does not.
  const available = balance.available + balance.frozen;
  return {
    id: wallet.id,
    external_customer_id: wallet.customer.externalId,
    status: wallet.status === "active" ? "ACTIVE" : "TERMINATED",
    name: wallet.name,
    currency: settings.currency_code,
    rate_amount: settings.rate_amount,
    available_balance: money(available, settings),
    ongoing_usage: money(balance.frozen, settings),
    net_balance: money(balance.available, settings),
    available_credits: credits(available),
    consumed_credits: credits(balance.used),
    ongoing_usage_credits: credits(balance.frozen),
    net_balance_credits: credits(balance.available),
    created_at: wallet.createdAt.toISOString(),
    terminated_at: wallet.terminatedAt?.toISOString() ?? null,
    applies_to: settings.applies_to,
    expiration_at: settings.expiration_at,
    recurring_transaction_rules: settings.recurring_transaction_rules,
  };
}

export function transactionResource(operation: Operation & { ledgerEntries: LedgerEntry[] }, wallet: Wallet, category: string | null) {
  const settings = settingsOf(wallet);
  const moved = operation.ledgerEntries.reduce((sum, entry) => sum + entry.amount, 0n);
  const magnitude = moved < 0n ? -moved : moved;
  const status =
    operation.type === "deposit" ? (category === "paid" ? "PURCHASED" : "GRANTED") : operation.type === "void" ? "VOIDED" : "INVOICED";
  const metadata = (operation.ledgerEntries[0]?.metadata ?? {}) as Record<string, unknown>;
  return {
    wallet_transaction_id: operation.id,
    wallet_id: wallet.id,
    payment_status: "SETTLED",
    source: metadata.top_up_trigger === "auto" ? "THRESHOLD" : metadata.top_up_trigger === "interval" ? "INTERVAL" : "MANUAL",
    transaction_status: status,
    transaction_type: operation.type === "deposit" ? "INBOUND" : "OUTBOUND",
    amount: money(magnitude, settings),
    credits: credits(magnitude),
    settled_at: operation.createdAt.toISOString(),
    failed_at: null,
    created_at: operation.createdAt.toISOString(),
    metadata: Object.entries(metadata).map(([key, value]) => ({ key, value: String(value) })),
  };
}

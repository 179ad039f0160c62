// The ledger's public surface: what every module outside src/ledger may use (payments may also use
// extension.ts, the commands' transaction and idempotency for top-ups). Everything else in this
// folder is how the ledger keeps its invariants, and may change. `npm run lint` holds the rule.

// Who may do what, and the context every command and query runs in.
export type { CommittedChange, LedgerContext, Scope } from "./context.ts";
export { DEFAULT_BALANCE_ALERTS_PER_WALLET, systemClock } from "./context.ts";
export { ROLES, allows, authorize, customersInScope, systemScope, walletsInScope, type Permission, type Role } from "./access.ts";

// Commands: every money movement and every change to a wallet. Each says what it fails with.
export { createWallet } from "./commands/create-wallet.ts";
export { ensureCustomerWallet } from "./commands/ensure-customer-wallet.ts";
export { deposit, validDeposit } from "./commands/deposit.ts";
export { debit } from "./commands/debit.ts";
export { DebitBatches, DEFAULT_DEBIT_BATCH_LIMITS, type DebitBatchLimits } from "./debit-batches.ts";
export { holdCredits } from "./commands/hold.ts";
export { captureHold, releaseHold } from "./commands/resolve-hold.ts";
export { voidCredits } from "./commands/void-credits.ts";
export { refund } from "./commands/refund.ts";
export { amendBlock } from "./commands/amend-block.ts";
export { changeBlockExpiry } from "./commands/change-block-expiry.ts";
export { terminateWallet } from "./commands/terminate-wallet.ts";
export { updateCustomer } from "./commands/update-customer.ts";
export { expireCredits } from "./commands/expire-credits.ts";
export type { LedgerResult } from "./wallet-ledger.ts";

// Queries: what a scope may see, at a cost that follows what they return.
export {
  MAX_OFFSET,
  countLedgerEntries,
  findCustomer,
  findCustomerById,
  findCustomerWallet,
  findOperationByIdempotencyKey,
  getCreditBlocks,
  getOperationResult,
  getWallet,
  ledgerEntryCount,
  listCreditBlocks,
  listDepositReversals,
  listLedgerEntries,
  listOperations,
  listWallets,
  type EntryFilter,
} from "./queries.ts";
export { countWalletEntries, ledgerEntryPages, type WalletEntryFilter, type WalletEntryPage } from "./entry-pages.ts";
export {
  balanceForFeature,
  balancesByFeature,
  walletBalance,
  walletBalances,
  type BalanceFigures,
  type CategoryBalance,
  type FeatureBalance,
  type WalletBalance,
} from "./balances.ts";
export { previewDebit, type DebitPreview, type PreviewDebitInput } from "./preview-debit.ts";
export { setConsumptionOrder, type SetConsumptionOrderInput } from "./commands/set-consumption-order.ts";
export { verifyLedger } from "./verify.ts";

// Events: the log every committed change writes, balance alerts, and the feed that wakes subscribers.
export { listEvents, watchWalletEvents } from "./event-queries.ts";
export { EVENT_TYPES, type EventBalance, type EventType, type LoggedEvent } from "./events.ts";
export { createBalanceAlert, deleteBalanceAlert, listBalanceAlerts } from "./balance-alerts.ts";
export { createInProcessEventFeed, WalletWatchers, type EventFeed } from "./event-feed.ts";

// The rows the ledger answers with, and their enumerations.
export type { CreditBlock, Customer, Hold, LedgerEntry, Operation, Wallet } from "../db/generated/client.ts";
export {
  ApiTokenRole,
  ConsumptionOrder,
  CreditBlockStatus,
  HoldStatus,
  LedgerEntryStatus,
  LedgerEntryType,
  OperationType,
  WalletStatus,
} from "../db/generated/enums.ts";

// Errors a caller can handle; each transport maps them once.
export * from "./errors.ts";

// Reading input the way the ledger does: money, dates, text, customers.
export { currencyScale, decimalToMinorUnits, formatMinorUnits, isoMinorUnit, parseMinorUnits, requirePositive } from "./money.ts";
export { parseIsoDateTime } from "./dates.ts";
export { requireId, requiredText, storableText, validText } from "./input.ts";
export { TEAM_CUSTOMER, upsertCustomer, validCustomer } from "./customers.ts";

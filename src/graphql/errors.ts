// The errors a client can handle, as GraphQL types: each LedgerError class becomes an object
// type implementing `Error`, and each mutation lists the ones it can return in its result union.
import {
  BlockNotUsableError,
  CaptureExceedsHoldError,
  ForbiddenError,
  HoldNotOpenError,
  IdempotencyConflictError,
  InsufficientCreditsError,
  LedgerError,
  LimitExceededError,
  NotFoundError,
  RefundExceedsDebitError,
  ValidationError,
  WalletExistsError,
  WalletTerminatedError,
  type ValidationIssue,
} from "../ledger/index.ts";
import { PaymentFailedError, PaymentPendingError, PaymentsNotConfiguredError } from "../payments/errors.ts";
import { builder } from "./builder.ts";

const ErrorInterface = builder.interfaceRef<LedgerError>("Error").implement({
  description: "A failure the client can act on. Nothing was written.",
  fields: (t) => ({
    message: t.exposeString("message"),
    code: t.exposeString("code", { description: "Stable machine-readable code, e.g. INSUFFICIENT_CREDITS." }),
  }),
});

const FieldIssue = builder.objectRef<ValidationIssue>("FieldIssue").implement({
  fields: (t) => ({
    path: t.exposeStringList("path", { description: "Path of the offending input field." }),
    message: t.exposeString("message"),
  }),
});

builder.objectType(ValidationError, {
  name: "ValidationError",
  interfaces: [ErrorInterface],
  fields: (t) => ({ fields: t.field({ type: [FieldIssue], resolve: (error) => error.issues }) }),
});

builder.objectType(NotFoundError, {
  name: "NotFoundError",
  interfaces: [ErrorInterface],
  fields: (t) => ({ resource: t.exposeString("resource") }),
});

builder.objectType(ForbiddenError, {
  name: "ForbiddenError",
  description: "The token's role does not allow this: read tokens only read, and a customer's token only spends.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ role: t.exposeString("role"), permission: t.exposeString("permission") }),
});

builder.objectType(InsufficientCreditsError, {
  name: "InsufficientCreditsError",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    requested: t.field({ type: "Money", resolve: (error) => error.requested }),
    available: t.field({ type: "Money", resolve: (error) => error.available }),
    feature: t.string({
      nullable: true,
      description: "The feature the credits were for: available counts only the blocks that apply to it.",
      resolve: (error) => error.feature,
    }),
  }),
});

builder.objectType(WalletTerminatedError, { name: "WalletTerminatedError", interfaces: [ErrorInterface], fields: () => ({}) });
builder.objectType(IdempotencyConflictError, {
  name: "IdempotencyConflictError",
  interfaces: [ErrorInterface],
  fields: (t) => ({ idempotencyKey: t.exposeString("idempotencyKey") }),
});
builder.objectType(HoldNotOpenError, {
  name: "HoldNotOpenError",
  interfaces: [ErrorInterface],
  fields: (t) => ({ status: t.exposeString("status") }),
});
builder.objectType(CaptureExceedsHoldError, {
  name: "CaptureExceedsHoldError",
  interfaces: [ErrorInterface],
  fields: (t) => ({ held: t.field({ type: "Money", resolve: (error) => error.held }) }),
});
builder.objectType(RefundExceedsDebitError, {
  name: "RefundExceedsDebitError",
  interfaces: [ErrorInterface],
  fields: (t) => ({ refundable: t.field({ type: "Money", resolve: (error) => error.refundable }) }),
});
builder.objectType(WalletExistsError, {
  name: "WalletExistsError",
  description:
    "The customer already has an active wallet in this currency under this name (or without a name): name the new one distinctly, or use that one.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    walletId: t.globalID({ description: "The existing wallet.", resolve: (error) => ({ type: "Wallet", id: error.walletId }) }),
  }),
});
builder.objectType(LimitExceededError, {
  name: "LimitExceededError",
  description:
    "A per-caller bound is reached (e.g. BALANCE_ALERTS_PER_WALLET): nothing was added; remove one of what is counted to add another.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    resource: t.exposeString("resource", { description: 'What is counted, e.g. "balance alerts per wallet".' }),
    limit: t.exposeInt("limit"),
  }),
});
builder.objectType(BlockNotUsableError, { name: "BlockNotUsableError", interfaces: [ErrorInterface], fields: () => ({}) });
builder.objectType(PaymentFailedError, {
  name: "PaymentFailedError",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    declineCode: t.exposeString("declineCode", { nullable: true }),
    stripeCode: t.exposeString("stripeCode", { nullable: true }),
  }),
});
builder.objectType(PaymentPendingError, {
  name: "PaymentPendingError",
  interfaces: [ErrorInterface],
  fields: (t) => ({ topUpId: t.exposeID("topUpId") }),
});
builder.objectType(PaymentsNotConfiguredError, { name: "PaymentsNotConfiguredError", interfaces: [ErrorInterface], fields: () => ({}) });

/** What every mutation on a wallet can fail with. */
export const COMMON_ERRORS = [ValidationError, NotFoundError, ForbiddenError, IdempotencyConflictError, WalletTerminatedError];
/** Opening or renaming a wallet: also WalletExistsError. */
export const WALLET_ERRORS = [...COMMON_ERRORS, WalletExistsError];
export const SPEND_ERRORS = [...COMMON_ERRORS, InsufficientCreditsError];
export const HOLD_ERRORS = [...COMMON_ERRORS, HoldNotOpenError, CaptureExceedsHoldError];
export const BLOCK_ERRORS = [...SPEND_ERRORS, BlockNotUsableError];
export const REFUND_ERRORS = [...COMMON_ERRORS, RefundExceedsDebitError];
export const PAYMENT_ERRORS = [...COMMON_ERRORS, PaymentFailedError, PaymentPendingError, PaymentsNotConfiguredError];
/** Adding to something counted per caller (a wallet's balance alerts): also LimitExceededError. */
export const BOUNDED_ERRORS = [...COMMON_ERRORS, LimitExceededError];

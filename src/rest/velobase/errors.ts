// Customer deposit API errors: an HTTP status and `{ error: { message, type, code } }`.
import {
  CaptureExceedsHoldError,
  ForbiddenError,
  HoldNotOpenError,
  IdempotencyConflictError,
  InsufficientCreditsError,
  LedgerError,
  NotFoundError,
  ValidationError,
  WalletTerminatedError,
} from "../../ledger/index.ts";
import { EdgeError } from "../../http/errors.ts";
import { jsonResponse, MalformedBodyError } from "../json.ts";
import { log } from "../../observability/logger.ts";

export function velobaseError(status: number, type: string, code: string, message: string): Response {
  return jsonResponse({ error: { message, type, code } }, status);
}

export class CustomerNotFoundError extends NotFoundError {}

export function velobaseFailure(error: unknown): Response {
  if (error instanceof EdgeError) {
    const type = error.status === 429 ? "rate_limit_error" : error.status >= 500 ? "api_error" : "bad_request";
    return velobaseError(error.status, type, error.code.toLowerCase(), error.message);
  }
  if (error instanceof MalformedBodyError) return velobaseError(400, "bad_request", "invalid_request", error.message);
  if (error instanceof ValidationError) return velobaseError(400, "bad_request", "invalid_parameter", error.message);
  if (error instanceof InsufficientCreditsError) return velobaseError(400, "bad_request", "insufficient_balance", "insufficient balance");
  if (error instanceof ForbiddenError) return velobaseError(403, "permission_error", "forbidden", error.message);
  if (error instanceof CaptureExceedsHoldError) return velobaseError(400, "bad_request", "amount_exceeds_frozen", error.message);
  if (error instanceof IdempotencyConflictError) {
    return velobaseError(
      409,
      "conflict",
      "transaction_conflict",
      "this transaction_id or idempotency_key was already used for a different request",
    );
  }
  if (error instanceof HoldNotOpenError)
    return velobaseError(409, "conflict", "transaction_settled", `the transaction is already ${error.status}`);
  if (error instanceof WalletTerminatedError) return velobaseError(409, "conflict", "account_closed", error.message);
  if (error instanceof CustomerNotFoundError) return velobaseError(404, "not_found", "customer_not_found", "customer not found");
  if (error instanceof NotFoundError) return velobaseError(404, "not_found", `${error.resource.toLowerCase()}_not_found`, error.message);
  if (error instanceof LedgerError) return velobaseError(400, "bad_request", error.code.toLowerCase(), error.message);
  log().error({ err: error }, "unexpected error in the customer deposit API");
  return velobaseError(500, "api_error", "internal_error", "internal error");
}

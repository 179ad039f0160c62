// Orb's error responses: `{ status, type, title, detail }`, `type` a link to the error's kind.
import { BlockNotUsableError, ForbiddenError, IdempotencyConflictError, InsufficientCreditsError, LedgerError, NotFoundError, ValidationError, WalletTerminatedError } from "../../ledger/errors.ts";
import { jsonResponse, MalformedBodyError } from "../json.ts";

export function orbError(status: number, kind: string, title: string, detail: string, extra: Record<string, unknown> = {}): Response {
  return jsonResponse({ status, type: `https://docs.withorb.com/reference/error-responses#${kind}`, title, detail, ...extra }, status);
}

export function orbFailure(error: unknown): Response {
  if (error instanceof MalformedBodyError) return orbError(400, "400-request-validation-errors", "Request validation error", error.message);
  if (error instanceof ValidationError) {
    return orbError(400, "400-request-validation-errors", "Request validation error", error.message, {
      validation_errors: error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`),
    });
  }
  if (error instanceof InsufficientCreditsError || error instanceof BlockNotUsableError) return orbError(400, "400-constraint-violation", "Constraint violation", error.message);
  if (error instanceof NotFoundError) return orbError(404, "404-resource-not-found", "Resource not found", error.message);
  if (error instanceof ForbiddenError) return orbError(403, "403-forbidden", "Forbidden", error.message);
  if (error instanceof IdempotencyConflictError) return orbError(409, "409-idempotency-key-conflict", "Idempotency key conflict", error.message);
  if (error instanceof WalletTerminatedError) return orbError(400, "400-constraint-violation", "Constraint violation", error.message);
  if (error instanceof LedgerError) return orbError(400, "400-constraint-violation", "Constraint violation", error.message);
  console.error("unexpected error in the Orb credits API", error);
  return orbError(500, "500-internal-server-error", "Internal server error", "internal error");
}

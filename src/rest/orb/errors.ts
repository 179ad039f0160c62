// Orb's error responses: `{ status, type, title, detail }`, `type` a link to the error's kind.
import {
  BlockNotUsableError,
  ForbiddenError,
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

export function orbError(status: number, kind: string, title: string, detail: string, extra: Record<string, unknown> = {}): Response {
  return jsonResponse({ status, type: `https://docs.withorb.com/reference/error-responses#${kind}`, title, detail, ...extra }, status);
}

/** Orb's error kinds (the anchor of `type`) and titles for the failures the HTTP edge answers. */
const EDGE_KINDS: Record<number, [kind: string, title: string]> = {
  400: ["400-request-validation-errors", "Request validation error"],
  405: ["405-method-not-allowed", "Method not allowed"],
  413: ["413-request-too-large", "Request too large"],
  429: ["429-too-many-requests", "Too many requests"],
  503: ["503-service-unavailable", "Service unavailable"],
};

export function orbFailure(error: unknown): Response {
  if (error instanceof EdgeError) {
    const [kind, title] = EDGE_KINDS[error.status] ?? ["500-internal-server-error", "Internal server error"];
    return orbError(error.status, kind, title, error.message);
  }
  if (error instanceof MalformedBodyError) return orbError(400, "400-request-validation-errors", "Request validation error", error.message);
  if (error instanceof ValidationError) {
    return orbError(400, "400-request-validation-errors", "Request validation error", error.message, {
      validation_errors: error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`),
    });
  }
  if (error instanceof InsufficientCreditsError || error instanceof BlockNotUsableError)
    return orbError(400, "400-constraint-violation", "Constraint violation", error.message);
  if (error instanceof NotFoundError) return orbError(404, "404-resource-not-found", "Resource not found", error.message);
  if (error instanceof ForbiddenError) return orbError(403, "403-forbidden", "Forbidden", error.message);
  if (error instanceof IdempotencyConflictError)
    return orbError(409, "409-idempotency-key-conflict", "Idempotency key conflict", error.message);
  if (error instanceof WalletTerminatedError) return orbError(400, "400-constraint-violation", "Constraint violation", error.message);
  if (error instanceof LedgerError) return orbError(400, "400-constraint-violation", "Constraint violation", error.message);
  log().error({ err: error }, "unexpected error in the Orb credits API");
  return orbError(500, "500-internal-server-error", "Internal server error", "internal error");
}

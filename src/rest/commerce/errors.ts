// Commerce billing errors: `{ name, message, debug_id, details: [{ field, value, location, issue, description }] }`.
import { randomUUID } from "node:crypto";
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

export function commerceError(status: number, name: string, message: string, details: Record<string, unknown>[] = []): Response {
  return jsonResponse({ name, message, debug_id: randomUUID().replaceAll("-", "").slice(0, 13), details }, status);
}

/** The error names this API uses for the failures the HTTP edge answers. */
const EDGE_NAMES: Record<number, string> = {
  400: "INVALID_REQUEST",
  405: "METHOD_NOT_SUPPORTED",
  413: "REQUEST_ENTITY_TOO_LARGE",
  429: "RATE_LIMIT_REACHED",
  503: "SERVICE_UNAVAILABLE",
};

export function commerceFailure(error: unknown): Response {
  if (error instanceof EdgeError) {
    return commerceError(error.status, EDGE_NAMES[error.status] ?? "INTERNAL_SERVER_ERROR", error.message, [
      { issue: error.code, description: error.message },
    ]);
  }
  if (error instanceof MalformedBodyError)
    return commerceError(400, "INVALID_REQUEST", error.message, [
      { field: "/", location: "body", issue: "MALFORMED_REQUEST_JSON", description: error.message },
    ]);
  if (error instanceof ValidationError) {
    return commerceError(
      400,
      "INVALID_REQUEST",
      "Request is not well-formed, syntactically incorrect, or violates schema.",
      error.issues.map((issue) => ({
        field: `/${issue.path.join("/")}`,
        location: "body",
        issue: "INVALID_PARAMETER_VALUE",
        description: issue.message,
      })),
    );
  }
  if (error instanceof ForbiddenError)
    return commerceError(403, "NOT_AUTHORIZED", "Authorization failed due to insufficient permissions.", [
      { issue: "PERMISSION_DENIED", description: error.message },
    ]);
  if (error instanceof NotFoundError)
    return commerceError(404, "RESOURCE_NOT_FOUND", "The specified resource does not exist.", [
      { issue: "INVALID_RESOURCE_ID", description: error.message },
    ]);
  if (error instanceof InsufficientCreditsError || error instanceof BlockNotUsableError || error instanceof WalletTerminatedError) {
    return commerceError(422, "UNPROCESSABLE_ENTITY", "The requested action could not be performed.", [
      { issue: error.code, description: error.message },
    ]);
  }
  if (error instanceof IdempotencyConflictError) return commerceError(409, "DUPLICATE_REQUEST_ID", error.message);
  if (error instanceof LedgerError)
    return commerceError(422, "UNPROCESSABLE_ENTITY", error.message, [{ issue: error.code, description: error.message }]);
  log().error({ err: error }, "unexpected error in the commerce billing wallets API");
  return commerceError(500, "INTERNAL_SERVER_ERROR", "An internal server error occurred.");
}

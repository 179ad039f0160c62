// Wren's errors: 400 for validation and payment failures, 402 for insufficient credits, 403 for
// authentication; the body is `{ "error": "<message>" }`.
import { ForbiddenError, InsufficientCreditsError, LedgerError, NotFoundError, ValidationError } from "../../ledger/index.ts";
import { PaymentFailedError, PaymentPendingError, PaymentsNotConfiguredError } from "../../payments/errors.ts";
import { EdgeError } from "../../http/errors.ts";
import { jsonResponse, MalformedBodyError } from "../json.ts";
import { log } from "../../observability/logger.ts";

export function wrenFailure(error: unknown): Response {
  if (error instanceof EdgeError) return jsonResponse({ error: error.message }, error.status);
  if (error instanceof MalformedBodyError || error instanceof ValidationError) return jsonResponse({ error: error.message }, 400);
  if (error instanceof PaymentFailedError || error instanceof PaymentsNotConfiguredError)
    return jsonResponse({ error: `Payment failed: ${error.message}` }, 400);
  // Wren documents no status for "not known yet"; 400 with a message that says to ask again.
  if (error instanceof PaymentPendingError) return jsonResponse({ error: `Payment pending: ${error.message}` }, 400);
  if (error instanceof InsufficientCreditsError) return jsonResponse({ error: "Insufficient credits" }, 402);
  if (error instanceof ForbiddenError) return jsonResponse({ error: `Forbidden: ${error.message}` }, 403);
  if (error instanceof NotFoundError) return jsonResponse({ error: error.message }, 404);
  if (error instanceof LedgerError) return jsonResponse({ error: error.message }, 400);
  log().error({ err: error }, "unexpected error in the Wren credits API");
  return jsonResponse({ error: "Internal error" }, 500);
}

import { LedgerError } from "../ledger/errors.ts";

/** The tenant has as many webhook endpoints in this mode as WEBHOOK_ENDPOINTS_PER_TENANT allows: delete one first. */
export class WebhookEndpointLimitError extends LedgerError {
  readonly code = "WEBHOOK_ENDPOINT_LIMIT";
  constructor(readonly limit: number) {
    super(`a tenant may have at most ${limit} webhook endpoints in each mode: delete one before creating another`);
  }
}

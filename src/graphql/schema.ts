import { builder } from "./builder.ts";
import "./scalars.ts";
import "./errors.ts";
import "./types/enums.ts";
import "./types/balance.ts";
import "./types/wallet.ts";
import "./types/customer.ts";
import "./types/credit-block.ts";
import "./types/ledger-entry.ts";
import "./types/hold.ts";
import "./types/top-up.ts";
import "./types/api-token.ts";
import "./types/webhook-endpoint.ts";
import "./types/balance-alert.ts";
import "./types/event.ts";
import "./types/debit-preview.ts";
import "./types/queries.ts";
import "./mutations/wallets.ts";
import "./mutations/movements.ts";
import "./mutations/holds.ts";
import "./mutations/payments.ts";
import "./mutations/api-tokens.ts";
import "./mutations/webhooks.ts";
import "./mutations/balance-alerts.ts";
import "./mutations/customers.ts";

builder.mutationType({});

export const schema = builder.toSchema({ sortSchema: true });

// The REST shim described as OpenAPI 3.1, served at GET /openapi.json. A test sends real
// requests and validates every response against the schema documented here.

type Schema = Record<string, unknown>;

const string = { type: "string" };
const nullableString = { type: ["string", "null"] };
const integer = { type: "integer" };
const number = { type: "number" };
const boolean = { type: "boolean" };
const dateTime = { type: "string", format: "date-time" };
const nullableDateTime = { type: ["string", "null"], format: "date-time" };
const object = (properties: Record<string, Schema>, required = Object.keys(properties)): Schema => ({ type: "object", properties, required });
const array = (items: Schema): Schema => ({ type: "array", items });
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const money = object({ value: string, currency_code: string });

const schemas: Record<string, Schema> = {
  WrenError: object({ error: string }),
  WrenLedgerEntry: object({
    id: string,
    amount_usd_cents: integer,
    type: { enum: ["top_up", "deduction", "refund"] },
    order_group_id: nullableString,
    stripe_charge_id: nullableString,
    created_at: dateTime,
  }),
  DepositError: object({ error: object({ message: string, type: string, code: string }) }),
  CreditDetail: object({ account_id: string, credit_type: nullableString, amount: integer }),
  DepositResponse: object({
    customer_id: string,
    account_id: string,
    credit_type: string,
    total_amount: integer,
    added_amount: integer,
    starts_at: dateTime,
    expires_at: nullableDateTime,
    record_id: string,
    is_idempotent_replay: boolean,
  }),
  CustomerBalance: object({
    id: string,
    name: nullableString,
    email: nullableString,
    balance: object({ total: integer, used: integer, frozen: integer, available: integer }),
    accounts: array(
      object({
        account_id: string,
        account_type: { const: "CREDIT" },
        credit_type: string,
        total: integer,
        used: integer,
        frozen: integer,
        available: integer,
        starts_at: dateTime,
        expires_at: nullableDateTime,
      }),
    ),
    metadata: { type: "object" },
    created_at: dateTime,
  }),
  OrbError: object({ status: integer, type: string, title: string, detail: string }, ["status", "type", "title", "detail"]),
  OrbLedgerEntry: object(
    {
      id: string,
      ledger_sequence_number: integer,
      entry_status: { enum: ["committed", "pending"] },
      customer: object({ id: string, external_customer_id: string }),
      starting_balance: number,
      ending_balance: number,
      amount: number,
      currency: string,
      created_at: dateTime,
      description: nullableString,
      credit_block: object({ id: nullableString, expiry_date: nullableDateTime, per_unit_cost_basis: nullableString }),
      entry_type: { enum: ["increment", "decrement", "void", "amendment", "expiration_change", "credit_block_expiry"] },
      metadata: { type: "object" },
    },
  ),
  OrbCreditBlock: object({
    id: string,
    balance: number,
    effective_date: nullableDateTime,
    expiry_date: nullableDateTime,
    per_unit_cost_basis: nullableString,
    status: string,
    maximum_initial_balance: number,
  }),
  OrbPagination: object({ has_more: boolean, next_cursor: nullableString }),
  CommerceError: object({ name: string, message: string, debug_id: string, details: array({ type: "object" }) }),
  CommerceWallet: object({
    id: string,
    external_customer_id: string,
    status: { enum: ["ACTIVE", "TERMINATED"] },
    name: nullableString,
    currency: string,
    rate_amount: string,
    available_balance: money,
    ongoing_usage: money,
    net_balance: money,
    available_credits: string,
    consumed_credits: string,
    ongoing_usage_credits: string,
    net_balance_credits: string,
    created_at: dateTime,
    terminated_at: nullableDateTime,
    applies_to: {},
    expiration_at: nullableDateTime,
    recurring_transaction_rules: array({ type: "object" }),
  }),
  CommerceTransaction: object({
    wallet_transaction_id: string,
    wallet_id: string,
    payment_status: { enum: ["PENDING", "SETTLED", "FAILED"] },
    source: { enum: ["MANUAL", "INTERVAL", "THRESHOLD"] },
    transaction_status: { enum: ["PURCHASED", "GRANTED", "VOIDED", "INVOICED"] },
    transaction_type: { enum: ["INBOUND", "OUTBOUND"] },
    amount: money,
    credits: string,
    settled_at: nullableDateTime,
    failed_at: nullableDateTime,
    created_at: dateTime,
    metadata: array(object({ key: string, value: string })),
  }),
  CommerceMeta: object({ total_count: integer, total_pages: integer, current_page: integer, next_page: { type: ["integer", "null"] }, prev_page: { type: ["integer", "null"] } }),
};

function json(schema: Schema, description = "OK") {
  return { description, content: { "application/json": { schema } } };
}

function operation(summary: string, responses: Record<string, ReturnType<typeof json>>, body?: Schema) {
  return { summary, security: [{ bearer: [] }], ...(body ? { requestBody: { required: true, content: { "application/json": { schema: body } } } } : {}), responses };
}

const wrenErrors = { "400": json(ref("WrenError"), "Invalid request or payment failure"), "403": json(ref("WrenError"), "Missing or invalid authentication") };
const depositErrors = {
  "400": json(ref("DepositError"), "Invalid request or insufficient balance"),
  "401": json(ref("DepositError"), "Missing or invalid API key"),
  "404": json(ref("DepositError"), "Unknown customer or transaction"),
  "409": json(ref("DepositError"), "transaction_conflict, or a settled transaction"),
};
const orbErrors = { "400": json(ref("OrbError")), "401": json(ref("OrbError")), "404": json(ref("OrbError")), "409": json(ref("OrbError")) };
const commerceErrors = { "400": json(ref("CommerceError")), "401": json(ref("CommerceError")), "404": json(ref("CommerceError")), "422": json(ref("CommerceError")) };
const orbEntryPaths = (prefix: string) => ({
  [`${prefix}/credits/ledger_entry`]: {
    post: operation("Add a ledger entry", { "201": json(ref("OrbLedgerEntry"), "Created"), "200": json(ref("OrbLedgerEntry"), "Replayed Idempotency-Key"), ...orbErrors }, { type: "object", required: ["entry_type"] }),
  },
  [`${prefix}/credits`]: { get: operation("List credit blocks", { "200": json(object({ data: array(ref("OrbCreditBlock")), pagination_metadata: ref("OrbPagination") })), ...orbErrors }) },
  [`${prefix}/credits/ledger`]: { get: operation("List ledger entries", { "200": json(object({ data: array(ref("OrbLedgerEntry")), pagination_metadata: ref("OrbPagination") })), ...orbErrors }) },
});
const deposit = operation("Deposit credits to a customer", { "200": json(ref("DepositResponse")), ...depositErrors }, { type: "object", required: ["customer_id", "amount"] });
const commerceTransactions = object({ wallet_transactions: array(ref("CommerceTransaction")) });

export const openApiDocument = {
  openapi: "3.1.0",
  info: { title: "Billing Gateway REST shim", version: "1.0.0", description: "Vendor-compatible paths over the Billing Gateway ledger." },
  components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } }, schemas },
  paths: {
    "/api/credits/balance": { get: operation("Credit balance", { "200": json(object({ creditBalanceUsdCents: integer })), ...wrenErrors }) },
    "/api/credits/ledger": { get: operation("Credit ledger", { "200": json(object({ entries: array(ref("WrenLedgerEntry")), total: integer, limit: integer, offset: integer })), ...wrenErrors }) },
    "/api/credits/top-up": {
      post: operation("Top up credits", { "200": json(object({ amountCharged: integer, id: string, creditBalance: integer })), ...wrenErrors }, object({ amountInUsdCents: integer })),
    },
    "/v1/customers/deposit": { post: deposit },
    "/v1/billing/deposit": { post: deposit },
    "/v1/customers/{customer_id}": { get: operation("Customer balance", { "200": json(ref("CustomerBalance")), ...depositErrors }) },
    "/v1/billing/freeze": {
      post: operation("Freeze credits", { "200": json(object({ transaction_id: string, frozen_amount: integer, freeze_details: array(ref("CreditDetail")), is_idempotent_replay: boolean })), ...depositErrors }),
    },
    "/v1/billing/consume": {
      post: operation("Consume a freeze", {
        "200": json(object({ transaction_id: string, consumed_amount: integer, unfrozen_amount: integer, consume_details: array(ref("CreditDetail")), consumed_at: dateTime, is_idempotent_replay: boolean })),
        ...depositErrors,
      }),
    },
    "/v1/billing/unfreeze": { post: operation("Unfreeze", { "200": json(object({ transaction_id: string, unfrozen_amount: integer, is_idempotent_replay: boolean })), ...depositErrors }) },
    "/v1/billing/deduct": {
      post: operation("Deduct in one step", {
        "200": json(object({ transaction_id: string, deducted_amount: integer, deduct_details: array(ref("CreditDetail")), deducted_at: dateTime, is_idempotent_replay: boolean })),
        ...depositErrors,
      }),
    },
    ...orbEntryPaths("/customers/external_customer_id/{external_customer_id}"),
    ...orbEntryPaths("/customers/{customer_id}"),
    "/v1/commerce/billing/wallets": {
      post: operation("Create a wallet", { "201": json(ref("CommerceWallet"), "Created"), ...commerceErrors }, { type: "object", required: ["external_customer_id", "currency", "rate_amount"] }),
      get: operation("List wallets", { "200": json(object({ wallets: array(ref("CommerceWallet")), meta: ref("CommerceMeta") })), ...commerceErrors }),
    },
    "/v1/commerce/billing/wallets/{wallet_id}": {
      get: operation("Wallet details", { "200": json(ref("CommerceWallet")), ...commerceErrors }),
      put: operation("Update a wallet", { "200": json(ref("CommerceWallet")), ...commerceErrors }, { type: "object" }),
      delete: operation("Terminate a wallet", { "200": json(ref("CommerceWallet")), ...commerceErrors }),
    },
    "/v1/commerce/billing/wallets/{wallet_id}/wallet-transactions": {
      post: operation("Top up or void credits", { "200": json(commerceTransactions), ...commerceErrors }, { type: "object", required: ["type"] }),
      get: operation("Transaction history", { "200": json(object({ wallet_transactions: array(ref("CommerceTransaction")), meta: ref("CommerceMeta") })), ...commerceErrors }),
    },
    "/v1/commerce/billing/wallet-transactions/{id}": { get: operation("One wallet transaction", { "200": json(commerceTransactions), ...commerceErrors }) },
  },
};

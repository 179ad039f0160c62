-- DropForeignKey
ALTER TABLE "api_token" DROP CONSTRAINT "api_token_customer_id_fkey";

-- DropForeignKey
ALTER TABLE "ledger_entry" DROP CONSTRAINT "ledger_entry_block_id_fkey";

-- DropForeignKey
ALTER TABLE "ledger_entry" DROP CONSTRAINT "ledger_entry_hold_id_fkey";

-- CreateIndex
CREATE INDEX "api_token_tenant_id_idx" ON "api_token"("tenant_id");

-- CreateIndex
CREATE INDEX "api_token_customer_id_idx" ON "api_token"("customer_id");

-- CreateIndex
CREATE INDEX "credit_block_operation_id_idx" ON "credit_block"("operation_id");

-- AddForeignKey
ALTER TABLE "api_token" ADD CONSTRAINT "api_token_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "credit_block" ADD CONSTRAINT "credit_block_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "operation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entry" ADD CONSTRAINT "ledger_entry_block_id_fkey" FOREIGN KEY ("block_id") REFERENCES "credit_block"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entry" ADD CONSTRAINT "ledger_entry_hold_id_fkey" FOREIGN KEY ("hold_id") REFERENCES "hold"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Written by hand: the JSON helpers of ledger_debit format timestamps, which depends on the
-- session's time zone, so they are STABLE, not IMMUTABLE.
ALTER FUNCTION "ledger_entry_json"("ledger_entry") STABLE;
ALTER FUNCTION "credit_block_json"("credit_block") STABLE;
ALTER FUNCTION "wallet_json"("wallet") STABLE;

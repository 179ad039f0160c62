-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "wallet_status" AS ENUM ('active', 'terminated');

-- CreateEnum
CREATE TYPE "credit_block_status" AS ENUM ('active', 'voided', 'expired');

-- CreateEnum
CREATE TYPE "credit_block_source" AS ENUM ('deposit', 'top_up', 'refund', 'expiration_change');

-- CreateEnum
CREATE TYPE "operation_type" AS ENUM ('wallet_create', 'wallet_update', 'deposit', 'debit', 'hold', 'capture', 'release', 'void', 'refund', 'amendment', 'expiration_change', 'expiration', 'termination');

-- CreateEnum
CREATE TYPE "ledger_entry_type" AS ENUM ('increment', 'decrement', 'hold', 'hold_release', 'capture', 'void', 'refund', 'amendment', 'expiration_change', 'expiration');

-- CreateEnum
CREATE TYPE "ledger_entry_status" AS ENUM ('committed', 'pending');

-- CreateEnum
CREATE TYPE "hold_status" AS ENUM ('open', 'captured', 'released', 'expired');

-- CreateTable
CREATE TABLE "tenant" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tenant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_token" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "token_hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "customer_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_token_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customer" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "livemode" BOOLEAN NOT NULL DEFAULT true,
    "external_id" TEXT NOT NULL,
    "name" TEXT,
    "email" TEXT,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "customer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "wallet" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "livemode" BOOLEAN NOT NULL DEFAULT true,
    "customer_id" UUID NOT NULL,
    "name" TEXT,
    "currency" TEXT NOT NULL,
    "scale" INTEGER NOT NULL,
    "status" "wallet_status" NOT NULL DEFAULT 'active',
    "overdraft_limit" BIGINT NOT NULL DEFAULT 0,
    "default_expiry_days" INTEGER,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "balance" BIGINT NOT NULL DEFAULT 0,
    "overdraft_used" BIGINT NOT NULL DEFAULT 0,
    "last_sequence" BIGINT NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "terminated_at" TIMESTAMPTZ(3),

    CONSTRAINT "wallet_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "credit_block" (
    "id" UUID NOT NULL,
    "wallet_id" UUID NOT NULL,
    "operation_id" UUID NOT NULL,
    "amount" BIGINT NOT NULL,
    "remaining" BIGINT NOT NULL,
    "category" TEXT NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 50,
    "cost_basis" DECIMAL(38,12),
    "effective_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "status" "credit_block_status" NOT NULL DEFAULT 'active',
    "source" "credit_block_source" NOT NULL,
    "description" TEXT,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "credit_block_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "operation" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "livemode" BOOLEAN NOT NULL DEFAULT true,
    "wallet_id" UUID NOT NULL,
    "type" "operation_type" NOT NULL,
    "idempotency_key" TEXT,
    "request_hash" TEXT NOT NULL,
    "reference" TEXT,
    "target_operation_id" UUID,
    "hold_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "operation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_entry" (
    "id" UUID NOT NULL,
    "wallet_id" UUID NOT NULL,
    "block_id" UUID,
    "operation_id" UUID NOT NULL,
    "hold_id" UUID,
    "sequence" BIGINT NOT NULL,
    "type" "ledger_entry_type" NOT NULL,
    "amount" BIGINT NOT NULL,
    "starting_balance" BIGINT NOT NULL,
    "ending_balance" BIGINT NOT NULL,
    "status" "ledger_entry_status" NOT NULL DEFAULT 'committed',
    "description" TEXT,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "reference" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_entry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "hold" (
    "id" UUID NOT NULL,
    "wallet_id" UUID NOT NULL,
    "amount" BIGINT NOT NULL,
    "captured" BIGINT NOT NULL DEFAULT 0,
    "status" "hold_status" NOT NULL DEFAULT 'open',
    "reference" TEXT,
    "description" TEXT,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "hold_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "tenant_slug_key" ON "tenant"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "api_token_token_hash_key" ON "api_token"("token_hash");

-- CreateIndex
CREATE UNIQUE INDEX "customer_tenant_id_livemode_external_id_key" ON "customer"("tenant_id", "livemode", "external_id");

-- CreateIndex
CREATE INDEX "wallet_tenant_id_livemode_customer_id_idx" ON "wallet"("tenant_id", "livemode", "customer_id");

-- CreateIndex
CREATE INDEX "credit_block_wallet_id_status_priority_expires_at_idx" ON "credit_block"("wallet_id", "status", "priority", "expires_at");

-- CreateIndex
CREATE INDEX "operation_wallet_id_created_at_idx" ON "operation"("wallet_id", "created_at");

-- CreateIndex
CREATE INDEX "operation_target_operation_id_idx" ON "operation"("target_operation_id");

-- CreateIndex
CREATE UNIQUE INDEX "operation_tenant_id_livemode_idempotency_key_key" ON "operation"("tenant_id", "livemode", "idempotency_key");

-- CreateIndex
CREATE INDEX "ledger_entry_block_id_created_at_idx" ON "ledger_entry"("block_id", "created_at");

-- CreateIndex
CREATE INDEX "ledger_entry_operation_id_idx" ON "ledger_entry"("operation_id");

-- CreateIndex
CREATE INDEX "ledger_entry_hold_id_idx" ON "ledger_entry"("hold_id");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_entry_wallet_id_sequence_key" ON "ledger_entry"("wallet_id", "sequence");

-- CreateIndex
CREATE INDEX "hold_wallet_id_status_expires_at_idx" ON "hold"("wallet_id", "status", "expires_at");

-- AddForeignKey
ALTER TABLE "api_token" ADD CONSTRAINT "api_token_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_token" ADD CONSTRAINT "api_token_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customer"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer" ADD CONSTRAINT "customer_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "wallet" ADD CONSTRAINT "wallet_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "wallet" ADD CONSTRAINT "wallet_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "credit_block" ADD CONSTRAINT "credit_block_wallet_id_fkey" FOREIGN KEY ("wallet_id") REFERENCES "wallet"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "operation" ADD CONSTRAINT "operation_wallet_id_fkey" FOREIGN KEY ("wallet_id") REFERENCES "wallet"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entry" ADD CONSTRAINT "ledger_entry_wallet_id_fkey" FOREIGN KEY ("wallet_id") REFERENCES "wallet"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entry" ADD CONSTRAINT "ledger_entry_block_id_fkey" FOREIGN KEY ("block_id") REFERENCES "credit_block"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entry" ADD CONSTRAINT "ledger_entry_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "operation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entry" ADD CONSTRAINT "ledger_entry_hold_id_fkey" FOREIGN KEY ("hold_id") REFERENCES "hold"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "hold" ADD CONSTRAINT "hold_wallet_id_fkey" FOREIGN KEY ("wallet_id") REFERENCES "wallet"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------
-- Written by hand: what the Prisma schema cannot express. The database, not only the code,
-- keeps money from going wrong.
-- ---------------------------------------------------------------------------------------------

ALTER TABLE "credit_block" ADD CONSTRAINT "credit_block_amount_non_negative" CHECK ("amount" >= 0);
ALTER TABLE "credit_block" ADD CONSTRAINT "credit_block_remaining_non_negative" CHECK ("remaining" >= 0);
ALTER TABLE "wallet" ADD CONSTRAINT "wallet_overdraft_limit_non_negative" CHECK ("overdraft_limit" >= 0);
ALTER TABLE "wallet" ADD CONSTRAINT "wallet_overdraft_used_within_limit" CHECK ("overdraft_used" >= 0 AND "overdraft_used" <= "overdraft_limit");
ALTER TABLE "wallet" ADD CONSTRAINT "wallet_balance_within_overdraft" CHECK ("balance" >= -"overdraft_limit");
ALTER TABLE "wallet" ADD CONSTRAINT "wallet_scale_range" CHECK ("scale" BETWEEN 0 AND 18);
ALTER TABLE "hold" ADD CONSTRAINT "hold_amount_positive" CHECK ("amount" > 0);
ALTER TABLE "hold" ADD CONSTRAINT "hold_captured_within_amount" CHECK ("captured" >= 0 AND "captured" <= "amount");
ALTER TABLE "ledger_entry" ADD CONSTRAINT "ledger_entry_balance_arithmetic" CHECK ("ending_balance" = "starting_balance" + "amount");
ALTER TABLE "ledger_entry" ADD CONSTRAINT "ledger_entry_sequence_positive" CHECK ("sequence" > 0);

-- Ledger entries are append-only: corrections are new entries, never edits.
CREATE FUNCTION "ledger_entry_reject_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger entries are append-only: % is not allowed', TG_OP USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER "ledger_entry_no_update_or_delete" BEFORE UPDATE OR DELETE ON "ledger_entry"
  FOR EACH ROW EXECUTE FUNCTION "ledger_entry_reject_change"();

CREATE TRIGGER "ledger_entry_no_truncate" BEFORE TRUNCATE ON "ledger_entry"
  FOR EACH STATEMENT EXECUTE FUNCTION "ledger_entry_reject_change"();

-- CreateEnum
CREATE TYPE "top_up_status" AS ENUM ('pending', 'succeeded', 'failed');

-- AlterTable
ALTER TABLE "customer" ADD COLUMN     "card_brand" TEXT,
ADD COLUMN     "card_exp_month" INTEGER,
ADD COLUMN     "card_exp_year" INTEGER,
ADD COLUMN     "card_last4" TEXT,
ADD COLUMN     "payment_method_id" TEXT,
ADD COLUMN     "stripe_customer_id" TEXT;

-- CreateTable
CREATE TABLE "top_up" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "wallet_id" UUID NOT NULL,
    "amount" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "status" "top_up_status" NOT NULL DEFAULT 'pending',
    "idempotency_key" TEXT,
    "request_hash" TEXT NOT NULL,
    "stripe_payment_intent_id" TEXT,
    "stripe_charge_id" TEXT,
    "failure_code" TEXT,
    "decline_code" TEXT,
    "failure_message" TEXT,
    "operation_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "top_up_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "top_up_stripe_payment_intent_id_key" ON "top_up"("stripe_payment_intent_id");

-- CreateIndex
CREATE INDEX "top_up_status_created_at_idx" ON "top_up"("status", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "top_up_tenant_id_livemode_idempotency_key_key" ON "top_up"("tenant_id", "livemode", "idempotency_key");

-- AddForeignKey
ALTER TABLE "top_up" ADD CONSTRAINT "top_up_wallet_id_fkey" FOREIGN KEY ("wallet_id") REFERENCES "wallet"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- CreateEnum
CREATE TYPE "top_up_trigger" AS ENUM ('manual', 'auto');

-- DropIndex
DROP INDEX "top_up_status_created_at_idx";

-- AlterTable
ALTER TABLE "top_up" ADD COLUMN     "attempt_failed" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "locked_until" TIMESTAMPTZ(3),
ADD COLUMN     "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "payment_method_id" TEXT,
ADD COLUMN     "stripe_customer_id" TEXT,
ADD COLUMN     "trigger" "top_up_trigger" NOT NULL DEFAULT 'manual';

-- CreateTable
CREATE TABLE "funding_reversal" (
    "id" UUID NOT NULL,
    "wallet_id" UUID NOT NULL,
    "deposit_operation_id" UUID NOT NULL,
    "operation_id" UUID NOT NULL,
    "reversed_total" BIGINT NOT NULL,
    "amount" BIGINT NOT NULL,
    "voided" BIGINT NOT NULL,
    "unrecovered" BIGINT NOT NULL,
    "reference" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "funding_reversal_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auto_top_up_rule" (
    "wallet_id" UUID NOT NULL,
    "threshold" BIGINT NOT NULL,
    "amount" BIGINT,
    "target_balance" BIGINT,
    "max_attempts" INTEGER NOT NULL DEFAULT 4,
    "paused_at" TIMESTAMPTZ(3),
    "paused_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "auto_top_up_rule_pkey" PRIMARY KEY ("wallet_id")
);

-- CreateTable
CREATE TABLE "stripe_event" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stripe_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "funding_reversal_wallet_id_idx" ON "funding_reversal"("wallet_id");

-- CreateIndex
CREATE UNIQUE INDEX "funding_reversal_deposit_operation_id_reversed_total_key" ON "funding_reversal"("deposit_operation_id", "reversed_total");

-- CreateIndex
CREATE INDEX "top_up_status_next_attempt_at_idx" ON "top_up"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "top_up_wallet_id_created_at_idx" ON "top_up"("wallet_id", "created_at");

-- AddForeignKey
ALTER TABLE "funding_reversal" ADD CONSTRAINT "funding_reversal_wallet_id_fkey" FOREIGN KEY ("wallet_id") REFERENCES "wallet"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "funding_reversal" ADD CONSTRAINT "funding_reversal_deposit_operation_id_fkey" FOREIGN KEY ("deposit_operation_id") REFERENCES "operation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "funding_reversal" ADD CONSTRAINT "funding_reversal_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "operation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auto_top_up_rule" ADD CONSTRAINT "auto_top_up_rule_wallet_id_fkey" FOREIGN KEY ("wallet_id") REFERENCES "wallet"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Written by hand: what Prisma's schema language cannot say.

-- Top-ups recorded before attempts were counted each made one attempt, and charged the card on
-- file at the time; keep charging that one when they are completed.
UPDATE "top_up" t SET "attempts" = 1, "stripe_customer_id" = c."stripe_customer_id", "payment_method_id" = c."payment_method_id"
FROM "wallet" w JOIN "customer" c ON c."id" = w."customer_id"
WHERE w."id" = t."wallet_id";

-- The claim of an auto top-up: at most one is open per wallet, whatever the number of gateways.
CREATE UNIQUE INDEX "top_up_one_open_auto_top_up_per_wallet" ON "top_up"("wallet_id") WHERE "trigger" = 'auto' AND "status" = 'pending';

ALTER TABLE "top_up" ADD CONSTRAINT "top_up_amount_positive" CHECK ("amount" > 0),
  ADD CONSTRAINT "top_up_attempts_not_negative" CHECK ("attempts" >= 0);

ALTER TABLE "auto_top_up_rule" ADD CONSTRAINT "auto_top_up_rule_amount_or_target" CHECK (
  "threshold" >= 0
  AND ("amount" IS NULL) <> ("target_balance" IS NULL)
  AND ("amount" IS NULL OR "amount" > 0)
  AND ("target_balance" IS NULL OR "target_balance" > "threshold")
  AND "max_attempts" BETWEEN 1 AND 20
);

ALTER TABLE "funding_reversal" ADD CONSTRAINT "funding_reversal_parts" CHECK (
  "amount" > 0 AND "voided" >= 0 AND "unrecovered" >= 0 AND "voided" + "unrecovered" = "amount" AND "reversed_total" >= "amount"
);

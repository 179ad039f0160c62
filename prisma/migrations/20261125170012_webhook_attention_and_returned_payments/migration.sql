-- CreateEnum
CREATE TYPE "stripe_event_status" AS ENUM ('handled', 'ignored', 'needs_attention');

-- CreateEnum
CREATE TYPE "returned_payment_reason" AS ENUM ('duplicate', 'wallet_terminated');

-- CreateEnum
CREATE TYPE "returned_payment_status" AS ENUM ('requested', 'refunded', 'failed');

-- AlterTable
ALTER TABLE "stripe_event" ADD COLUMN     "reason" TEXT,
ADD COLUMN     "status" "stripe_event_status" NOT NULL DEFAULT 'handled',
ALTER COLUMN "livemode" DROP NOT NULL;

-- CreateTable
CREATE TABLE "returned_payment" (
    "stripe_payment_intent_id" TEXT NOT NULL,
    "top_up_id" UUID NOT NULL,
    "stripe_charge_id" TEXT,
    "amount" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "reason" "returned_payment_reason" NOT NULL,
    "status" "returned_payment_status" NOT NULL DEFAULT 'requested',
    "stripe_refund_id" TEXT,
    "failure_message" TEXT,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "returned_payment_pkey" PRIMARY KEY ("stripe_payment_intent_id")
);

-- CreateIndex
CREATE INDEX "returned_payment_status_next_attempt_at_idx" ON "returned_payment"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "returned_payment_top_up_id_idx" ON "returned_payment"("top_up_id");

-- CreateIndex
CREATE INDEX "stripe_event_status_processed_at_idx" ON "stripe_event"("status", "processed_at");

-- AddForeignKey
ALTER TABLE "returned_payment" ADD CONSTRAINT "returned_payment_top_up_id_fkey" FOREIGN KEY ("top_up_id") REFERENCES "top_up"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-written: a returned payment is of some money, and an event left for a person says why.
ALTER TABLE "returned_payment" ADD CONSTRAINT "returned_payment_amount_positive" CHECK ("amount" > 0);
ALTER TABLE "stripe_event" ADD CONSTRAINT "stripe_event_attention_has_reason" CHECK ("status" <> 'needs_attention' OR "reason" IS NOT NULL);

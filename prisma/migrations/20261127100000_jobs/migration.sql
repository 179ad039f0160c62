-- Jobs claimed in the database, so that any number of gateways share them (src/jobs/runner.ts);
-- the periods of commerce INTERVAL rules, each recorded once; top-ups whose payment went back.

-- CreateEnum
CREATE TYPE "interval_top_up_status" AS ENUM ('pending', 'credited', 'skipped');

-- AlterEnum
ALTER TYPE "top_up_status" ADD VALUE 'refunded';

-- CreateTable
CREATE TABLE "job" (
    "name" TEXT NOT NULL,
    "run_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "locked_until" TIMESTAMPTZ(3),
    "locked_by" TEXT,
    "last_started_at" TIMESTAMPTZ(3),
    "last_finished_at" TIMESTAMPTZ(3),
    "last_error" TEXT,

    CONSTRAINT "job_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "interval_top_up" (
    "wallet_id" UUID NOT NULL,
    "rule_key" TEXT NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "paid_amount" BIGINT NOT NULL,
    "granted_amount" BIGINT NOT NULL,
    "status" "interval_top_up_status" NOT NULL DEFAULT 'pending',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "interval_top_up_pkey" PRIMARY KEY ("wallet_id","rule_key","period_start")
);

-- CreateIndex
CREATE INDEX "interval_top_up_status_idx" ON "interval_top_up"("status");

-- AddForeignKey
ALTER TABLE "interval_top_up" ADD CONSTRAINT "interval_top_up_wallet_id_fkey" FOREIGN KEY ("wallet_id") REFERENCES "wallet"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AlterTable
ALTER TABLE "auto_top_up_rule" ADD COLUMN     "bonus_amount" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "charge_currency" TEXT,
ADD COLUMN     "unit_price" DECIMAL(38,12);

-- AlterTable (edited by hand: earlier top-ups charged their amount in the wallet's currency)
ALTER TABLE "top_up" ADD COLUMN     "bonus_amount" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "charge_amount" BIGINT,
ADD COLUMN     "charge_currency" TEXT,
ADD COLUMN     "cost_basis" DECIMAL(38,12);
UPDATE "top_up" SET "charge_amount" = "amount", "charge_currency" = "currency", "cost_basis" = 1;
ALTER TABLE "top_up" ALTER COLUMN "charge_amount" SET NOT NULL,
ALTER COLUMN "charge_currency" SET NOT NULL;

ALTER TABLE "top_up" ADD CONSTRAINT "top_up_charge_positive" CHECK ("charge_amount" > 0 AND "bonus_amount" >= 0);
ALTER TABLE "auto_top_up_rule" ADD CONSTRAINT "auto_top_up_rule_pricing" CHECK (
  ("unit_price" IS NULL) = ("charge_currency" IS NULL) AND ("unit_price" IS NULL OR "unit_price" > 0) AND "bonus_amount" >= 0
);

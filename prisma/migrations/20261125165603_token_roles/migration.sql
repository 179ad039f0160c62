-- CreateEnum
CREATE TYPE "ApiTokenRole" AS ENUM ('admin', 'write', 'read', 'customer');

-- AlterTable
ALTER TABLE "api_token" ADD COLUMN     "last_used_at" TIMESTAMPTZ(3),
ADD COLUMN     "name" TEXT,
ADD COLUMN     "role" "ApiTokenRole" NOT NULL DEFAULT 'admin';

-- Personal tokens issued before roles existed spend for their customer, as they always did.
UPDATE "api_token" SET "role" = 'customer' WHERE "customer_id" IS NOT NULL;

-- A customer token names its customer; a team role never does (a read token may do either).
ALTER TABLE "api_token" ADD CONSTRAINT "api_token_role_customer" CHECK (
  ("role" = 'customer' AND "customer_id" IS NOT NULL)
  OR ("role" IN ('admin', 'write') AND "customer_id" IS NULL)
  OR "role" = 'read'
);

-- Webhook sending that one tenant's endpoints cannot take over (src/webhooks/delivery.ts): an
-- endpoint that fails backs off as a whole, and the claim reads a bounded number of rows per
-- endpoint however many deliveries are pending.

-- AlterTable
ALTER TABLE "webhook_endpoint" ADD COLUMN     "failures_in_a_row" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "retry_at" TIMESTAMPTZ(3);

-- An endpoint's pending deliveries, oldest first: the claim reads the first few of each endpoint.
CREATE INDEX "webhook_delivery_pending_by_endpoint_idx" ON "webhook_delivery" ("endpoint_id", "created_at", "sequence") WHERE "status" = 'pending';

-- Whether a delivery is next in its wallet's order: one probe for an earlier pending one, past
-- no delivered history.
CREATE INDEX "webhook_delivery_pending_in_order_idx" ON "webhook_delivery" ("endpoint_id", "wallet_id", "sequence") WHERE "status" = 'pending' AND NOT "resend";

-- The leases held now, counted per endpoint and tenant at every claim: as many rows as attempts
-- in flight (and leases a stopped gateway left to lapse).
CREATE INDEX "webhook_delivery_leased_idx" ON "webhook_delivery" ("endpoint_id") WHERE "status" = 'pending' AND "locked_until" IS NOT NULL;

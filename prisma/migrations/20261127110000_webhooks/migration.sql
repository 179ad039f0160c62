-- Signed webhooks: endpoints of a tenant, and one delivery per event and endpoint, created with the
-- event by a trigger, in the event's own transaction (src/webhooks/).

-- CreateEnum
CREATE TYPE "webhook_endpoint_status" AS ENUM ('active', 'failing');

-- CreateEnum
CREATE TYPE "webhook_delivery_status" AS ENUM ('pending', 'succeeded', 'failed');

-- CreateTable
CREATE TABLE "webhook_endpoint" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "url" TEXT NOT NULL,
    "event_types" TEXT[],
    "description" TEXT,
    "secret" TEXT NOT NULL,
    "status" "webhook_endpoint_status" NOT NULL DEFAULT 'active',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_endpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_delivery" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "event_id" UUID NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "wallet_id" UUID NOT NULL,
    "sequence" BIGINT NOT NULL,
    "resend" BOOLEAN NOT NULL DEFAULT false,
    "status" "webhook_delivery_status" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "response_status" INTEGER,
    "duration_ms" INTEGER,
    "last_error" TEXT,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "locked_until" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_delivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "webhook_endpoint_tenant_id_livemode_idx" ON "webhook_endpoint"("tenant_id", "livemode");

-- CreateIndex
CREATE INDEX "webhook_delivery_status_next_attempt_at_idx" ON "webhook_delivery"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "webhook_delivery_endpoint_id_wallet_id_sequence_idx" ON "webhook_delivery"("endpoint_id", "wallet_id", "sequence");

-- CreateIndex
CREATE INDEX "webhook_delivery_endpoint_id_created_at_idx" ON "webhook_delivery"("endpoint_id", "created_at");

-- CreateIndex
CREATE INDEX "webhook_delivery_event_id_idx" ON "webhook_delivery"("event_id");

-- AddForeignKey
ALTER TABLE "webhook_endpoint" ADD CONSTRAINT "webhook_endpoint_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_delivery" ADD CONSTRAINT "webhook_delivery_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "event"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_delivery" ADD CONSTRAINT "webhook_delivery_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoint"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A delivery for each endpoint of the event's tenant and mode that takes its type, written in the
-- transaction that writes the event: an event committed has its deliveries, one rolled back has
-- none, and no cursor over events can miss one that committed late. It costs the ledger's
-- transaction one indexed read of the tenant's endpoints; the sending happens outside it.
CREATE FUNCTION "enqueue_webhook_deliveries"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "webhook_delivery" ("event_id", "endpoint_id", "wallet_id", "sequence", "next_attempt_at", "created_at", "updated_at")
  SELECT NEW."id", e."id", NEW."wallet_id", NEW."sequence", NEW."created_at", NEW."created_at", NEW."created_at"
  FROM "webhook_endpoint" e
  WHERE e."tenant_id" = NEW."tenant_id" AND e."livemode" = NEW."livemode"
    AND (NEW."type" = ANY (e."event_types") OR '*' = ANY (e."event_types"));
  RETURN NULL;
END
$$;

CREATE TRIGGER "event_webhook_deliveries" AFTER INSERT ON "event" FOR EACH ROW EXECUTE FUNCTION "enqueue_webhook_deliveries"();

-- What senders look for: pending deliveries by due time, and a wallet's earlier pending ones.
CREATE INDEX "webhook_delivery_pending_idx" ON "webhook_delivery" ("next_attempt_at") WHERE "status" = 'pending';

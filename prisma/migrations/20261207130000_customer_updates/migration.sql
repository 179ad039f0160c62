-- updateCustomer keeps each idempotency key it was given, with a hash of the change asked for:
-- the same key again answers the customer without changing it twice, other input under it is a
-- conflict. Written once, never updated (the gateway's role may only insert here).
-- CreateTable
CREATE TABLE "customer_update" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "customer_id" UUID NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "customer_update_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "customer_update_customer_id_idx" ON "customer_update"("customer_id");

-- CreateIndex
CREATE UNIQUE INDEX "customer_update_tenant_id_livemode_idempotency_key_key" ON "customer_update"("tenant_id", "livemode", "idempotency_key");

-- AddForeignKey
ALTER TABLE "customer_update" ADD CONSTRAINT "customer_update_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

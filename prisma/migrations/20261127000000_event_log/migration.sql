-- The event log: every committed change of a wallet writes its event in its own transaction (a
-- transactional outbox), so an event exists exactly when its change committed. A wallet's events
-- are numbered 1, 2, 3… without gaps by `wallet.last_event_sequence`, moved in the writing
-- transaction: the wallet's row lock orders the writers and a rollback takes the number back.

-- AlterTable
ALTER TABLE "wallet" ADD COLUMN     "last_event_sequence" BIGINT NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "event" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "position" BIGSERIAL NOT NULL,
    "tenant_id" UUID NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "wallet_id" UUID NOT NULL,
    "sequence" BIGINT NOT NULL,
    "type" TEXT NOT NULL,
    "operation_id" UUID,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "event_position_key" ON "event"("position");

-- CreateIndex
CREATE INDEX "event_tenant_id_livemode_position_idx" ON "event"("tenant_id", "livemode", "position");

-- CreateIndex
CREATE INDEX "event_wallet_id_position_idx" ON "event"("wallet_id", "position");

-- CreateIndex
CREATE INDEX "event_operation_id_idx" ON "event"("operation_id");

-- CreateIndex
CREATE UNIQUE INDEX "event_wallet_id_sequence_key" ON "event"("wallet_id", "sequence");

-- AddForeignKey
ALTER TABLE "event" ADD CONSTRAINT "event_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "event" ADD CONSTRAINT "event_wallet_id_fkey" FOREIGN KEY ("wallet_id") REFERENCES "wallet"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "event" ADD CONSTRAINT "event_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "operation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------
-- Written by hand: what the Prisma schema cannot express.
-- ---------------------------------------------------------------------------------------------

ALTER TABLE "event" ADD CONSTRAINT "event_sequence_positive" CHECK ("sequence" > 0);
ALTER TABLE "wallet" ADD CONSTRAINT "wallet_last_event_sequence_non_negative" CHECK ("last_event_sequence" >= 0);

-- One `operation.completed` per operation.
CREATE UNIQUE INDEX "event_one_completion_per_operation" ON "event" ("operation_id") WHERE "type" = 'operation.completed';

-- Events are append-only, like ledger entries: what happened stays as it was told.
CREATE FUNCTION "event_reject_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER "event_no_update_or_delete" BEFORE UPDATE OR DELETE ON "event"
  FOR EACH ROW EXECUTE FUNCTION "event_reject_change"();

CREATE TRIGGER "event_no_truncate" BEFORE TRUNCATE ON "event"
  FOR EACH STATEMENT EXECUTE FUNCTION "event_reject_change"();

-- The one way to write an event: takes the wallet's next sequence number (locking its row, which
-- the ledger's commands hold already) and inserts the event with it. SQL so that ledger_debit,
-- which runs as one statement, appends its events the same way the TypeScript commands do.
CREATE FUNCTION "append_event"(p_wallet_id uuid, p_type text, p_operation_id uuid, p_payload jsonb, p_created_at timestamptz)
RETURNS "event" LANGUAGE sql AS $$
  WITH numbered AS (
    UPDATE "wallet" SET "last_event_sequence" = "last_event_sequence" + 1
    WHERE "id" = p_wallet_id
    RETURNING "tenant_id", "livemode", "last_event_sequence"
  )
  INSERT INTO "event" ("tenant_id", "livemode", "wallet_id", "sequence", "type", "operation_id", "payload", "created_at")
  SELECT "tenant_id", "livemode", p_wallet_id, "last_event_sequence", p_type, p_operation_id, p_payload, p_created_at
  FROM numbered
  RETURNING *;
$$;

-- ledger_debit's answer carries the wallet's new column.
CREATE OR REPLACE FUNCTION "wallet_json"(w "wallet") RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', w.id, 'tenantId', w.tenant_id, 'livemode', w.livemode, 'customerId', w.customer_id, 'name', w.name,
    'currency', w.currency, 'scale', w.scale, 'status', w.status, 'overdraftLimit', w.overdraft_limit::text,
    'overdraftUsed', w.overdraft_used::text, 'defaultExpiryDays', w.default_expiry_days, 'metadata', w.metadata,
    'balance', w.balance::text, 'lastSequence', w.last_sequence::text, 'lastEntryAt', w.last_entry_at,
    'lastEventSequence', w.last_event_sequence::text,
    'createdAt', w.created_at, 'updatedAt', w.updated_at, 'terminatedAt', w.terminated_at)
$$;

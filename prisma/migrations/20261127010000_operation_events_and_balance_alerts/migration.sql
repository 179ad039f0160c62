-- Every operation tells `operation.completed`, and balance alerts are told, in the operation's own
-- transaction: ledger_debit (one statement) and the TypeScript commands (WalletLedger.flush) call
-- the same SQL function, record_operation_events, after writing their entries.

-- AlterTable
ALTER TABLE "wallet" ADD COLUMN     "balance_depleted" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "balance_alert" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "wallet_id" UUID NOT NULL,
    "threshold" BIGINT NOT NULL,
    "below" BOOLEAN NOT NULL DEFAULT false,
    "idempotency_key" TEXT,
    "request_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "balance_alert_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "balance_alert_wallet_id_idx" ON "balance_alert"("wallet_id");

-- CreateIndex
CREATE UNIQUE INDEX "balance_alert_tenant_id_livemode_idempotency_key_key" ON "balance_alert"("tenant_id", "livemode", "idempotency_key");

-- AddForeignKey
ALTER TABLE "balance_alert" ADD CONSTRAINT "balance_alert_wallet_id_fkey" FOREIGN KEY ("wallet_id") REFERENCES "wallet"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------
-- Written by hand: what the Prisma schema cannot express.
-- ---------------------------------------------------------------------------------------------

-- Wallets already empty count as depleted: their next credits tell `balance.recovered`.
UPDATE "wallet" w SET "balance_depleted" = true
WHERE (SELECT coalesce(sum(b."remaining"), 0) FROM "credit_block" b
       WHERE b."wallet_id" = w."id" AND b."effective_at" <= now() AND (b."expires_at" IS NULL OR b."expires_at" > now())) - w."overdraft_used" <= 0
  AND w."last_sequence" > 0;

-- The alerts a movement looks at: those not deleted.
CREATE INDEX "balance_alert_live_by_wallet" ON "balance_alert" ("wallet_id", "threshold") WHERE "deleted_at" IS NULL;

-- ledger_debit's answer carries the wallet's new column.
CREATE OR REPLACE FUNCTION "wallet_json"(w "wallet") RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', w.id, 'tenantId', w.tenant_id, 'livemode', w.livemode, 'customerId', w.customer_id, 'name', w.name,
    'currency', w.currency, 'scale', w.scale, 'status', w.status, 'overdraftLimit', w.overdraft_limit::text,
    'overdraftUsed', w.overdraft_used::text, 'defaultExpiryDays', w.default_expiry_days, 'metadata', w.metadata,
    'balance', w.balance::text, 'lastSequence', w.last_sequence::text, 'lastEntryAt', w.last_entry_at,
    'lastEventSequence', w.last_event_sequence::text, 'balanceDepleted', w.balance_depleted,
    'createdAt', w.created_at, 'updatedAt', w.updated_at, 'terminatedAt', w.terminated_at)
$$;

-- What callers learn of an event they wrote: enough to tell subscribers after commit.
CREATE FUNCTION "event_notice_json"(e "event") RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('id', e.id, 'walletId', e.wallet_id, 'sequence', e.sequence::text, 'type', e.type)
$$;

-- The wallet's balances (src/ledger/balances.ts: available = total − used − frozen over the
-- blocks effective at `p_at`, less the overdraft) just after its entry `p_until_sequence`, read in
-- the transaction that wrote the entries. Blocks with entries after it (written by the same
-- transaction, so few) are read from their last entry up to it; every other block as it stands.
CREATE FUNCTION "wallet_balance_after"(p_wallet_id uuid, p_at timestamptz, p_until_sequence bigint)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
  overdraft bigint;
  f record;
BEGIN
  SELECT w."overdraft_used" + coalesce((SELECT sum(e."amount") FROM "ledger_entry" e
                                        WHERE e."wallet_id" = w."id" AND e."sequence" > p_until_sequence AND e."block_id" IS NULL), 0)
  INTO overdraft
  FROM "wallet" w WHERE w."id" = p_wallet_id;

  SELECT coalesce(sum(a.remaining + a.used + a.frozen) FILTER (WHERE a.active), 0)::bigint AS total,
         coalesce(sum(a.used) FILTER (WHERE a.active), 0)::bigint AS used,
         coalesce(sum(a.frozen) FILTER (WHERE a.active), 0)::bigint AS frozen,
         coalesce(sum(a.remaining) FILTER (WHERE a.active), 0)::bigint AS available,
         coalesce(sum(a.remaining), 0)::bigint AS ledger
  INTO f
  FROM (
    SELECT b."effective_at" <= p_at AND (b."expires_at" IS NULL OR p_at < b."expires_at") AS active,
           CASE WHEN later.block_id IS NULL THEN b."remaining" ELSE coalesce(e."remaining_after", 0) END AS remaining,
           CASE WHEN later.block_id IS NULL THEN b."used" ELSE coalesce(e."used_after", 0) END AS used,
           CASE WHEN later.block_id IS NULL THEN b."frozen" ELSE coalesce(e."frozen_after", 0) END AS frozen
    FROM "credit_block" b
    LEFT JOIN (SELECT DISTINCT "block_id" FROM "ledger_entry"
               WHERE "wallet_id" = p_wallet_id AND "sequence" > p_until_sequence AND "block_id" IS NOT NULL) later
      ON later.block_id = b."id"
    LEFT JOIN LATERAL (
      SELECT le."remaining_after", le."used_after", le."frozen_after" FROM "ledger_entry" le
      WHERE later.block_id IS NOT NULL AND le."block_id" = b."id" AND le."sequence" <= p_until_sequence
      ORDER BY le."created_at" DESC, le."sequence" DESC LIMIT 1) e ON true
    WHERE b."wallet_id" = p_wallet_id
  ) a;

  RETURN jsonb_build_object(
    'available', (f.available - overdraft)::text, 'total', f.total::text, 'used', (f.used + overdraft)::text,
    'frozen', f.frozen::text, 'ledgerBalance', (f.ledger - overdraft)::text, 'overdraftUsed', overdraft::text);
END;
$$;

-- Balance alerts on the balances a movement left, under the wallet's row lock, so each crossing
-- is told exactly once however many gateways move the wallet:
--  - `balance.below_threshold` for each armed alert whose threshold the available credits are at
--    or below (landing exactly on the threshold crosses it); it re-arms once they are above it;
--  - `balance.depleted` when available credits are at or below zero, once, and
--    `balance.recovered` when they are above zero again.
CREATE FUNCTION "record_balance_alerts"(p_wallet_id uuid, p_operation_id uuid, p_balance jsonb, p_now timestamptz)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  available bigint := (p_balance->>'available')::bigint;
  alert record;
  written jsonb := '[]';
  depleted boolean;
BEGIN
  FOR alert IN
    SELECT "id", "threshold" FROM "balance_alert"
    WHERE "wallet_id" = p_wallet_id AND "deleted_at" IS NULL AND NOT "below" AND available <= "threshold"
    ORDER BY "threshold" DESC, "id"
  LOOP
    UPDATE "balance_alert" SET "below" = true WHERE "id" = alert."id";
    written := written || event_notice_json(append_event(p_wallet_id, 'balance.below_threshold', p_operation_id,
      jsonb_build_object('alert', jsonb_build_object('id', alert."id", 'threshold', alert."threshold"::text), 'balance', p_balance), p_now));
  END LOOP;
  UPDATE "balance_alert" SET "below" = false
  WHERE "wallet_id" = p_wallet_id AND "deleted_at" IS NULL AND "below" AND available > "threshold";

  SELECT "balance_depleted" INTO depleted FROM "wallet" WHERE "id" = p_wallet_id;
  IF NOT depleted AND available <= 0 THEN
    UPDATE "wallet" SET "balance_depleted" = true WHERE "id" = p_wallet_id;
    written := written || event_notice_json(append_event(p_wallet_id, 'balance.depleted', p_operation_id, jsonb_build_object('balance', p_balance), p_now));
  ELSIF depleted AND available > 0 THEN
    UPDATE "wallet" SET "balance_depleted" = false WHERE "id" = p_wallet_id;
    written := written || event_notice_json(append_event(p_wallet_id, 'balance.recovered', p_operation_id, jsonb_build_object('balance', p_balance), p_now));
  END IF;
  RETURN written;
END;
$$;

-- `operation.completed` for each of `p_operation_ids` (one transaction's operations on the wallet,
-- in the order written), each with the balances just after it; then, when they moved credits,
-- the balance alerts on the balances the last one left. Answers the events written (event_notice_json).
CREATE FUNCTION "record_operation_events"(p_wallet_id uuid, p_operation_ids uuid[], p_now timestamptz)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  op "operation"%ROWTYPE;
  op_id uuid;
  entries jsonb;
  moved bigint;
  last_of_op bigint;
  at_sequence bigint;
  balance jsonb;
  moved_any boolean := false;
  written jsonb := '[]';
BEGIN
  -- An operation without entries left the balances the entries before it left.
  SELECT min("sequence") - 1 INTO at_sequence FROM "ledger_entry" WHERE "operation_id" = ANY (p_operation_ids);
  IF at_sequence IS NULL THEN
    SELECT "last_sequence" INTO at_sequence FROM "wallet" WHERE "id" = p_wallet_id;
  END IF;
  FOREACH op_id IN ARRAY p_operation_ids LOOP
    SELECT * INTO op FROM "operation" WHERE "id" = op_id;
    SELECT coalesce(jsonb_agg(jsonb_build_object('id', e."id", 'sequence', e."sequence"::text, 'type', e."type", 'amount', e."amount"::text,
                                                 'blockId', e."block_id", 'holdId', e."hold_id") ORDER BY e."sequence"), '[]'),
           coalesce(sum(e."amount"), 0)::bigint, max(e."sequence")
    INTO entries, moved, last_of_op
    FROM "ledger_entry" e WHERE e."operation_id" = op_id;
    moved_any := moved_any OR last_of_op IS NOT NULL;
    at_sequence := coalesce(last_of_op, at_sequence);
    balance := wallet_balance_after(p_wallet_id, p_now, at_sequence);
    written := written || event_notice_json(append_event(p_wallet_id, 'operation.completed', op_id, jsonb_build_object(
      'operation', jsonb_build_object('id', op."id", 'type', op."type", 'reference', op."reference", 'idempotencyKey', op."idempotency_key",
                                      'targetOperationId', op."target_operation_id", 'holdId', op."hold_id", 'createdAt', op."created_at"),
      'amount', moved::text, 'entries', entries, 'balance', balance), p_now));
  END LOOP;
  IF moved_any THEN
    written := written || record_balance_alerts(p_wallet_id, op_id, balance, p_now);
  END IF;
  RETURN written;
END;
$$;

-- ledger_debit as before, now also telling its events (record_operation_events) in its own
-- statement, and answering them, so the caller tells subscribers once it has committed.
CREATE OR REPLACE FUNCTION "ledger_debit"(
  p_tenant_id uuid, p_livemode boolean, p_wallet_id uuid, p_amount bigint, p_categories text[],
  p_now timestamptz, p_idempotency_key text, p_request_hash text, p_reference text,
  p_description text, p_metadata jsonb
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  w "wallet"%ROWTYPE;
  b "credit_block"%ROWTYPE;
  e "ledger_entry"%ROWTYPE;
  earlier_id uuid;
  operation_id uuid := gen_random_uuid();
  draw_ids uuid[] := '{}';
  draw_amounts bigint[] := '{}';
  still_owed bigint := p_amount;
  taken bigint;
  overdraft_room bigint;
  entry_at timestamptz;
  entries jsonb := '[]';
  blocks jsonb := '[]';
  events jsonb;
BEGIN
  SELECT * INTO w FROM "wallet"
  WHERE id = p_wallet_id AND tenant_id = p_tenant_id AND livemode = p_livemode
  FOR UPDATE;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('outcome', 'not_found');
  END IF;
  IF p_idempotency_key IS NOT NULL THEN
    SELECT id INTO earlier_id FROM "operation"
    WHERE tenant_id = p_tenant_id AND livemode = p_livemode AND idempotency_key = p_idempotency_key;
    IF FOUND THEN
      RETURN jsonb_build_object('outcome', 'replay', 'operationId', earlier_id);
    END IF;
  END IF;
  IF w.status = 'terminated' THEN
    RETURN jsonb_build_object('outcome', 'terminated');
  END IF;
  -- Lapsed holds are released by the general command path first; the caller retries after.
  IF EXISTS (SELECT 1 FROM "hold" WHERE wallet_id = w.id AND status = 'open' AND expires_at <= p_now) THEN
    RETURN jsonb_build_object('outcome', 'lapsed_holds');
  END IF;

  FOR b IN
    SELECT * FROM "credit_block"
    WHERE wallet_id = w.id AND status = 'active' AND remaining > 0 AND effective_at <= p_now
      AND (expires_at IS NULL OR expires_at > p_now)
      AND (p_categories IS NULL OR category = ANY (p_categories))
    ORDER BY priority ASC, expires_at ASC NULLS LAST, cost_basis ASC NULLS FIRST, created_at ASC, id ASC
  LOOP
    EXIT WHEN still_owed = 0;
    taken := LEAST(b.remaining, still_owed);
    draw_ids := draw_ids || b.id;
    draw_amounts := draw_amounts || taken;
    still_owed := still_owed - taken;
  END LOOP;

  overdraft_room := CASE WHEN p_categories IS NULL THEN w.overdraft_limit - w.overdraft_used ELSE 0 END;
  IF still_owed > overdraft_room THEN
    RETURN jsonb_build_object('outcome', 'insufficient', 'available', (p_amount - still_owed + overdraft_room)::text);
  END IF;

  entry_at := GREATEST(p_now, w.last_entry_at);

  INSERT INTO "operation" (id, tenant_id, livemode, wallet_id, type, idempotency_key, request_hash, reference, created_at)
  VALUES (operation_id, p_tenant_id, p_livemode, w.id, 'debit', p_idempotency_key, p_request_hash, p_reference, p_now);

  FOR i IN 1 .. coalesce(array_length(draw_ids, 1), 0) LOOP
    UPDATE "credit_block" SET remaining = remaining - draw_amounts[i], used = used + draw_amounts[i]
    WHERE id = draw_ids[i] RETURNING * INTO b;
    w.last_sequence := w.last_sequence + 1;
    INSERT INTO "ledger_entry" (id, wallet_id, block_id, operation_id, sequence, type, amount, starting_balance,
                                ending_balance, remaining_after, used_after, frozen_after, status, description,
                                metadata, reference, created_at)
    VALUES (gen_random_uuid(), w.id, b.id, operation_id, w.last_sequence, 'decrement', -draw_amounts[i], w.balance,
            w.balance - draw_amounts[i], b.remaining, b.used, b.frozen, 'committed', p_description,
            p_metadata, p_reference, entry_at)
    RETURNING * INTO e;
    w.balance := w.balance - draw_amounts[i];
    entries := entries || ledger_entry_json(e);
    blocks := blocks || credit_block_json(b);
  END LOOP;

  IF still_owed > 0 THEN
    w.last_sequence := w.last_sequence + 1;
    w.overdraft_used := w.overdraft_used + still_owed;
    INSERT INTO "ledger_entry" (id, wallet_id, block_id, operation_id, sequence, type, amount, starting_balance,
                                ending_balance, remaining_after, used_after, frozen_after, status, description,
                                metadata, reference, created_at)
    VALUES (gen_random_uuid(), w.id, NULL, operation_id, w.last_sequence, 'decrement', -still_owed, w.balance,
            w.balance - still_owed, -w.overdraft_used, 0, 0, 'committed', coalesce(p_description, 'overdraft'),
            p_metadata, p_reference, entry_at)
    RETURNING * INTO e;
    w.balance := w.balance - still_owed;
    entries := entries || ledger_entry_json(e);
  END IF;

  UPDATE "wallet"
  SET balance = w.balance, overdraft_used = w.overdraft_used, last_sequence = w.last_sequence,
      last_entry_at = entry_at, updated_at = p_now
  WHERE id = w.id;

  events := record_operation_events(w.id, ARRAY[operation_id], p_now);
  SELECT * INTO w FROM "wallet" WHERE id = w.id;

  RETURN jsonb_build_object(
    'outcome', 'debited',
    'operation', jsonb_build_object('id', operation_id, 'tenantId', p_tenant_id, 'livemode', p_livemode, 'walletId', w.id,
      'type', 'debit', 'idempotencyKey', p_idempotency_key, 'requestHash', p_request_hash, 'reference', p_reference,
      'targetOperationId', NULL, 'holdId', NULL, 'createdAt', p_now),
    'wallet', wallet_json(w), 'entries', entries, 'blocks', blocks, 'events', events,
    'walletBlocks', (SELECT coalesce(jsonb_agg(credit_block_json(cb) ORDER BY cb.created_at, cb.id), '[]')
                     FROM "credit_block" cb WHERE cb.wallet_id = w.id));
END;
$$;

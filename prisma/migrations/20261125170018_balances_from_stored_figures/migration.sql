-- Balances from stored figures instead of a replay of the ledger (src/ledger/balances.ts).
-- Edited by hand after generation: the entries' new columns are added empty, backfilled from the
-- entries themselves, then made NOT NULL; ledger_debit and its JSON helpers fill them from now on.
--
-- What is stored, with the rule src/ledger/block-figures.ts states once for the ledger:
--   credit_block.used / .frozen      spent from the block (debits and captures, less refunds back
--                                    into it) / reserved on it by open holds;
--   ledger_entry.*_after             the block's remaining, used and frozen credits just after the
--                                    entry, in (created_at, sequence) order; for an overdraft entry
--                                    (no block) minus what is overdrawn, 0 and 0;
--   wallet.last_entry_at             the time of the wallet's latest entry; no entry is stamped
--                                    earlier, so new entries keep that order as they are appended.

-- DropIndex
DROP INDEX "ledger_entry_block_id_created_at_idx";

-- AlterTable
ALTER TABLE "credit_block" ADD COLUMN     "frozen" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "used" BIGINT NOT NULL DEFAULT 0;

-- AlterTable (NOT NULL once backfilled, below)
ALTER TABLE "ledger_entry" ADD COLUMN     "frozen_after" BIGINT,
ADD COLUMN     "remaining_after" BIGINT,
ADD COLUMN     "used_after" BIGINT;

-- AlterTable
ALTER TABLE "wallet" ADD COLUMN     "last_entry_at" TIMESTAMPTZ(3);

-- ---------------------------------------------------------------------------------------------
-- Written by hand.
-- ---------------------------------------------------------------------------------------------

-- The one UPDATE ledger entries ever get: filling the columns they were written without. The
-- append-only trigger is off for this statement only, inside this migration's transaction.
ALTER TABLE "ledger_entry" DISABLE TRIGGER "ledger_entry_no_update_or_delete";
UPDATE "ledger_entry" e
SET "remaining_after" = running.remaining, "used_after" = running.used, "frozen_after" = running.frozen
FROM (
  SELECT e.id,
         SUM(e.amount) OVER account AS remaining,
         SUM(CASE WHEN e.block_id IS NULL THEN 0
                  WHEN e.type IN ('decrement', 'capture') THEN -e.amount
                  WHEN e.type = 'refund' AND b.source <> 'refund' THEN -e.amount
                  ELSE 0 END) OVER account AS used,
         SUM(CASE WHEN e.block_id IS NULL THEN 0
                  WHEN e.type IN ('hold', 'hold_release') THEN -e.amount
                  ELSE 0 END) OVER account AS frozen
  FROM "ledger_entry" e LEFT JOIN "credit_block" b ON b.id = e.block_id
  WINDOW account AS (PARTITION BY e.wallet_id, e.block_id ORDER BY e.created_at, e.sequence ROWS UNBOUNDED PRECEDING)
) running
WHERE running.id = e.id;
ALTER TABLE "ledger_entry" ENABLE TRIGGER "ledger_entry_no_update_or_delete";

ALTER TABLE "ledger_entry" ALTER COLUMN "frozen_after" SET NOT NULL,
ALTER COLUMN "remaining_after" SET NOT NULL,
ALTER COLUMN "used_after" SET NOT NULL;

UPDATE "credit_block" b SET "used" = sums.used, "frozen" = sums.frozen
FROM (
  SELECT e.block_id,
         SUM(CASE WHEN e.type IN ('decrement', 'capture') THEN -e.amount
                  WHEN e.type = 'refund' AND b.source <> 'refund' THEN -e.amount
                  ELSE 0 END) AS used,
         SUM(CASE WHEN e.type IN ('hold', 'hold_release') THEN -e.amount ELSE 0 END) AS frozen
  FROM "ledger_entry" e JOIN "credit_block" b ON b.id = e.block_id
  GROUP BY e.block_id
) sums
WHERE sums.block_id = b.id;

UPDATE "wallet" w SET "last_entry_at" = latest.created_at
FROM (SELECT wallet_id, MAX(created_at) AS created_at FROM "ledger_entry" GROUP BY wallet_id) latest
WHERE latest.wallet_id = w.id;

ALTER TABLE "credit_block" ADD CONSTRAINT "credit_block_frozen_non_negative" CHECK ("frozen" >= 0);
-- An overdraft entry carries no used or frozen credits. (Its remaining is not held to ≤ 0 row by
-- row: entries stamped out of time order before this migration can take it above 0 for a while.)
ALTER TABLE "ledger_entry" ADD CONSTRAINT "ledger_entry_overdraft_figures" CHECK (
  "block_id" IS NOT NULL OR ("used_after" = 0 AND "frozen_after" = 0)
);

-- CreateIndex
CREATE INDEX "ledger_entry_block_id_created_at_sequence_idx" ON "ledger_entry"("block_id", "created_at", "sequence");
-- The overdraft account's last entry before an instant, per wallet.
CREATE INDEX "ledger_entry_overdraft_idx" ON "ledger_entry"("wallet_id", "created_at", "sequence") WHERE "block_id" IS NULL;

-- The JSON helpers of ledger_debit carry the new columns (STABLE, as before: they format times).
CREATE OR REPLACE FUNCTION "ledger_entry_json"(e "ledger_entry") RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', e.id, 'walletId', e.wallet_id, 'blockId', e.block_id, 'operationId', e.operation_id, 'holdId', e.hold_id,
    'sequence', e.sequence::text, 'type', e.type, 'amount', e.amount::text,
    'startingBalance', e.starting_balance::text, 'endingBalance', e.ending_balance::text,
    'remainingAfter', e.remaining_after::text, 'usedAfter', e.used_after::text, 'frozenAfter', e.frozen_after::text,
    'status', e.status, 'description', e.description, 'metadata', e.metadata, 'reference', e.reference,
    'createdAt', e.created_at)
$$;

CREATE OR REPLACE FUNCTION "credit_block_json"(b "credit_block") RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', b.id, 'walletId', b.wallet_id, 'operationId', b.operation_id, 'amount', b.amount::text,
    'remaining', b.remaining::text, 'used', b.used::text, 'frozen', b.frozen::text,
    'category', b.category, 'priority', b.priority, 'costBasis', b.cost_basis::text,
    'effectiveAt', b.effective_at, 'expiresAt', b.expires_at, 'status', b.status, 'source', b.source,
    'description', b.description, 'metadata', b.metadata, 'createdAt', b.created_at)
$$;

CREATE OR REPLACE FUNCTION "wallet_json"(w "wallet") RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', w.id, 'tenantId', w.tenant_id, 'livemode', w.livemode, 'customerId', w.customer_id, 'name', w.name,
    'currency', w.currency, 'scale', w.scale, 'status', w.status, 'overdraftLimit', w.overdraft_limit::text,
    'overdraftUsed', w.overdraft_used::text, 'defaultExpiryDays', w.default_expiry_days, 'metadata', w.metadata,
    'balance', w.balance::text, 'lastSequence', w.last_sequence::text, 'lastEntryAt', w.last_entry_at,
    'createdAt', w.created_at, 'updatedAt', w.updated_at, 'terminatedAt', w.terminated_at)
$$;

-- ledger_debit as before, now also writing the figures: a decrement adds to the block's `used`
-- and carries the block's figures after it; an overdraft entry carries minus the overdraft.
-- Entries are stamped no earlier than the wallet's latest (GREATEST ignores a NULL).
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
  WHERE id = w.id
  RETURNING * INTO w;

  RETURN jsonb_build_object(
    'outcome', 'debited',
    'operation', jsonb_build_object('id', operation_id, 'tenantId', p_tenant_id, 'livemode', p_livemode, 'walletId', w.id,
      'type', 'debit', 'idempotencyKey', p_idempotency_key, 'requestHash', p_request_hash, 'reference', p_reference,
      'targetOperationId', NULL, 'holdId', NULL, 'createdAt', p_now),
    'wallet', wallet_json(w), 'entries', entries, 'blocks', blocks);
END;
$$;

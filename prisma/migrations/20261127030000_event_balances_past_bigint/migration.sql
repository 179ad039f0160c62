-- A wallet's figures each fit a bigint, but some sums of them need not (total = remaining + used
-- + frozen of a wallet at the largest balance the ledger holds; an operation's net amount). The
-- balances and amounts events tell are worked out as numeric and told as text, as every amount is.
CREATE OR REPLACE FUNCTION "wallet_balance_after"(p_wallet_id uuid, p_at timestamptz, p_until_sequence bigint)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
  overdraft numeric;
  f record;
BEGIN
  SELECT w."overdraft_used"::numeric + coalesce((SELECT sum(e."amount") FROM "ledger_entry" e
                                        WHERE e."wallet_id" = w."id" AND e."sequence" > p_until_sequence AND e."block_id" IS NULL), 0)
  INTO overdraft
  FROM "wallet" w WHERE w."id" = p_wallet_id;

  SELECT coalesce(sum(a.remaining::numeric + a.used + a.frozen) FILTER (WHERE a.active), 0) AS total,
         coalesce(sum(a.used) FILTER (WHERE a.active), 0) AS used,
         coalesce(sum(a.frozen) FILTER (WHERE a.active), 0) AS frozen,
         coalesce(sum(a.remaining) FILTER (WHERE a.active), 0) AS available,
         coalesce(sum(a.remaining), 0) AS ledger
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

CREATE OR REPLACE FUNCTION "record_balance_alerts"(p_wallet_id uuid, p_operation_id uuid, p_balance jsonb, p_now timestamptz)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  available numeric := (p_balance->>'available')::numeric;
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

CREATE OR REPLACE FUNCTION "record_operation_events"(p_wallet_id uuid, p_operation_ids uuid[], p_now timestamptz)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  op "operation"%ROWTYPE;
  op_id uuid;
  entries jsonb;
  moved numeric;
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
           coalesce(sum(e."amount"), 0), max(e."sequence")
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

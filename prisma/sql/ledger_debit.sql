-- The current definition of ledger_debit, as pg_get_functiondef gives it back; test/db/sql-functions.test.ts
-- holds it to the migrated database. Defined last by migration 20261207111000_wallet_consumption_order.
-- Change it with a new migration that replaces it, then copy the new definition here.
--
-- Spends credits in consumption order under the wallet's row lock, as one statement (see
-- src/ledger/commands/debit.ts), and tells its `operation.completed` and the balance alerts it
-- crossed in the same transaction. One pass: the blocks drawn on are read once, the wallet row is
-- updated once, the balances after come from one read of the wallet's blocks as the debit left
-- them (never from its entries), and each JSON value is built once.
CREATE OR REPLACE FUNCTION public.ledger_debit(p_tenant_id uuid, p_livemode boolean, p_wallet_id uuid, p_amount bigint, p_categories text[], p_feature text, p_now timestamp with time zone, p_idempotency_key text, p_request_hash text, p_reference text, p_description text, p_metadata jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
AS $function$
DECLARE
  w "wallet"%ROWTYPE;
  b "credit_block"%ROWTYPE;
  e "ledger_entry"%ROWTYPE;
  earlier_id uuid;
  operation_id uuid := gen_random_uuid();
  -- As the operation's column keeps it, so that the answer and the event tell the stored instant.
  created_at timestamptz := p_now::timestamptz(3);
  draw_ids uuid[] := '{}';
  draw_amounts bigint[] := '{}';
  still_owed bigint := p_amount;
  taken bigint;
  overdraft_room bigint;
  entry_at timestamptz;
  entries jsonb := '[]';
  told_entries jsonb := '[]';
  blocks jsonb := '[]';
  wallet_blocks jsonb;
  f record;
  balance jsonb;
  available numeric;
  crossings jsonb := '[]';
  crossing jsonb;
  event_sequence bigint;
  event_id uuid;
  events jsonb := '[]';
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
      -- Blocks for any usage, and those that apply to the feature (a debit without one has none).
      AND (cardinality(applies_to) = 0 OR p_feature = ANY (applies_to))
    -- src/ledger/consumption.ts: scoped first, the wallet's rule, then priority, expiry, free before paid, cost basis, oldest.
    -- The wallet's rule puts its own keys first; under another rule they are null for every block.
    ORDER BY cardinality(applies_to) = 0 ASC,
             CASE WHEN w.consumption_order = 'cheapest_first' THEN category = 'paid' END ASC,
             CASE WHEN w.consumption_order = 'cheapest_first' THEN cost_basis END ASC NULLS FIRST,
             CASE WHEN w.consumption_order = 'soonest_expiry' THEN expires_at END ASC NULLS LAST,
             priority ASC, expires_at ASC NULLS LAST, category = 'paid' ASC, cost_basis ASC NULLS FIRST, created_at ASC, id ASC
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

  INSERT INTO "operation" (id, tenant_id, livemode, wallet_id, type, idempotency_key, request_hash, reference, feature, created_at)
  VALUES (operation_id, p_tenant_id, p_livemode, w.id, 'debit', p_idempotency_key, p_request_hash, p_reference, p_feature, created_at);

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
    told_entries := told_entries || jsonb_build_object('id', e.id, 'sequence', e.sequence::text, 'type', e.type,
                                                       'amount', e.amount::text, 'blockId', e.block_id, 'holdId', e.hold_id);
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
    told_entries := told_entries || jsonb_build_object('id', e.id, 'sequence', e.sequence::text, 'type', e.type,
                                                       'amount', e.amount::text, 'blockId', e.block_id, 'holdId', e.hold_id);
  END IF;

  -- The balances after the debit (src/ledger/balances.ts: available = total − used − frozen over
  -- the blocks in force, less the overdraft), from the wallet's blocks as they now stand, in the
  -- same read as the blocks the answer carries. Sums as numeric: a wallet's figures fit a bigint,
  -- their sums need not.
  SELECT coalesce(jsonb_agg(credit_block_json(cb) ORDER BY cb.created_at, cb.id), '[]') AS wallet_blocks,
         coalesce(sum(cb.remaining::numeric + cb.used + cb.frozen) FILTER (WHERE x.in_force), 0) AS total,
         coalesce(sum(cb.used) FILTER (WHERE x.in_force), 0) AS used,
         coalesce(sum(cb.frozen) FILTER (WHERE x.in_force), 0) AS frozen,
         coalesce(sum(cb.remaining) FILTER (WHERE x.in_force), 0) AS available,
         coalesce(sum(cb.remaining), 0) AS ledger
  INTO f
  FROM "credit_block" cb
  CROSS JOIN LATERAL (SELECT cb.effective_at <= p_now AND (cb.expires_at IS NULL OR p_now < cb.expires_at) AS in_force) x
  WHERE cb.wallet_id = w.id;
  wallet_blocks := f.wallet_blocks;
  available := f.available - w.overdraft_used;
  balance := jsonb_build_object(
    'available', available::text, 'total', f.total::text, 'used', (f.used + w.overdraft_used)::text,
    'frozen', f.frozen::text, 'ledgerBalance', (f.ledger - w.overdraft_used)::text, 'overdraftUsed', w.overdraft_used::text);

  -- Its events, numbered on from the wallet's last: `operation.completed`, then the alerts crossed.
  event_sequence := w.last_event_sequence + 1;
  INSERT INTO "event" (tenant_id, livemode, wallet_id, sequence, type, operation_id, payload, created_at)
  VALUES (w.tenant_id, w.livemode, w.id, event_sequence, 'operation.completed', operation_id, jsonb_build_object(
    'operation', jsonb_build_object('id', operation_id, 'type', 'debit', 'reference', p_reference, 'idempotencyKey', p_idempotency_key,
                                    'targetOperationId', NULL, 'holdId', NULL, 'feature', p_feature, 'createdAt', created_at),
    'amount', (-p_amount)::text, 'entries', told_entries, 'balance', balance), p_now)
  RETURNING id INTO event_id;
  events := events || jsonb_build_object('id', event_id, 'walletId', w.id, 'sequence', event_sequence::text, 'type', 'operation.completed');
  -- A wallet with no alert and no change of its depleted flag has nothing to tell: one probe of
  -- balance_alert_live_by_wallet finds so.
  IF w.balance_depleted <> (available <= 0) OR EXISTS (SELECT 1 FROM "balance_alert" WHERE wallet_id = w.id AND deleted_at IS NULL) THEN
    crossings := balance_alert_crossings(w.id, available, w.balance_depleted);
  END IF;
  FOR crossing IN SELECT value FROM jsonb_array_elements(crossings) LOOP
    event_sequence := event_sequence + 1;
    INSERT INTO "event" (tenant_id, livemode, wallet_id, sequence, type, operation_id, payload, created_at)
    VALUES (w.tenant_id, w.livemode, w.id, event_sequence, crossing->>'type', operation_id,
            CASE WHEN crossing ? 'alert' THEN jsonb_build_object('alert', crossing->'alert', 'balance', balance)
                 ELSE jsonb_build_object('balance', balance) END, p_now)
    RETURNING id INTO event_id;
    events := events || jsonb_build_object('id', event_id, 'walletId', w.id, 'sequence', event_sequence::text, 'type', crossing->>'type');
  END LOOP;

  UPDATE "wallet"
  SET balance = w.balance, overdraft_used = w.overdraft_used, last_sequence = w.last_sequence,
      last_entry_at = entry_at, updated_at = p_now, last_event_sequence = event_sequence,
      balance_depleted = available <= 0
  WHERE id = w.id
  RETURNING * INTO w;

  RETURN jsonb_build_object(
    'outcome', 'debited',
    'operation', jsonb_build_object('id', operation_id, 'tenantId', p_tenant_id, 'livemode', p_livemode, 'walletId', w.id,
      'type', 'debit', 'idempotencyKey', p_idempotency_key, 'requestHash', p_request_hash, 'reference', p_reference,
      'targetOperationId', NULL, 'holdId', NULL, 'feature', p_feature, 'createdAt', created_at),
    'wallet', wallet_json(w), 'entries', entries, 'blocks', blocks, 'events', events, 'walletBlocks', wallet_blocks);
END;
$function$;

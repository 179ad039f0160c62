-- ledger_debit also answers with every block of the wallet as the debit left it, so the caller
-- has the wallet's balances after the debit (src/ledger/balances.ts, `balanceFromBlocks`) from
-- the same statement, consistent with it and without another round trip. Otherwise as before.
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
    'wallet', wallet_json(w), 'entries', entries, 'blocks', blocks,
    'walletBlocks', (SELECT coalesce(jsonb_agg(credit_block_json(cb) ORDER BY cb.created_at, cb.id), '[]')
                     FROM "credit_block" cb WHERE cb.wallet_id = w.id));
END;
$$;

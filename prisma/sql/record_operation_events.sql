-- The current definition of record_operation_events, as pg_get_functiondef gives it back; test/db/sql-functions.test.ts
-- holds it to the migrated database. Defined last by migration 20261207110000_scoped_credits.
-- Change it with a new migration that replaces it, then copy the new definition here.
--
-- `operation.completed` for each of `p_operation_ids` (one transaction's operations on the wallet,
-- in the order written), each with the balances just after it; then, when they moved credits,
-- the balance alerts on the balances the last one left. Answers the events written (event_notice_json).
-- Called by the general command path (src/ledger/wallet-ledger.ts); ledger_debit writes the same
-- event itself. The net amount is numeric, told as text: it need not fit a bigint.
CREATE OR REPLACE FUNCTION public.record_operation_events(p_wallet_id uuid, p_operation_ids uuid[], p_now timestamp with time zone)
 RETURNS jsonb
 LANGUAGE plpgsql
AS $function$
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
                                      'targetOperationId', op."target_operation_id", 'holdId', op."hold_id", 'feature', op."feature",
                                      'createdAt', op."created_at"),
      'amount', moved::text, 'entries', entries, 'balance', balance), p_now));
  END LOOP;
  IF moved_any THEN
    written := written || record_balance_alerts(p_wallet_id, op_id, balance, p_now);
  END IF;
  RETURN written;
END;
$function$;

-- The current definition of record_balance_alerts, as pg_get_functiondef gives it back; test/db/sql-functions.test.ts
-- holds it to the migrated database. Defined last by migration 20261207030000_debit_in_one_pass.
-- Change it with a new migration that replaces it, then copy the new definition here.
--
-- The general command path's alerts (record_operation_events): balance_alert_crossings, each told
-- through append_event, and the wallet's flag moved when it changes.
CREATE OR REPLACE FUNCTION public.record_balance_alerts(p_wallet_id uuid, p_operation_id uuid, p_balance jsonb, p_now timestamp with time zone)
 RETURNS jsonb
 LANGUAGE plpgsql
AS $function$
DECLARE
  available numeric := (p_balance->>'available')::numeric;
  depleted boolean;
  crossing jsonb;
  written jsonb := '[]';
BEGIN
  SELECT "balance_depleted" INTO depleted FROM "wallet" WHERE "id" = p_wallet_id;
  FOR crossing IN SELECT value FROM jsonb_array_elements(balance_alert_crossings(p_wallet_id, available, depleted)) LOOP
    written := written || event_notice_json(append_event(p_wallet_id, crossing->>'type', p_operation_id,
      CASE WHEN crossing ? 'alert' THEN jsonb_build_object('alert', crossing->'alert', 'balance', p_balance)
           ELSE jsonb_build_object('balance', p_balance) END, p_now));
  END LOOP;
  IF depleted <> (available <= 0) THEN
    UPDATE "wallet" SET "balance_depleted" = (available <= 0) WHERE "id" = p_wallet_id;
  END IF;
  RETURN written;
END;
$function$;

-- The current definition of balance_alert_crossings, as pg_get_functiondef gives it back; test/db/sql-functions.test.ts
-- holds it to the migrated database. Defined last by migration 20261207030000_debit_in_one_pass.
-- Change it with a new migration that replaces it, then copy the new definition here.
--
-- The balance alerts a movement crosses, judged under the wallet's row lock on the available
-- credits it left, and their rows moved: armed alerts at or above those credits fire (landing on
-- the threshold crosses it) and those below them re-arm; `balance.depleted` when the credits are
-- at or below zero and the wallet was not depleted, `balance.recovered` when above zero and it
-- was. Answers what to tell, in order: [{"type": …, "alert": {id, threshold} | absent}]. The
-- wallet's flag is the caller's to move (it is depleted after, exactly when the credits are <= 0).
-- PL/pgSQL, so that its plan is kept across calls (an SQL function's is made at each call).
CREATE OR REPLACE FUNCTION public.balance_alert_crossings(p_wallet_id uuid, p_available numeric, p_depleted boolean)
 RETURNS jsonb
 LANGUAGE plpgsql
AS $function$
DECLARE
  told jsonb;
BEGIN
  WITH moved AS (
    UPDATE "balance_alert" SET "below" = p_available <= "threshold"
    WHERE "wallet_id" = p_wallet_id AND "deleted_at" IS NULL AND "below" <> (p_available <= "threshold")
    RETURNING "id", "threshold", "below"
  )
  SELECT coalesce(jsonb_agg(jsonb_build_object('type', 'balance.below_threshold', 'alert',
                                               jsonb_build_object('id', m."id", 'threshold', m."threshold"::text))
                            ORDER BY m."threshold" DESC, m."id"), '[]')
  INTO told
  FROM moved m WHERE m."below";
  IF NOT p_depleted AND p_available <= 0 THEN
    told := told || '[{"type": "balance.depleted"}]';
  ELSIF p_depleted AND p_available > 0 THEN
    told := told || '[{"type": "balance.recovered"}]';
  END IF;
  RETURN told;
END;
$function$;

-- The current definition of ledger_debits, as pg_get_functiondef gives it back; test/db/sql-functions.test.ts
-- holds it to the migrated database. Defined last by migration 20261207140000_debit_batches.
-- Change it with a new migration that replaces it, then copy the new definition here.
--
-- Debits that arrived together, in one statement and one commit (src/ledger/debit-batches.ts):
-- ledger_debit for each, its arguments given by name, in the order given (the caller orders them
-- by wallet, so that batches lock wallets in one order); their answers in that order.
CREATE OR REPLACE FUNCTION public.ledger_debits(p_debits jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
AS $function$
DECLARE
  d jsonb;
  answers jsonb[] := '{}';
BEGIN
  FOR d IN SELECT value FROM jsonb_array_elements(p_debits) LOOP
    answers := answers || ledger_debit(
      (d->>'tenantId')::uuid, (d->>'livemode')::boolean, (d->>'walletId')::uuid, (d->>'amount')::bigint,
      CASE WHEN jsonb_typeof(d->'categories') = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(d->'categories')) END,
      d->>'feature', (d->>'now')::timestamptz, d->>'idempotencyKey', d->>'requestHash', d->>'reference', d->>'description',
      d->'metadata');
  END LOOP;
  RETURN to_jsonb(answers);
END
$function$;

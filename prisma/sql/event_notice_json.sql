-- The current definition of event_notice_json, as pg_get_functiondef gives it back; test/db/sql-functions.test.ts
-- holds it to the migrated database. Defined last by migration 20261127010000_operation_events_and_balance_alerts.
-- Change it with a new migration that replaces it, then copy the new definition here.
--
-- What callers learn of an event they wrote: enough to tell subscribers after commit (decoded as
-- eventNoticesFromJson in src/ledger/events.ts).
CREATE OR REPLACE FUNCTION public.event_notice_json(e event)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
AS $function$
  SELECT jsonb_build_object('id', e.id, 'walletId', e.wallet_id, 'sequence', e.sequence::text, 'type', e.type)
$function$;

-- The current definition of event_reject_change, as pg_get_functiondef gives it back; test/db/sql-functions.test.ts
-- holds it to the migrated database. Defined last by migration 20261127000000_event_log.
-- Change it with a new migration that replaces it, then copy the new definition here.
--
-- Trigger function of event_no_update_or_delete (BEFORE UPDATE OR DELETE ON event, FOR EACH ROW)
-- and event_no_truncate (BEFORE TRUNCATE ON event, FOR EACH STATEMENT).
-- Events are append-only, like ledger entries: what happened stays as it was told.
CREATE OR REPLACE FUNCTION public.event_reject_change()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP USING ERRCODE = 'restrict_violation';
END;
$function$;

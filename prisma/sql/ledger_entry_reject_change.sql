-- The current definition of ledger_entry_reject_change, as pg_get_functiondef gives it back; test/db/sql-functions.test.ts
-- holds it to the migrated database. Defined last by migration 20261123053024_init.
-- Change it with a new migration that replaces it, then copy the new definition here.
--
-- Trigger function of ledger_entry_no_update_or_delete (BEFORE UPDATE OR DELETE ON ledger_entry,
-- FOR EACH ROW) and ledger_entry_no_truncate (BEFORE TRUNCATE ON ledger_entry, FOR EACH STATEMENT).
-- Ledger entries are append-only: corrections are new entries, never edits.
CREATE OR REPLACE FUNCTION public.ledger_entry_reject_change()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  RAISE EXCEPTION 'ledger entries are append-only: % is not allowed', TG_OP USING ERRCODE = 'restrict_violation';
END;
$function$;

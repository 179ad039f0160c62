-- The current definition of append_event, as pg_get_functiondef gives it back; test/db/sql-functions.test.ts
-- holds it to the migrated database. Defined last by migration 20261127000000_event_log.
-- Change it with a new migration that replaces it, then copy the new definition here.
--
-- The one way to write an event: takes the wallet's next sequence number (locking its row, which
-- the ledger's commands hold already) and inserts the event with it. SQL so that ledger_debit,
-- which runs as one statement, appends its events the same way the TypeScript commands do
-- (src/ledger/events.ts).
CREATE OR REPLACE FUNCTION public.append_event(p_wallet_id uuid, p_type text, p_operation_id uuid, p_payload jsonb, p_created_at timestamp with time zone)
 RETURNS event
 LANGUAGE sql
AS $function$
  WITH numbered AS (
    UPDATE "wallet" SET "last_event_sequence" = "last_event_sequence" + 1
    WHERE "id" = p_wallet_id
    RETURNING "tenant_id", "livemode", "last_event_sequence"
  )
  INSERT INTO "event" ("tenant_id", "livemode", "wallet_id", "sequence", "type", "operation_id", "payload", "created_at")
  SELECT "tenant_id", "livemode", p_wallet_id, "last_event_sequence", p_type, p_operation_id, p_payload, p_created_at
  FROM numbered
  RETURNING *;
$function$;

-- The current definition of enqueue_webhook_deliveries, as pg_get_functiondef gives it back; test/db/sql-functions.test.ts
-- holds it to the migrated database. Defined last by migration 20261127110000_webhooks.
-- Change it with a new migration that replaces it, then copy the new definition here.
--
-- Trigger function of event_webhook_deliveries (AFTER INSERT ON event, FOR EACH ROW).
-- A delivery for each endpoint of the event's tenant and mode that takes its type, written in the
-- transaction that writes the event: an event committed has its deliveries, one rolled back has
-- none, and no cursor over events can miss one that committed late. It costs the ledger's
-- transaction one indexed read of the tenant's endpoints; the sending happens outside it.
CREATE OR REPLACE FUNCTION public.enqueue_webhook_deliveries()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  INSERT INTO "webhook_delivery" ("event_id", "endpoint_id", "wallet_id", "sequence", "next_attempt_at", "created_at", "updated_at")
  SELECT NEW."id", e."id", NEW."wallet_id", NEW."sequence", NEW."created_at", NEW."created_at", NEW."created_at"
  FROM "webhook_endpoint" e
  WHERE e."tenant_id" = NEW."tenant_id" AND e."livemode" = NEW."livemode"
    AND (NEW."type" = ANY (e."event_types") OR '*' = ANY (e."event_types"));
  RETURN NULL;
END
$function$;

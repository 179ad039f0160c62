-- The current definition of wallet_json, as pg_get_functiondef gives it back; test/db/sql-functions.test.ts
-- holds it to the migrated database. Defined last by migration 20261207111000_wallet_consumption_order.
-- Change it with a new migration that replaces it, then copy the new definition here.
--
-- A wallet as ledger_debit answers it, amounts and sequences as text so that no bigint passes
-- through a JSON number; decoded by walletFromJson in src/ledger/rows.ts (STABLE: it formats times).
CREATE OR REPLACE FUNCTION public.wallet_json(w wallet)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
AS $function$
  SELECT jsonb_build_object(
    'id', w.id, 'tenantId', w.tenant_id, 'livemode', w.livemode, 'customerId', w.customer_id, 'name', w.name,
    'currency', w.currency, 'scale', w.scale, 'status', w.status, 'overdraftLimit', w.overdraft_limit::text,
    'overdraftUsed', w.overdraft_used::text, 'defaultExpiryDays', w.default_expiry_days,
    'defaultAppliesTo', to_jsonb(w.default_applies_to), 'consumptionOrder', w.consumption_order, 'metadata', w.metadata,
    'balance', w.balance::text, 'lastSequence', w.last_sequence::text, 'lastEntryAt', w.last_entry_at,
    'lastEventSequence', w.last_event_sequence::text, 'balanceDepleted', w.balance_depleted,
    'createdAt', w.created_at, 'updatedAt', w.updated_at, 'terminatedAt', w.terminated_at)
$function$;

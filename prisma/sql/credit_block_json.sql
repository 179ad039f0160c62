-- The current definition of credit_block_json, as pg_get_functiondef gives it back; test/db/sql-functions.test.ts
-- holds it to the migrated database. Defined last by migration 20261207110000_scoped_credits.
-- Change it with a new migration that replaces it, then copy the new definition here.
--
-- A credit block as ledger_debit answers it, amounts as text so that no bigint passes through a
-- JSON number; decoded by creditBlockFromJson in src/ledger/rows.ts (STABLE: it formats times).
CREATE OR REPLACE FUNCTION public.credit_block_json(b credit_block)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
AS $function$
  SELECT jsonb_build_object(
    'id', b.id, 'walletId', b.wallet_id, 'operationId', b.operation_id, 'amount', b.amount::text,
    'remaining', b.remaining::text, 'used', b.used::text, 'frozen', b.frozen::text,
    'category', b.category, 'appliesTo', to_jsonb(b.applies_to), 'priority', b.priority, 'costBasis', b.cost_basis::text,
    'effectiveAt', b.effective_at, 'expiresAt', b.expires_at, 'status', b.status, 'source', b.source,
    'description', b.description, 'metadata', b.metadata, 'createdAt', b.created_at)
$function$;

-- The current definition of ledger_entry_json, as pg_get_functiondef gives it back; test/db/sql-functions.test.ts
-- holds it to the migrated database. Defined last by migration 20261125170018_balances_from_stored_figures.
-- Change it with a new migration that replaces it, then copy the new definition here.
--
-- A ledger entry as ledger_debit answers it, amounts and sequence as text so that no bigint passes
-- through a JSON number; decoded by ledgerEntryFromJson in src/ledger/rows.ts (STABLE: it formats times).
CREATE OR REPLACE FUNCTION public.ledger_entry_json(e ledger_entry)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
AS $function$
  SELECT jsonb_build_object(
    'id', e.id, 'walletId', e.wallet_id, 'blockId', e.block_id, 'operationId', e.operation_id, 'holdId', e.hold_id,
    'sequence', e.sequence::text, 'type', e.type, 'amount', e.amount::text,
    'startingBalance', e.starting_balance::text, 'endingBalance', e.ending_balance::text,
    'remainingAfter', e.remaining_after::text, 'usedAfter', e.used_after::text, 'frozenAfter', e.frozen_after::text,
    'status', e.status, 'description', e.description, 'metadata', e.metadata, 'reference', e.reference,
    'createdAt', e.created_at)
$function$;

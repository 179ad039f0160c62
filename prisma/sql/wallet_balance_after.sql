-- The current definition of wallet_balance_after, as pg_get_functiondef gives it back; test/db/sql-functions.test.ts
-- holds it to the migrated database. Defined last by migration 20261127030000_event_balances_past_bigint.
-- Change it with a new migration that replaces it, then copy the new definition here.
--
-- The wallet's balances (src/ledger/balances.ts: available = total − used − frozen over the
-- blocks effective at `p_at`, less the overdraft) just after its entry `p_until_sequence`, read in
-- the transaction that wrote the entries. Blocks with entries after it (written by the same
-- transaction, so few) are read from their last entry up to it; every other block as it stands.
-- Worked out as numeric and told as text: some sums of a wallet's figures need not fit a bigint.
CREATE OR REPLACE FUNCTION public.wallet_balance_after(p_wallet_id uuid, p_at timestamp with time zone, p_until_sequence bigint)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
AS $function$
DECLARE
  overdraft numeric;
  f record;
BEGIN
  SELECT w."overdraft_used"::numeric + coalesce((SELECT sum(e."amount") FROM "ledger_entry" e
                                        WHERE e."wallet_id" = w."id" AND e."sequence" > p_until_sequence AND e."block_id" IS NULL), 0)
  INTO overdraft
  FROM "wallet" w WHERE w."id" = p_wallet_id;

  SELECT coalesce(sum(a.remaining::numeric + a.used + a.frozen) FILTER (WHERE a.active), 0) AS total,
         coalesce(sum(a.used) FILTER (WHERE a.active), 0) AS used,
         coalesce(sum(a.frozen) FILTER (WHERE a.active), 0) AS frozen,
         coalesce(sum(a.remaining) FILTER (WHERE a.active), 0) AS available,
         coalesce(sum(a.remaining), 0) AS ledger
  INTO f
  FROM (
    SELECT b."effective_at" <= p_at AND (b."expires_at" IS NULL OR p_at < b."expires_at") AS active,
           CASE WHEN later.block_id IS NULL THEN b."remaining" ELSE coalesce(e."remaining_after", 0) END AS remaining,
           CASE WHEN later.block_id IS NULL THEN b."used" ELSE coalesce(e."used_after", 0) END AS used,
           CASE WHEN later.block_id IS NULL THEN b."frozen" ELSE coalesce(e."frozen_after", 0) END AS frozen
    FROM "credit_block" b
    LEFT JOIN (SELECT DISTINCT "block_id" FROM "ledger_entry"
               WHERE "wallet_id" = p_wallet_id AND "sequence" > p_until_sequence AND "block_id" IS NOT NULL) later
      ON later.block_id = b."id"
    LEFT JOIN LATERAL (
      SELECT le."remaining_after", le."used_after", le."frozen_after" FROM "ledger_entry" le
      WHERE later.block_id IS NOT NULL AND le."block_id" = b."id" AND le."sequence" <= p_until_sequence
      ORDER BY le."created_at" DESC, le."sequence" DESC LIMIT 1) e ON true
    WHERE b."wallet_id" = p_wallet_id
  ) a;

  RETURN jsonb_build_object(
    'available', (f.available - overdraft)::text, 'total', f.total::text, 'used', (f.used + overdraft)::text,
    'frozen', f.frozen::text, 'ledgerBalance', (f.ledger - overdraft)::text, 'overdraftUsed', overdraft::text);
END;
$function$;

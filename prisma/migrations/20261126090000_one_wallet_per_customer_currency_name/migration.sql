-- Written by hand (Prisma cannot express an index on an expression with a predicate).
--
-- A customer has at most one active wallet per currency (or custom unit) and name; a wallet
-- without a name counts as one name, so a second unnamed wallet in a currency is refused unless
-- it is named. Terminated wallets do not count. Customers who were given duplicates before this
-- rule keep every wallet and its balance: all but the oldest of each group get their id added to
-- their name, which sets them apart.
UPDATE "wallet" AS w
SET "name" = btrim(COALESCE(w."name", '') || ' (' || w."id"::text || ')')
FROM (
  SELECT "id", row_number() OVER (PARTITION BY "customer_id", "currency", COALESCE("name", '') ORDER BY "created_at", "id") AS "rank"
  FROM "wallet"
  WHERE "status" = 'active'
) AS duplicate
WHERE duplicate."id" = w."id" AND duplicate."rank" > 1;

CREATE UNIQUE INDEX "wallet_one_active_per_customer_currency_name" ON "wallet" ("customer_id", "currency", COALESCE("name", '')) WHERE "status" = 'active';

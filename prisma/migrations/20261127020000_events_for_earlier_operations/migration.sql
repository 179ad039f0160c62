-- Operations written before the event log tell their `operation.completed` now, in the order
-- they were written, so that every operation has its event (`npm run cli verify` checks it).
-- Their balances after are not told (`"balance": null`): the figures then are in the entries.
WITH numbered AS (
  SELECT o.*, w.last_event_sequence + row_number() OVER (PARTITION BY o.wallet_id ORDER BY o.created_at, first_entry.sequence NULLS FIRST, o.id) AS sequence
  FROM "operation" o
  JOIN "wallet" w ON w.id = o.wallet_id
  LEFT JOIN LATERAL (SELECT min(e.sequence) AS sequence FROM "ledger_entry" e WHERE e.operation_id = o.id) first_entry ON true
  WHERE NOT EXISTS (SELECT 1 FROM "event" ev WHERE ev.operation_id = o.id AND ev.type = 'operation.completed')
)
INSERT INTO "event" ("tenant_id", "livemode", "wallet_id", "sequence", "type", "operation_id", "payload", "created_at")
SELECT n.tenant_id, n.livemode, n.wallet_id, n.sequence, 'operation.completed', n.id,
       jsonb_build_object(
         'operation', jsonb_build_object('id', n.id, 'type', n.type, 'reference', n.reference, 'idempotencyKey', n.idempotency_key,
                                         'targetOperationId', n.target_operation_id, 'holdId', n.hold_id, 'createdAt', n.created_at),
         'amount', coalesce((SELECT sum(e.amount) FROM "ledger_entry" e WHERE e.operation_id = n.id), 0)::bigint::text,
         'entries', coalesce((SELECT jsonb_agg(jsonb_build_object('id', e.id, 'sequence', e.sequence::text, 'type', e.type, 'amount', e.amount::text,
                                                                  'blockId', e.block_id, 'holdId', e.hold_id) ORDER BY e.sequence)
                              FROM "ledger_entry" e WHERE e.operation_id = n.id), '[]'),
         'balance', NULL),
       n.created_at
FROM numbered n
ORDER BY n.wallet_id, n.sequence;

UPDATE "wallet" w SET "last_event_sequence" = counted.last
FROM (SELECT wallet_id, max(sequence) AS last FROM "event" GROUP BY wallet_id) counted
WHERE counted.wallet_id = w.id AND w.last_event_sequence < counted.last;

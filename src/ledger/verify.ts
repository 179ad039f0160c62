// Checks every ledger invariant over the whole database, in SQL so it scales with the data.
// Tests run it after every scenario; `npm run cli -- verify` runs it against a live database.
import type { PrismaClient } from "../db/generated/client.ts";

export interface InvariantViolation {
  invariant: string;
  /** The wallet, block, hold or entry at fault and the figures that disagree. */
  detail: Record<string, unknown>;
}

/** A wallet's rows of `table` are numbered 1..n without gaps, n being the wallet's `lastColumn`. */
function numberedWithoutGaps(table: string, lastColumn: string): string {
  return `SELECT w.id AS wallet_id, w.${lastColumn}, COUNT(x.id) AS numbered, MAX(x.sequence) AS max_sequence
          FROM wallet w LEFT JOIN ${table} x ON x.wallet_id = w.id
          GROUP BY w.id
          HAVING COUNT(x.id) <> w.${lastColumn} OR COALESCE(MAX(x.sequence), 0) <> w.${lastColumn}
              OR COUNT(DISTINCT x.sequence) <> COUNT(x.id)`;
}

const CHECKS: { invariant: string; sql: string }[] = [
  {
    invariant: "block remaining equals the sum of its entries",
    sql: `SELECT b.id AS block_id, b.remaining, COALESCE(SUM(e.amount), 0) AS entries_sum
          FROM credit_block b LEFT JOIN ledger_entry e ON e.block_id = b.id
          GROUP BY b.id HAVING b.remaining <> COALESCE(SUM(e.amount), 0)`,
  },
  {
    invariant: "block used and frozen equal the sums of its entries",
    sql: `SELECT b.id AS block_id, b.used, b.frozen,
                 -COALESCE(SUM(e.amount) FILTER (WHERE e.type IN ('decrement', 'capture')
                                                  OR (e.type = 'refund' AND b.source <> 'refund')), 0) AS entries_used,
                 -COALESCE(SUM(e.amount) FILTER (WHERE e.type IN ('hold', 'hold_release')), 0) AS entries_frozen
          FROM credit_block b LEFT JOIN ledger_entry e ON e.block_id = b.id
          GROUP BY b.id
          HAVING b.used <> -COALESCE(SUM(e.amount) FILTER (WHERE e.type IN ('decrement', 'capture')
                                                            OR (e.type = 'refund' AND b.source <> 'refund')), 0)
              OR b.frozen <> -COALESCE(SUM(e.amount) FILTER (WHERE e.type IN ('hold', 'hold_release')), 0)`,
  },
  {
    invariant: "each entry carries its block's (or the overdraft's) figures up to it, in time order",
    sql: `SELECT id AS entry_id, wallet_id, block_id, sequence, remaining_after, used_after, frozen_after, remaining, used, frozen
          FROM (SELECT e.id, e.wallet_id, e.block_id, e.sequence, e.remaining_after, e.used_after, e.frozen_after,
                       SUM(e.amount) OVER account AS remaining,
                       -SUM(e.amount) FILTER (WHERE b.id IS NOT NULL AND (e.type IN ('decrement', 'capture')
                                              OR (e.type = 'refund' AND b.source <> 'refund'))) OVER account AS used,
                       -SUM(e.amount) FILTER (WHERE b.id IS NOT NULL AND e.type IN ('hold', 'hold_release')) OVER account AS frozen
                FROM ledger_entry e LEFT JOIN credit_block b ON b.id = e.block_id
                WINDOW account AS (PARTITION BY e.wallet_id, e.block_id ORDER BY e.created_at, e.sequence ROWS UNBOUNDED PRECEDING)) running
          WHERE remaining_after <> remaining OR used_after <> COALESCE(used, 0) OR frozen_after <> COALESCE(frozen, 0)`,
  },
  {
    invariant: "a wallet's last entry time is that of its latest entry",
    sql: `SELECT w.id AS wallet_id, w.last_entry_at, MAX(e.created_at) AS latest_entry_at
          FROM wallet w LEFT JOIN ledger_entry e ON e.wallet_id = w.id
          GROUP BY w.id
          HAVING w.last_entry_at IS DISTINCT FROM MAX(e.created_at)`,
  },
  {
    invariant: "block amount equals its opening entries",
    sql: `SELECT b.id AS block_id, b.amount, COALESCE(SUM(e.amount), 0) AS opening_sum
          FROM credit_block b LEFT JOIN ledger_entry e ON e.block_id = b.id AND e.operation_id = b.operation_id AND e.amount > 0
          GROUP BY b.id HAVING b.amount <> COALESCE(SUM(e.amount), 0)`,
  },
  {
    invariant: "wallet balance equals the sum of its entries",
    sql: `SELECT w.id AS wallet_id, w.balance, COALESCE(SUM(e.amount), 0) AS entries_sum
          FROM wallet w LEFT JOIN ledger_entry e ON e.wallet_id = w.id
          GROUP BY w.id HAVING w.balance <> COALESCE(SUM(e.amount), 0)`,
  },
  {
    invariant: "wallet overdraft equals minus its overdraft entries, within the limit",
    sql: `SELECT w.id AS wallet_id, w.overdraft_used, w.overdraft_limit, COALESCE(SUM(e.amount), 0) AS entries_sum
          FROM wallet w LEFT JOIN ledger_entry e ON e.wallet_id = w.id AND e.block_id IS NULL
          GROUP BY w.id
          HAVING w.overdraft_used <> -COALESCE(SUM(e.amount), 0) OR w.overdraft_used > w.overdraft_limit OR w.overdraft_used < 0`,
  },
  {
    invariant: "sequence numbers run 1..n without gaps, ending at the wallet's last sequence",
    sql: numberedWithoutGaps("ledger_entry", "last_sequence"),
  },
  {
    invariant: "each entry starts where the previous one ended",
    sql: `SELECT wallet_id, sequence, starting_balance, previous_ending
          FROM (SELECT wallet_id, sequence, starting_balance,
                       LAG(ending_balance, 1, 0::bigint) OVER (PARTITION BY wallet_id ORDER BY sequence) AS previous_ending,
                       ending_balance - starting_balance - amount AS arithmetic
                FROM ledger_entry) chained
          WHERE starting_balance <> previous_ending OR arithmetic <> 0`,
  },
  {
    invariant: "no block below zero, no wallet below its overdraft limit",
    sql: `SELECT 'block' AS kind, id, remaining AS amount FROM credit_block WHERE remaining < 0
          UNION ALL
          SELECT 'wallet', id, balance FROM wallet WHERE balance < -overdraft_limit`,
  },
  {
    invariant: "a hold's entries match its status: open holds reserve, resolved holds return all and keep what was captured",
    sql: `SELECT h.id AS hold_id, h.status, h.amount, h.captured,
                 COALESCE(SUM(e.amount) FILTER (WHERE e.type = 'hold'), 0) AS held,
                 COALESCE(SUM(e.amount) FILTER (WHERE e.type = 'hold_release'), 0) AS released,
                 COALESCE(SUM(e.amount) FILTER (WHERE e.type = 'capture'), 0) AS captured_entries
          FROM hold h LEFT JOIN ledger_entry e ON e.hold_id = h.id
          GROUP BY h.id
          HAVING COALESCE(SUM(e.amount) FILTER (WHERE e.type = 'hold'), 0) <> -h.amount
              OR COALESCE(SUM(e.amount) FILTER (WHERE e.type = 'hold_release'), 0)
                 <> CASE WHEN h.status = 'open' THEN 0 ELSE h.amount END
              OR COALESCE(SUM(e.amount) FILTER (WHERE e.type = 'capture'), 0) <> -h.captured
              OR (h.status <> 'captured' AND h.captured <> 0)`,
  },
  {
    invariant: "entries belong to the wallet of their operation and block",
    sql: `SELECT e.id AS entry_id, e.wallet_id, o.wallet_id AS operation_wallet, b.wallet_id AS block_wallet
          FROM ledger_entry e JOIN operation o ON o.id = e.operation_id LEFT JOIN credit_block b ON b.id = e.block_id
          WHERE o.wallet_id <> e.wallet_id OR (b.id IS NOT NULL AND b.wallet_id <> e.wallet_id)`,
  },
  {
    invariant: "a refund reversal voided what its operation's entries took back, and no more than the deposit",
    sql: `SELECT r.id AS reversal_id, r.voided, -COALESCE(SUM(e.amount), 0) AS entries_voided, r.reversed_total, d.amount AS deposited
          FROM funding_reversal r
          LEFT JOIN ledger_entry e ON e.operation_id = r.operation_id
          JOIN LATERAL (SELECT COALESCE(SUM(de.amount), 0) AS amount FROM ledger_entry de WHERE de.operation_id = r.deposit_operation_id) d ON true
          GROUP BY r.id, d.amount
          HAVING r.voided <> -COALESCE(SUM(e.amount), 0) OR r.reversed_total > d.amount`,
  },
  {
    invariant: "a customer has one active wallet per currency and name (no name counting as one)",
    sql: `SELECT customer_id, currency, COALESCE(name, '') AS name, COUNT(*) AS wallets
          FROM wallet WHERE status = 'active'
          GROUP BY customer_id, currency, COALESCE(name, '') HAVING COUNT(*) > 1`,
  },
  {
    invariant: "every operation has one operation.completed event, on its wallet",
    sql: `SELECT o.id AS operation_id, o.wallet_id, COUNT(ev.id) AS completions, MIN(ev.wallet_id::text) AS event_wallet
          FROM operation o LEFT JOIN event ev ON ev.operation_id = o.id AND ev.type = 'operation.completed'
          GROUP BY o.id
          HAVING COUNT(ev.id) <> 1 OR bool_or(ev.wallet_id <> o.wallet_id)`,
  },
  {
    invariant: "event sequence numbers run 1..n without gaps, ending at the wallet's last event sequence",
    sql: numberedWithoutGaps("event", "last_event_sequence"),
  },
  {
    invariant: "events and balance alerts belong to the tenant and mode of their wallet",
    sql: `SELECT 'event' AS kind, ev.id, ev.wallet_id FROM event ev JOIN wallet w ON w.id = ev.wallet_id
          WHERE ev.tenant_id <> w.tenant_id OR ev.livemode <> w.livemode
          UNION ALL
          SELECT 'balance_alert', a.id, a.wallet_id FROM balance_alert a JOIN wallet w ON w.id = a.wallet_id
          WHERE a.tenant_id <> w.tenant_id OR a.livemode <> w.livemode`,
  },
];

/** Returns every violation found; an empty list means the ledger is consistent. */
export async function verifyLedger(prisma: PrismaClient): Promise<InvariantViolation[]> {
  const violations: InvariantViolation[] = [];
  for (const check of CHECKS) {
    const rows = await prisma.$queryRawUnsafe<Record<string, unknown>[]>(check.sql);
    for (const detail of rows) violations.push({ invariant: check.invariant, detail });
  }
  return violations;
}

// Debits of different requests, grouped into one statement and one commit when they arrive
// together, as TigerBeetle batches transfers: under load the database's cost of a transaction
// (its round trip, its commit and WAL flush, its statement's start) is shared by the debits of a
// batch, each of which keeps its own outcome.
//
// No timer waits for company. A debit is sent at once while fewer than `maxInFlight` statements
// are in flight; otherwise it waits for one of them to come back and goes with every debit that
// waited beside it (at most `maxSize`), in `ledger_debits` (prisma/sql/ledger_debits.sql), which
// runs `ledger_debit` for each in turn. A debit alone on a quiet gateway is therefore sent as
// soon as it comes, and a batch forms only while the database is busy anyway.
//
// A batch takes its wallets' row locks in the order of their ids, so two batches never wait on
// each other in a circle. Should the database refuse the statement (a key another transaction
// committed first, an amount that overflows, a deadlock), it rolled back and no debit of the batch
// was written: each is sent again alone and meets its own outcome. Should the connection fail
// instead, whether the batch committed is unknown, and every debit of it fails as a debit sent
// alone would: sending it again could spend twice.
import type { PrismaClient } from "../db/generated/client.ts";
import { isDatabaseUnavailable } from "../db/database-unavailable.ts";
import { rawQueryOf } from "../db/raw-query.ts";

/** What `ledger_debit` takes, in its order (LEDGER_DEBIT below). */
export type LedgerDebitValues = [
  tenantId: string,
  livemode: boolean,
  walletId: string,
  amount: bigint,
  categories: string[] | null,
  feature: string | null,
  now: Date,
  idempotencyKey: string | null,
  requestHash: string,
  reference: string | null,
  description: string | null,
  /** As the caller gave it (JSON), null for none. */
  metadata: unknown,
];

/** One debit as `ledger_debit` takes it, prepared once per connection: the hot path's one statement. */
export const LEDGER_DEBIT =
  "SELECT ledger_debit($1::uuid, $2::boolean, $3::uuid, $4::bigint, $5::text[], $6::text, $7::timestamptz, $8::text, $9::text, $10::text, $11::text, $12::jsonb) AS result";

/** Several, each an object of ledger_debit's arguments by name (ledger_debits.sql). */
const LEDGER_DEBITS = "SELECT ledger_debits($1::jsonb) AS results";

export interface DebitBatchLimits {
  /** Debits in one statement at most (DEBIT_BATCH_SIZE); 1 sends each alone. */
  maxSize: number;
  /** Statements in flight at once before debits wait to go together (DEBIT_BATCH_IN_FLIGHT). */
  maxInFlight: number;
}

/**
 * One statement in flight: on the bench's 2 cores, 1 made about 15% more debits/s than 2, with a
 * lower p99, as larger batches share more; a process's debits still reach 16 per round trip.
 */
export const DEFAULT_DEBIT_BATCH_LIMITS: DebitBatchLimits = { maxSize: 16, maxInFlight: 1 };

/**
 * How a statement the batcher sent ended, with the debits it carried: answered; refused by the
 * database (a batch's debits were then sent again one by one); or its connection failed.
 */
export type DebitStatementOutcome = "answered" | "refused" | "connection_failed";

interface Waiting {
  values: LedgerDebitValues;
  resolve(answer: unknown): void;
  reject(error: unknown): void;
}

/** The debits of one database client, sent as they arrive or in batches while the database is busy. */
export class DebitBatches {
  private readonly waiting: Waiting[] = [];
  private inFlight = 0;

  constructor(
    /** The client whose pool the statements go through; a context on any other client (a transaction's) debits alone. */
    readonly client: PrismaClient,
    private readonly limits: DebitBatchLimits = DEFAULT_DEBIT_BATCH_LIMITS,
    /** Told of every statement sent, for metrics; must never throw. */
    private readonly observe: (debits: number, outcome: DebitStatementOutcome) => void = () => {},
  ) {}

  /** `ledger_debit`'s answer for these arguments, once committed (with the batch it went in). */
  run(values: LedgerDebitValues): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ values, resolve, reject });
      this.send();
    });
  }

  private send(): void {
    while (this.waiting.length > 0 && this.inFlight < this.limits.maxInFlight) {
      const batch = this.waiting.splice(0, this.limits.maxSize);
      this.inFlight += 1;
      void this.sendBatch(batch).finally(() => {
        this.inFlight -= 1;
        this.send();
      });
    }
  }

  private async sendBatch(batch: Waiting[]): Promise<void> {
    if (batch.length === 1) {
      const [waiting] = batch as [Waiting];
      try {
        waiting.resolve(await debitAlone(this.client, waiting.values));
        this.observe(1, "answered");
      } catch (error) {
        this.observe(1, refusedByDatabase(error) ? "refused" : "connection_failed");
        waiting.reject(error);
      }
      return;
    }
    // By wallet id, so that every batch locks wallets in one order (stable: one wallet's debits
    // keep theirs). In lower case, as an id may come in either and names the same wallet.
    const walletOf = (waiting: Waiting) => waiting.values[2].toLowerCase();
    const ordered = [...batch].sort((a, b) => (walletOf(a) < walletOf(b) ? -1 : walletOf(a) > walletOf(b) ? 1 : 0));
    let answers: unknown[];
    try {
      const [row] = await rawQueryOf(this.client).rows<{ results: unknown[] }>({
        name: "ledger_debits",
        text: LEDGER_DEBITS,
        values: [JSON.stringify(ordered.map(({ values }) => namedArguments(values)))],
      });
      answers = row!.results;
    } catch (error) {
      if (!refusedByDatabase(error)) {
        this.observe(batch.length, "connection_failed");
        for (const waiting of batch) waiting.reject(error);
        return;
      }
      this.observe(batch.length, "refused");
      // Nothing of the batch was written: each debit alone, with its own outcome or error.
      await Promise.all(batch.map((waiting) => settle(waiting, () => debitAlone(this.client, waiting.values))));
      return;
    }
    this.observe(batch.length, "answered");
    ordered.forEach((waiting, index) => waiting.resolve(answers[index]));
  }
}

/** `ledger_debit`'s answer for one debit, in a statement of its own (on `client`, whichever it is). */
export async function debitAlone(client: PrismaClient, values: LedgerDebitValues): Promise<unknown> {
  const [row] = await rawQueryOf(client).rows<{ result: unknown }>({
    name: "ledger_debit",
    text: LEDGER_DEBIT,
    values: [...values.slice(0, 11), JSON.stringify(values[11])],
  });
  return row!.result;
}

/** The statement failed in the database, with a SQLSTATE, and so was rolled back: not a lost connection. */
function refusedByDatabase(error: unknown): boolean {
  const cause = (error as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } } | null)?.meta?.driverAdapterError
    ?.cause;
  return typeof cause?.originalCode === "string" && !isDatabaseUnavailable(error);
}

async function settle(waiting: Waiting, run: () => Promise<unknown>): Promise<void> {
  try {
    waiting.resolve(await run());
  } catch (error) {
    waiting.reject(error);
  }
}

function namedArguments([
  tenantId,
  livemode,
  walletId,
  amount,
  categories,
  feature,
  now,
  idempotencyKey,
  requestHash,
  reference,
  description,
  metadata,
]: LedgerDebitValues) {
  return {
    tenantId,
    livemode,
    walletId,
    amount: amount.toString(),
    categories,
    feature,
    now: now.toISOString(),
    idempotencyKey,
    requestHash,
    reference,
    description,
    metadata,
  };
}

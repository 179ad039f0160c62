// Rules written twice, once in SQL and once in TypeScript, held equal on generated data:
//  - the balances after an operation: `wallet_balance_after` (prisma/sql/wallet_balance_after.sql,
//    which record_operation_events tells) and ledger_debit's own sums, against `summarise`
//    (src/ledger/balances.ts) as the command answered it and as balanceAfterOperation reads it;
//  - what `operation.completed` tells of its operation and entries (built in SQL by
//    record_operation_events and ledger_debit), against the rows Prisma reads, decoded through
//    the row shapes of src/ledger/rows.ts;
//  - the wallets of a scope: `walletsInScopeSql` against `walletsInScope` (src/ledger/access.ts).
// Generated wallets have blocks that take effect and expire between operations, debits that
// overdraw, holds that are captured, released or left to lapse, voids and refunds.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LedgerEntry, Operation } from "../../src/db/generated/client.ts";
import { ROLES, walletsInScope, walletsInScopeSql, type Scope } from "../../src/ledger/access.ts";
import { balanceAfterOperation, type WalletBalance } from "../../src/ledger/balances.ts";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { holdCredits } from "../../src/ledger/commands/hold.ts";
import { refund } from "../../src/ledger/commands/refund.ts";
import { captureHold, releaseHold } from "../../src/ledger/commands/resolve-hold.ts";
import { voidCredits } from "../../src/ledger/commands/void-credits.ts";
import { LedgerError } from "../../src/ledger/errors.ts";
import type { EventBalance, OperationCompletedPayload } from "../../src/ledger/events.ts";
import { listReader, objectReader, ROW_SHAPES, type Field } from "../../src/ledger/rows.ts";
import type { LedgerResult } from "../../src/ledger/wallet-ledger.ts";
import { HOUR, teamScope, useLedger } from "../support/ledger.ts";

const ledger = useLedger();
const SEED = Number(process.env.FUZZ_SEED ?? 20261207);

const reference = fc.constantFrom(null, "order-1");
const step = fc.oneof(
  fc.record({
    kind: fc.constant("deposit" as const),
    amount: fc.bigInt({ min: 1n, max: 40n }),
    category: fc.constantFrom("paid", "promo"),
    /** Hours from now that it takes effect and expires: later operations may see either happen. */
    effectiveInHours: fc.constantFrom(null, 2, 10),
    expiresInHours: fc.constantFrom(null, 5, 20),
    reference,
    keyed: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("debit" as const),
    amount: fc.bigInt({ min: 1n, max: 50n }),
    categories: fc.constantFrom<string[] | null>(null, ["paid"]),
    reference,
    keyed: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("hold" as const),
    amount: fc.bigInt({ min: 1n, max: 30n }),
    expiresInHours: fc.constantFrom(null, 3),
    reference,
  }),
  fc.record({ kind: fc.constant("capture" as const), hold: fc.nat(4), amount: fc.constantFrom(null, 1n, 5n) }),
  fc.record({ kind: fc.constant("release" as const), hold: fc.nat(4) }),
  fc.record({ kind: fc.constant("void" as const), block: fc.nat(4), all: fc.boolean() }),
  fc.record({ kind: fc.constant("refund" as const), debit: fc.nat(4), amount: fc.constantFrom(null, 2n) }),
  fc.record({ kind: fc.constant("wait" as const), hours: fc.constantFrom(1, 4, 12) }),
);
const generatedWallet = fc.record({ overdraftLimit: fc.constantFrom(0n, 20n), steps: fc.array(step, { minLength: 1, maxLength: 8 }) });
type GeneratedWallet = typeof generatedWallet extends fc.Arbitrary<infer T> ? T : never;

interface PlayedWallet {
  walletId: string;
  /** What each command answered, by operation id. */
  answered: Map<string, LedgerResult>;
}

let keys = 0;

/** Plays the steps through the ledger's commands; a step the ledger refuses (a LedgerError) is skipped. */
async function play(generated: GeneratedWallet): Promise<PlayedWallet> {
  const wallet = await ledger.newWallet({ overdraftLimit: generated.overdraftLimit });
  const { scope } = ledger;
  const walletId = wallet.id;
  const answered = new Map<string, LedgerResult>();
  const blocks: string[] = [];
  const holds: string[] = [];
  const debits: string[] = [];
  const inHours = (hours: number | null) => (hours === null ? null : new Date(ledger.clock.now().getTime() + hours * HOUR));
  const key = (keyed: boolean) => (keyed ? `key-${(keys += 1)}` : null);
  for (const s of generated.steps) {
    // Every operation a millisecond after the one before, so that they have an order in time.
    ledger.clock.advance(1);
    let result: LedgerResult | null = null;
    try {
      switch (s.kind) {
        case "deposit": {
          const effectiveAt = inHours(s.effectiveInHours);
          const expiresAt = s.expiresInHours !== null && (s.effectiveInHours ?? 0) < s.expiresInHours ? inHours(s.expiresInHours) : null;
          result = await deposit(ledger.ctx, {
            scope,
            walletId,
            amount: s.amount,
            category: s.category,
            effectiveAt,
            expiresAt,
            reference: s.reference,
            idempotencyKey: key(s.keyed),
          });
          blocks.push(...result.blocks.map((block) => block.id));
          break;
        }
        case "debit":
          result = await debit(ledger.ctx, {
            scope,
            walletId,
            amount: s.amount,
            categories: s.categories,
            reference: s.reference,
            idempotencyKey: key(s.keyed),
          });
          debits.push(result.operation.id);
          break;
        case "hold":
          result = await holdCredits(ledger.ctx, {
            scope,
            walletId,
            amount: s.amount,
            expiresAt: inHours(s.expiresInHours),
            reference: s.reference,
          });
          holds.push(result.hold!.id);
          break;
        case "capture":
          if (holds.length > 0) result = await captureHold(ledger.ctx, { scope, holdId: holds[s.hold % holds.length]!, amount: s.amount });
          break;
        case "release":
          if (holds.length > 0) result = await releaseHold(ledger.ctx, { scope, holdId: holds[s.hold % holds.length]! });
          break;
        case "void":
          if (blocks.length > 0)
            result = await voidCredits(ledger.ctx, {
              scope,
              walletId,
              blockId: blocks[s.block % blocks.length]!,
              amount: s.all ? null : 1n,
            });
          break;
        case "refund":
          if (debits.length > 0)
            result = await refund(ledger.ctx, { scope, operationId: debits[s.debit % debits.length]!, amount: s.amount });
          break;
        case "wait":
          ledger.clock.advance(s.hours * HOUR);
      }
    } catch (error) {
      if (!(error instanceof LedgerError)) throw error;
    }
    if (result) answered.set(result.operation.id, result);
  }
  return { walletId, answered };
}

interface ToldOperation {
  operation: Operation;
  entries: LedgerEntry[];
  /** The wallet's last sequence just after the operation. */
  sequence: bigint;
  payload: OperationCompletedPayload;
}

/** The wallet's operations in the order their `operation.completed` events tell them, with their rows. */
async function toldOperations(walletId: string): Promise<ToldOperation[]> {
  const prisma = ledger.db.prisma;
  const events = await prisma.event.findMany({ where: { walletId, type: "operation.completed" }, orderBy: { sequence: "asc" } });
  const operations = new Map((await prisma.operation.findMany({ where: { walletId } })).map((operation) => [operation.id, operation]));
  const entries = await prisma.ledgerEntry.findMany({ where: { walletId }, orderBy: { sequence: "asc" } });
  let sequence = 0n;
  return events.map((event) => {
    const own = entries.filter((entry) => entry.operationId === event.operationId);
    sequence = own.at(-1)?.sequence ?? sequence;
    return {
      operation: operations.get(event.operationId!)!,
      entries: own,
      sequence,
      payload: event.payload as unknown as OperationCompletedPayload,
    };
  });
}

function told(balance: WalletBalance): EventBalance {
  const { available, total, used, frozen, ledgerBalance, overdraftUsed } = balance;
  return {
    available: `${available}`,
    total: `${total}`,
    used: `${used}`,
    frozen: `${frozen}`,
    ledgerBalance: `${ledgerBalance}`,
    overdraftUsed: `${overdraftUsed}`,
  };
}

/** Some fields of a row as an SQL function tells them, decoded through the row's shape in rows.ts; no other field allowed. */
/** Reads exactly `fields` of a row shape, each in its form: what a payload tells of a row. */
function toldFields<Shape extends Record<string, Field<unknown>>, Key extends keyof Shape & string>(shape: Shape, keys: readonly Key[]) {
  return objectReader(Object.fromEntries(keys.map((key) => [key, shape[key]!])) as { [K in Key]: Shape[K] }, { exact: true });
}

const OPERATION_FIELDS = ["id", "type", "reference", "idempotencyKey", "targetOperationId", "holdId", "feature", "createdAt"] as const;
const ENTRY_FIELDS = ["id", "sequence", "type", "amount", "blockId", "holdId"] as const;
const TOLD_OPERATION = toldFields(ROW_SHAPES.operation, OPERATION_FIELDS);
const TOLD_ENTRY = toldFields(ROW_SHAPES.ledgerEntry, ENTRY_FIELDS);
const pick = <Row, Field extends keyof Row>(row: Row, fields: readonly Field[]) =>
  Object.fromEntries(fields.map((field) => [field, row[field]]));

describe("SQL and its TypeScript twins, on generated wallets", () => {
  it("wallet_balance_after and the balance operation.completed tells equal the TypeScript balances after every operation", async () => {
    await fc.assert(
      fc.asyncProperty(generatedWallet, async (generated) => {
        const { walletId, answered } = await play(generated);
        for (const { operation, entries, sequence, payload } of await toldOperations(walletId)) {
          const [sql] = await ledger.db.prisma.$queryRaw<{ balance: EventBalance }[]>`
            SELECT wallet_balance_after(${walletId}::uuid, ${operation.createdAt}::timestamptz, ${sequence}::bigint) AS balance`;
          const { balance: asRead } = await balanceAfterOperation(ledger.db.prisma, operation, entries);
          const context = `${operation.type} ${operation.id}`;
          expect(sql!.balance, context).toEqual(told(asRead));
          expect(payload.balance, context).toEqual(told(asRead));
          const answer = answered.get(operation.id);
          if (answer?.balance) expect(told(answer.balance), context).toEqual(told(asRead));
        }
      }),
      { numRuns: 8, seed: SEED },
    );
  });

  it("operation.completed tells the operation and entries as rows.ts decodes the rows, and their sum", async () => {
    await fc.assert(
      fc.asyncProperty(generatedWallet, async (generated) => {
        const { walletId } = await play(generated);
        for (const { operation, entries, payload } of await toldOperations(walletId)) {
          expect(TOLD_OPERATION(payload.operation)).toEqual(pick(operation, OPERATION_FIELDS));
          expect(listReader(TOLD_ENTRY)(payload.entries)).toEqual(entries.map((entry) => pick(entry, ENTRY_FIELDS)));
          expect(BigInt(payload.amount)).toBe(entries.reduce((sum, entry) => sum + entry.amount, 0n));
        }
      }),
      { numRuns: 8, seed: SEED + 1 },
    );
  });
});

describe("walletsInScopeSql and walletsInScope", () => {
  it("select the same wallets for any scope", async () => {
    const prisma = ledger.db.prisma;
    // Wallets of two tenants, in both modes, of customers that share external ids across them.
    const tenants = [ledger.scope.tenantId, (await prisma.tenant.create({ data: { slug: `other-${Date.now()}`, name: "Other" } })).id];
    const owners: Omit<Scope, "role">[] = [];
    for (const tenantId of tenants) {
      for (const livemode of [true, false]) {
        for (const externalId of ["alice", "bob"]) {
          const { wallet } = await createWallet(ledger.ctx, {
            scope: teamScope(tenantId, livemode),
            customer: { externalId },
            currency: "USD",
          });
          owners.push({ tenantId, livemode, customerId: wallet.customerId });
          if (externalId === "alice")
            await createWallet(ledger.ctx, { scope: teamScope(tenantId, livemode), customer: { externalId }, currency: "EUR" });
        }
      }
    }
    const role = fc.constantFrom(...ROLES);
    const scope: fc.Arbitrary<Scope> = fc.oneof(
      // A token of a wallet's tenant and mode, for the whole tenant or for the wallet's customer.
      fc
        .record({ owner: fc.constantFrom(...owners), personal: fc.boolean(), role })
        .map(({ owner, personal, role }) => ({ ...owner, customerId: personal ? owner.customerId : null, role })),
      // Any mix: a customer of another tenant or mode, a tenant with no wallets.
      fc.record({
        tenantId: fc.constantFrom(...tenants, "00000000-0000-4000-8000-000000000000"),
        livemode: fc.boolean(),
        customerId: fc.constantFrom(null, ...owners.map((owner) => owner.customerId)),
        role,
      }),
    );
    let selectedSome = 0;
    await fc.assert(
      fc.asyncProperty(scope, async (scope) => {
        const byFilter = await prisma.wallet.findMany({ where: walletsInScope(scope), select: { id: true }, orderBy: { id: "asc" } });
        const bySql = await prisma.$queryRaw<
          { id: string }[]
        >`SELECT w.id::text AS id FROM wallet w WHERE ${walletsInScopeSql(scope)} ORDER BY w.id`;
        expect(bySql.map((wallet) => wallet.id)).toEqual(byFilter.map((wallet) => wallet.id));
        if (byFilter.length > 0) selectedSome += 1;
      }),
      { numRuns: 60, seed: SEED },
    );
    // Not only scopes that see nothing.
    expect(selectedSome).toBeGreaterThan(10);
  });
});

// The in-transaction view of one locked wallet. Commands change balances only by appending
// entries here: `append` moves the block's figures (remaining, used, frozen), the overdraft, the
// wallet balance and the sequence together, and stamps the entry with the block's figures after
// it, so "a block's figures = the sums of its entries" and "balance = sum of the wallet's
// entries" hold by construction. `flush` writes everything in a handful of statements.
import { randomUUID } from "node:crypto";
import {
  Prisma,
  type CreditBlock,
  type Hold,
  type LedgerEntry,
  type LedgerEntryStatus,
  type LedgerEntryType,
  type Operation,
  type OperationType,
  type Wallet,
} from "../db/generated/client.ts";
import type { WalletBalance } from "./balances.ts";
import { ValidationError } from "./errors.ts";
import { eventNoticesFromJson, recordEvent, type EventNotice, type NewEvent } from "./events.ts";
import { LEDGER_MAX } from "./money.ts";
import { figuresAfter } from "./block-figures.ts";
import type { Metadata } from "./input.ts";

export type Tx = Prisma.TransactionClient;
export type { Metadata };

export interface OperationFields {
  type: OperationType;
  requestHash: string;
  idempotencyKey?: string | null;
  reference?: string | null;
  targetOperationId?: string | null;
  holdId?: string | null;
  /** The feature a debit or hold was for. */
  feature?: string | null;
}

export interface EntryFields {
  /** Null books the amount on the overdraft account instead of a block. */
  block: CreditBlock | null;
  type: LedgerEntryType;
  amount: bigint;
  hold?: Hold | null;
  status?: LedgerEntryStatus;
  description?: string | null;
  metadata?: Metadata | null;
  reference?: string | null;
}

export type NewBlockFields = Pick<CreditBlock, "category" | "source" | "effectiveAt" | "expiresAt"> &
  Partial<Pick<CreditBlock, "priority" | "costBasis" | "description" | "appliesTo">> & { metadata?: Metadata | null };

export type NewHoldFields = Pick<Hold, "amount"> &
  Partial<Pick<Hold, "reference" | "description" | "expiresAt">> & { metadata?: Metadata | null };

export interface LedgerResult {
  operation: Operation;
  /** The wallet after the operation; for a replay, as it stands now with its balance figures (balance, overdraft, sequence) as the operation left them. */
  wallet: Wallet;
  /** Entries the operation wrote, in sequence order. */
  entries: LedgerEntry[];
  /** Blocks the operation opened or drew on, in the order first touched. */
  blocks: CreditBlock[];
  hold: Hold | null;
  /** True when an idempotency key matched an earlier identical request and nothing was written. */
  replayed: boolean;
  /**
   * The wallet's balances just after the operation, also on a replay (balanceAfterOperation):
   * commands fill it; otherwise read them, e.g. with walletBalance.
   */
  balance?: WalletBalance;
}

/**
 * What a flow adds to a ledger command, in the command's own transaction and under its one
 * idempotency record: say, an auto top-up rule set with the wallet's settings. `request` joins
 * the request's hash, so a key reused with another extension is a conflict.
 */
export interface CommandExtension {
  request: unknown;
  apply(walletLedger: WalletLedger, operation: Operation): Promise<void>;
}

export class WalletLedger {
  private readonly blocks = new Map<string, CreditBlock>();
  private readonly openedBlockIds = new Set<string>();
  private readonly changedBlockIds = new Set<string>();
  private readonly holds = new Map<string, Hold>();
  private readonly openedHoldIds = new Set<string>();
  private readonly changedHoldIds = new Set<string>();
  private readonly operations: Operation[] = [];
  private readonly entries: LedgerEntry[] = [];
  private walletChanges: Prisma.WalletUpdateInput = {};
  private readonly toldEvents: (NewEventOf | ((wallet: Wallet) => NewEventOf))[] = [];
  private readonly writtenEvents: EventNotice[] = [];
  private flushed = false;

  constructor(
    readonly tx: Tx,
    readonly wallet: Wallet,
    readonly now: Date,
    private readonly scope: { tenantId: string; livemode: boolean },
  ) {}

  beginOperation(fields: OperationFields): Operation {
    const operation: Operation = {
      id: randomUUID(),
      tenantId: this.scope.tenantId,
      livemode: this.scope.livemode,
      walletId: this.wallet.id,
      type: fields.type,
      idempotencyKey: fields.idempotencyKey ?? null,
      requestHash: fields.requestHash,
      reference: fields.reference ?? null,
      targetOperationId: fields.targetOperationId ?? null,
      holdId: fields.holdId ?? null,
      feature: fields.feature ?? null,
      createdAt: this.now,
    };
    this.operations.push(operation);
    return operation;
  }

  /**
   * Opens a block with its opening entry, so that the block's amount is that entry's amount.
   * A zero opening amount (a deposit that went wholly to repay an overdraft) writes no entry.
   */
  openBlock(operation: Operation, fields: NewBlockFields, opening: Omit<EntryFields, "block">): CreditBlock {
    const block: CreditBlock = {
      id: randomUUID(),
      walletId: this.wallet.id,
      operationId: operation.id,
      amount: opening.amount,
      remaining: 0n,
      used: 0n,
      frozen: 0n,
      category: fields.category,
      appliesTo: fields.appliesTo ?? [],
      priority: fields.priority ?? 50,
      costBasis: fields.costBasis ?? null,
      effectiveAt: fields.effectiveAt,
      expiresAt: fields.expiresAt,
      status: "active",
      source: fields.source,
      description: fields.description ?? null,
      metadata: (fields.metadata ?? {}) as Prisma.JsonValue,
      createdAt: this.now,
    };
    this.blocks.set(block.id, block);
    this.openedBlockIds.add(block.id);
    if (opening.amount !== 0n) this.append(operation, { ...opening, block });
    return block;
  }

  openHold(operation: Operation, fields: NewHoldFields): Hold {
    const hold: Hold = {
      id: randomUUID(),
      walletId: this.wallet.id,
      amount: fields.amount,
      captured: 0n,
      status: "open",
      reference: fields.reference ?? null,
      description: fields.description ?? null,
      metadata: (fields.metadata ?? {}) as Prisma.JsonValue,
      expiresAt: fields.expiresAt ?? null,
      createdAt: this.now,
      resolvedAt: null,
    };
    operation.holdId = hold.id;
    this.holds.set(hold.id, hold);
    this.openedHoldIds.add(hold.id);
    return hold;
  }

  /**
   * Appends one entry and moves every balance it touches. An entry that would take the block, the
   * overdraft or the wallet's balance past what a bigint column holds is refused with
   * ValidationError before anything moves: every command's amounts pass through here, checked
   * against the figures read under the wallet lock.
   */
  append(operation: Operation, fields: EntryFields): LedgerEntry {
    const { block, amount } = fields;
    requireInRange(block ? block.remaining + amount : this.wallet.overdraftUsed - amount, block ? "a credit block" : "the overdraft");
    requireInRange(this.wallet.balance + amount, "the wallet's balance");
    const before = block ?? { remaining: -this.wallet.overdraftUsed, used: 0n, frozen: 0n };
    const after = figuresAfter(before, block, fields.type, amount);
    if (block) {
      if (after.remaining < 0n) {
        throw new Error(`entry would take block ${block.id} below zero`);
      }
      Object.assign(block, after);
      this.markBlockChanged(block);
    } else {
      this.wallet.overdraftUsed = -after.remaining;
    }
    const startingBalance = this.wallet.balance;
    this.wallet.balance += amount;
    this.wallet.lastSequence += 1n;
    // Never earlier than the wallet's latest entry (another gateway's clock may be ahead, or a
    // command may have waited for the lock behind a later one), so that each block's entries
    // are in time order and a balance at an instant can read the last one before it.
    const createdAt = this.wallet.lastEntryAt && this.wallet.lastEntryAt > this.now ? this.wallet.lastEntryAt : this.now;
    this.wallet.lastEntryAt = createdAt;
    const entry: LedgerEntry = {
      id: randomUUID(),
      walletId: this.wallet.id,
      blockId: block?.id ?? null,
      operationId: operation.id,
      holdId: fields.hold?.id ?? null,
      sequence: this.wallet.lastSequence,
      type: fields.type,
      amount,
      startingBalance,
      endingBalance: this.wallet.balance,
      remainingAfter: after.remaining,
      usedAfter: after.used,
      frozenAfter: after.frozen,
      status: fields.status ?? "committed",
      description: fields.description ?? null,
      metadata: (fields.metadata ?? {}) as Prisma.JsonValue,
      reference: fields.reference ?? operation.reference,
      createdAt,
    };
    this.entries.push(entry);
    return entry;
  }

  /** Records a change to a block's status; amounts change only through `append`. */
  setBlockStatus(block: CreditBlock, status: CreditBlock["status"]): void {
    block.status = status;
    this.markBlockChanged(block);
  }

  resolveHold(hold: Hold, status: Hold["status"], captured = 0n): void {
    hold.status = status;
    hold.captured = captured;
    hold.resolvedAt = this.now;
    if (!this.openedHoldIds.has(hold.id)) this.changedHoldIds.add(hold.id);
  }

  /**
   * An event beside the operations' own (`operation.completed`, balance alerts), written by
   * `flush` before them: e.g. `hold.expired` before the release that gave the credits back. A
   * function is handed the wallet as flushed, e.g. for `wallet.updated` to tell its new settings.
   */
  tell(event: NewEventOf | ((wallet: Wallet) => NewEventOf)): void {
    this.toldEvents.push(event);
  }

  /** The events `flush` wrote, to tell subscribers once the transaction has committed. */
  get events(): readonly EventNotice[] {
    return this.writtenEvents;
  }

  updateWallet(changes: Prisma.WalletUpdateInput): void {
    this.walletChanges = { ...this.walletChanges, ...changes };
  }

  /** Returns the tracked instance of each block, so that two reads never diverge in memory. */
  track(blocks: CreditBlock[]): CreditBlock[] {
    return blocks.map((block) => {
      const tracked = this.blocks.get(block.id);
      if (tracked) return tracked;
      this.blocks.set(block.id, block);
      return block;
    });
  }

  trackHold(hold: Hold): Hold {
    const tracked = this.holds.get(hold.id);
    if (tracked) return tracked;
    this.holds.set(hold.id, hold);
    return hold;
  }

  async blocksById(ids: string[]): Promise<Map<string, CreditBlock>> {
    const missing = [...new Set(ids)].filter((id) => !this.blocks.has(id));
    if (missing.length > 0) {
      this.track(await this.tx.creditBlock.findMany({ where: { id: { in: missing }, walletId: this.wallet.id } }));
    }
    return new Map(ids.map((id) => [id, this.blocks.get(id)!]));
  }

  /** Whether anything was appended that `flush` has not written yet. A ledger flushes once. */
  hasUnflushedWrites(): boolean {
    return !this.flushed && (this.operations.length > 0 || this.changedBlockIds.size > 0 || this.changedHoldIds.size > 0);
  }

  /** Writes what the operations appended: operations, blocks, holds, entries, then the wallet. */
  async flush(): Promise<void> {
    if (this.flushed) throw new Error("a WalletLedger is flushed once");
    const { tx } = this;
    if (this.operations.length > 0) await tx.operation.createMany({ data: this.operations });
    const opened = [...this.openedBlockIds].map((id) => this.blocks.get(id)!);
    if (opened.length > 0) await tx.creditBlock.createMany({ data: opened.map(blockRow) });
    const openedHolds = [...this.openedHoldIds].map((id) => this.holds.get(id)!);
    if (openedHolds.length > 0) await tx.hold.createMany({ data: openedHolds.map(holdRow) });
    for (const id of this.changedBlockIds) {
      if (this.openedBlockIds.has(id)) continue;
      const block = this.blocks.get(id)!;
      await tx.creditBlock.update({
        where: { id },
        data: { remaining: block.remaining, used: block.used, frozen: block.frozen, status: block.status },
      });
    }
    if (this.entries.length > 0) await tx.ledgerEntry.createMany({ data: this.entries.map(entryRow) });
    for (const id of this.changedHoldIds) {
      const hold = this.holds.get(id)!;
      await tx.hold.update({ where: { id }, data: { status: hold.status, captured: hold.captured, resolvedAt: hold.resolvedAt } });
    }
    const updated = await tx.wallet.update({
      where: { id: this.wallet.id },
      data: {
        ...this.walletChanges,
        balance: this.wallet.balance,
        overdraftUsed: this.wallet.overdraftUsed,
        lastSequence: this.wallet.lastSequence,
        lastEntryAt: this.wallet.lastEntryAt,
      },
    });
    Object.assign(this.wallet, updated);
    await this.writeEvents();
    this.flushed = true;
  }

  /**
   * The events of what was flushed, in this transaction: those told, then each operation's
   * `operation.completed` and the balance alerts its movements crossed (record_operation_events).
   */
  private async writeEvents(): Promise<void> {
    for (const told of this.toldEvents) {
      const event = typeof told === "function" ? told(this.wallet) : told;
      this.writtenEvents.push(await recordEvent(this.tx, { ...event, walletId: this.wallet.id, createdAt: this.now } as NewEvent));
    }
    if (this.operations.length > 0) {
      const [row] = await this.tx.$queryRaw<{ events: unknown }[]>`
        SELECT record_operation_events(${this.wallet.id}::uuid, ${this.operations.map((operation) => operation.id)}::uuid[], ${this.now}::timestamptz) AS events`;
      this.writtenEvents.push(...eventNoticesFromJson(row!.events));
    }
    const last = this.writtenEvents.at(-1);
    if (last) this.wallet.lastEventSequence = last.sequence;
  }

  resultOf(operation: Operation): LedgerResult {
    const entries = this.entries.filter((entry) => entry.operationId === operation.id);
    const blockIds = new Set<string>();
    for (const entry of entries) if (entry.blockId) blockIds.add(entry.blockId);
    for (const id of this.openedBlockIds) if (this.blocks.get(id)!.operationId === operation.id) blockIds.add(id);
    return {
      operation,
      wallet: { ...this.wallet },
      entries,
      blocks: [...blockIds].map((id) => ({ ...this.blocks.get(id)! })),
      hold: operation.holdId ? { ...this.holds.get(operation.holdId)! } : null,
      replayed: false,
    };
  }

  private markBlockChanged(block: CreditBlock): void {
    if (!this.blocks.has(block.id)) this.blocks.set(block.id, block);
    this.changedBlockIds.add(block.id);
  }
}

/** An event as a command tells it: the ledger fills in the wallet and the time. */
export type NewEventOf = NewEvent extends infer E ? (E extends NewEvent ? Omit<E, "walletId" | "createdAt"> : never) : never;

function requireInRange(figure: bigint, what: string): void {
  if (figure > LEDGER_MAX || figure < -LEDGER_MAX) {
    throw new ValidationError(`amount would take ${what} past ${LEDGER_MAX}, the most the ledger can hold`, [
      { path: ["amount"], message: `would take ${what} past ${LEDGER_MAX}` },
    ]);
  }
}

function json(value: Prisma.JsonValue): Prisma.InputJsonValue {
  return (value ?? {}) as Prisma.InputJsonValue;
}

function blockRow(block: CreditBlock): Prisma.CreditBlockCreateManyInput {
  return { ...block, metadata: json(block.metadata) };
}

function holdRow(hold: Hold): Prisma.HoldCreateManyInput {
  return { ...hold, metadata: json(hold.metadata) };
}

function entryRow(entry: LedgerEntry): Prisma.LedgerEntryCreateManyInput {
  return { ...entry, metadata: json(entry.metadata) };
}

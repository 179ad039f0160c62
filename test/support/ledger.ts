// A ledger on a fresh database for each test file, with a clock the test moves by hand.
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import type { Wallet } from "../../src/db/generated/client.ts";
import type { Database } from "../../src/db/database.ts";
import type { LedgerContext, Scope } from "../../src/ledger/context.ts";
import { createWallet, type CreateWalletInput } from "../../src/ledger/commands/create-wallet.ts";
import { deposit, type DepositInput } from "../../src/ledger/commands/deposit.ts";
import { verifyLedger } from "../../src/ledger/verify.ts";
import { createTestDatabase } from "./database.ts";

export class TestClock {
  constructor(private current = new Date("2026-01-01T00:00:00.000Z")) {}
  now = (): Date => new Date(this.current);
  advance(ms: number): Date {
    this.current = new Date(this.current.getTime() + ms);
    return this.now();
  }
  set(at: Date | string): void {
    this.current = new Date(at);
  }
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface LedgerFixture {
  db: Database;
  ctx: LedgerContext;
  clock: TestClock;
  scope: Scope;
  /** A wallet of a new customer, in USD unless told otherwise. */
  newWallet(input?: Partial<Omit<CreateWalletInput, "scope">>): Promise<Wallet>;
  /** Deposits into a wallet; returns the new block's id. */
  fund(walletId: string, amount: bigint, input?: Partial<Omit<DepositInput, "scope" | "walletId" | "amount">>): Promise<string>;
}

/**
 * Opens the test file's database and checks after every test that `verifyLedger` finds nothing:
 * each scenario doubles as a test of the invariants.
 */
export function useLedger(): LedgerFixture {
  const fixture = {} as LedgerFixture;
  let walletCount = 0;
  beforeAll(async () => {
    fixture.db = await createTestDatabase();
    fixture.clock = new TestClock();
    fixture.ctx = { prisma: fixture.db.prisma, now: fixture.clock.now };
    const tenant = await fixture.db.prisma.tenant.create({ data: { slug: `tenant-${Date.now()}`, name: "Test tenant" } });
    fixture.scope = teamScope(tenant.id, true);
    fixture.newWallet = async (input = {}) => {
      walletCount += 1;
      const { wallet } = await createWallet(fixture.ctx, {
        scope: fixture.scope,
        customer: { externalId: `customer-${walletCount}` },
        currency: "USD",
        ...input,
      });
      return wallet;
    };
    fixture.fund = async (walletId, amount, input = {}) => {
      // One millisecond apart, so that "oldest first" has an order to follow.
      fixture.clock.advance(1);
      const result = await deposit(fixture.ctx, { scope: fixture.scope, walletId, amount, ...input });
      return result.blocks[0]!.id;
    };
  });
  afterEach(async () => {
    expect(await verifyLedger(fixture.db.prisma)).toEqual([]);
  });
  afterAll(async () => {
    await fixture.db?.close();
  });
  return fixture;
}

/** A team admin token's scope: the whole tenant in one mode. */
export function teamScope(tenantId: string, livemode: boolean): Scope {
  return { tenantId, livemode, customerId: null, role: "admin" };
}

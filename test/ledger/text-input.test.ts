// Text PostgreSQL cannot store (NUL, unpaired UTF-16 surrogates) is refused by every command, for
// every field it stores, as a ValidationError naming the field, before anything is written.
import { beforeAll, describe, expect, it } from "vitest";
import type { Wallet } from "../../src/db/generated/client.ts";
import { amendBlock } from "../../src/ledger/commands/amend-block.ts";
import { changeBlockExpiry } from "../../src/ledger/commands/change-block-expiry.ts";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { ensureCustomerWallet } from "../../src/ledger/commands/ensure-customer-wallet.ts";
import { holdCredits } from "../../src/ledger/commands/hold.ts";
import { refund } from "../../src/ledger/commands/refund.ts";
import { captureHold, releaseHold } from "../../src/ledger/commands/resolve-hold.ts";
import { reverseDeposit } from "../../src/ledger/commands/reverse-deposit.ts";
import { terminateWallet } from "../../src/ledger/commands/terminate-wallet.ts";
import { updateWallet } from "../../src/ledger/commands/update-wallet.ts";
import { voidCredits } from "../../src/ledger/commands/void-credits.ts";
import { ValidationError } from "../../src/ledger/errors.ts";
import { METADATA_MAX_DEPTH } from "../../src/ledger/input.ts";
import {
  findCustomer,
  findCustomerWallet,
  findOperationByIdempotencyKey,
  listCreditBlocks,
  listLedgerEntries,
} from "../../src/ledger/queries.ts";
import { DAY, useLedger } from "../support/ledger.ts";

const ledger = useLedger();

const UNSTORABLE = [
  ["a NUL", "order\u0000 1"],
  ["a lone high surrogate", "order \ud83d 1"],
  ["a lone low surrogate", "order \udcb3 1"],
] as const;

let wallet: Wallet;
let blockId: string;
let debitId: string;
let holdId: string;
let depositId: string;

beforeAll(async () => {
  wallet = await ledger.newWallet();
  const funded = await deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1_000n });
  depositId = funded.operation.id;
  blockId = funded.blocks[0]!.id;
  debitId = (await debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 10n })).operation.id;
  holdId = (await holdCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 10n })).hold!.id;
});

/** Each command with the field it stores, given the bad text; the path the error must name. */
const CASES: [string, string[], (text: string) => Promise<unknown>][] = [
  [
    "createWallet name",
    ["name"],
    (text) => createWallet(ledger.ctx, { scope: ledger.scope, customer: { externalId: "new-1" }, currency: "USD", name: text }),
  ],
  [
    "createWallet customer externalId",
    ["customer", "externalId"],
    (text) => createWallet(ledger.ctx, { scope: ledger.scope, customer: { externalId: text }, currency: "USD" }),
  ],
  [
    "createWallet customer name",
    ["customer", "name"],
    (text) => createWallet(ledger.ctx, { scope: ledger.scope, customer: { externalId: "new-2", name: text }, currency: "USD" }),
  ],
  [
    "createWallet customer email",
    ["customer", "email"],
    (text) =>
      createWallet(ledger.ctx, { scope: ledger.scope, customer: { externalId: "new-3", email: `${text}@example.com` }, currency: "USD" }),
  ],
  [
    "createWallet customer metadata value",
    ["customer", "metadata", "crm", "note"],
    (text) =>
      createWallet(ledger.ctx, {
        scope: ledger.scope,
        customer: { externalId: "new-4", metadata: { crm: { note: text } } },
        currency: "USD",
      }),
  ],
  [
    "createWallet metadata key",
    ["metadata", "tags"],
    (text) =>
      createWallet(ledger.ctx, {
        scope: ledger.scope,
        customer: { externalId: "new-5" },
        currency: "USD",
        metadata: { tags: { [text]: 1 } },
      }),
  ],
  [
    "createWallet metadata in an array",
    ["metadata", "tags", "1"],
    (text) =>
      createWallet(ledger.ctx, {
        scope: ledger.scope,
        customer: { externalId: "new-6" },
        currency: "USD",
        metadata: { tags: ["ok", text] },
      }),
  ],
  [
    "createWallet idempotency key",
    ["idempotencyKey"],
    (text) => createWallet(ledger.ctx, { scope: ledger.scope, customer: { externalId: "new-7" }, currency: "USD", idempotencyKey: text }),
  ],
  [
    "createWallet custom unit code",
    ["customUnit", "code"],
    (text) =>
      createWallet(ledger.ctx, { scope: ledger.scope, customer: { externalId: "new-8" }, customUnit: { code: `CR${text}`, scale: 0 } }),
  ],
  [
    "createWallet currency",
    ["currency"],
    (text) => createWallet(ledger.ctx, { scope: ledger.scope, customer: { externalId: "new-9" }, currency: text }),
  ],
  [
    "ensureCustomerWallet customer name",
    ["customer", "name"],
    (text) => ensureCustomerWallet(ledger.ctx, { scope: ledger.scope, customer: { externalId: "new-10", name: text }, currency: "USD" }),
  ],
  ["updateWallet name", ["name"], (text) => updateWallet(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, name: text })],
  [
    "updateWallet metadata",
    ["metadata", "plan"],
    (text) => updateWallet(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, metadata: { plan: text } }),
  ],
  [
    "deposit description",
    ["description"],
    (text) => deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, description: text }),
  ],
  [
    "deposit reference",
    ["reference"],
    (text) => deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, reference: text }),
  ],
  [
    "deposit category",
    ["category"],
    (text) => deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, category: text }),
  ],
  [
    "deposit idempotency key",
    ["idempotencyKey"],
    (text) => deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, idempotencyKey: text }),
  ],
  [
    "deposit deep metadata",
    ["metadata", "a", "b", "c"],
    (text) => deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, metadata: { a: { b: { c: text } } } }),
  ],
  [
    "debit description",
    ["description"],
    (text) => debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, description: text }),
  ],
  [
    "debit reference",
    ["reference"],
    (text) => debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, reference: text }),
  ],
  [
    "debit idempotency key",
    ["idempotencyKey"],
    (text) => debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, idempotencyKey: text }),
  ],
  [
    "debit categories",
    ["categories[0]"],
    (text) => debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, categories: [text] }),
  ],
  [
    "debit metadata",
    ["metadata", "order"],
    (text) => debit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, metadata: { order: text } }),
  ],
  [
    "hold reference",
    ["reference"],
    (text) => holdCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, reference: text }),
  ],
  [
    "hold description",
    ["description"],
    (text) => holdCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, description: text }),
  ],
  ["captureHold description", ["description"], (text) => captureHold(ledger.ctx, { scope: ledger.scope, holdId, description: text })],
  ["releaseHold description", ["description"], (text) => releaseHold(ledger.ctx, { scope: ledger.scope, holdId, description: text })],
  [
    "voidCredits reason",
    ["reason"],
    (text) => voidCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, reason: text }),
  ],
  [
    "voidCredits description",
    ["description"],
    (text) => voidCredits(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, description: text }),
  ],
  [
    "refund description",
    ["description"],
    (text) => refund(ledger.ctx, { scope: ledger.scope, operationId: debitId, amount: 1n, description: text }),
  ],
  [
    "refund metadata",
    ["metadata", "ticket"],
    (text) => refund(ledger.ctx, { scope: ledger.scope, operationId: debitId, amount: 1n, metadata: { ticket: text } }),
  ],
  [
    "amendBlock description",
    ["description"],
    (text) => amendBlock(ledger.ctx, { scope: ledger.scope, blockId, amount: 1n, description: text }),
  ],
  [
    "changeBlockExpiry description",
    ["description"],
    (text) =>
      changeBlockExpiry(ledger.ctx, {
        scope: ledger.scope,
        blockId,
        expiresAt: new Date(ledger.clock.now().getTime() + DAY),
        description: text,
      }),
  ],
  ["terminateWallet reason", ["reason"], (text) => terminateWallet(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, reason: text })],
  [
    "reverseDeposit reference",
    ["reference"],
    (text) =>
      reverseDeposit(ledger.ctx, {
        scope: ledger.scope,
        walletId: wallet.id,
        depositOperationId: depositId,
        reversedTotal: 1n,
        reference: text,
      }),
  ],
  [
    "reverseDeposit metadata",
    ["metadata", "stripe"],
    (text) =>
      reverseDeposit(ledger.ctx, {
        scope: ledger.scope,
        walletId: wallet.id,
        depositOperationId: depositId,
        reversedTotal: 1n,
        metadata: { stripe: text },
      }),
  ],
];

async function footprint() {
  const { prisma } = ledger.db;
  const [operations, entries, customers, wallets, current] = await Promise.all([
    prisma.operation.count(),
    prisma.ledgerEntry.count(),
    prisma.customer.count(),
    prisma.wallet.count(),
    prisma.wallet.findUniqueOrThrow({ where: { id: wallet.id } }),
  ]);
  return { operations, entries, customers, wallets, name: current.name, metadata: current.metadata, status: current.status };
}

describe("text that PostgreSQL cannot store", () => {
  describe.each(UNSTORABLE)("with %s", (_, text) => {
    it.each(CASES)("%s is refused by name and writes nothing", async (_label, path, run) => {
      const before = await footprint();
      const error = await run(text).then(
        () => null,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([
        { path, message: expect.stringMatching(/NUL characters or unpaired UTF-16 surrogates|must be|is not/) },
      ]);
      expect(await footprint()).toEqual(before);
    });
  });

  it("keeps well-formed text beyond the Basic Multilingual Plane exactly", async () => {
    const text = "💳 карта 卡 \u{1F9FE}";
    const result = await deposit(ledger.ctx, {
      scope: ledger.scope,
      walletId: wallet.id,
      amount: 1n,
      description: text,
      reference: text,
      metadata: { [text]: [text, { nested: text }] },
    });
    const stored = await ledger.db.prisma.ledgerEntry.findUniqueOrThrow({ where: { id: result.entries[0]!.id } });
    expect(stored).toMatchObject({ description: text, reference: text, metadata: { [text]: [text, { nested: text }] } });
  });

  it("finds nothing, rather than failing, when a lookup names such text", async () => {
    const [text] = UNSTORABLE.map(([, value]) => value);
    expect(await findCustomer(ledger.ctx, ledger.scope, text!)).toBeNull();
    expect(await findCustomerWallet(ledger.ctx, ledger.scope, text!, "USD")).toBeNull();
    expect(await findOperationByIdempotencyKey(ledger.ctx, ledger.scope, text!)).toBeNull();
    expect((await listCreditBlocks(ledger.ctx, ledger.scope, wallet.id, { category: text })).items).toEqual([]);
    expect((await listLedgerEntries(ledger.ctx, ledger.scope, wallet.id, { category: text })).items).toEqual([]);
  });
});

describe("metadata bounds", () => {
  function nested(depth: number): Record<string, unknown> {
    let value: Record<string, unknown> = { leaf: true };
    for (let level = 1; level < depth; level += 1) value = { level: value };
    return value;
  }

  it(`takes ${METADATA_MAX_DEPTH} levels of nesting and refuses one more`, async () => {
    await deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, metadata: nested(METADATA_MAX_DEPTH) });
    const deeper = deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, metadata: nested(METADATA_MAX_DEPTH + 1) });
    await expect(deeper).rejects.toBeInstanceOf(ValidationError);
    await expect(deeper).rejects.toThrow(/nests deeper than 8 levels/);
  });

  it("refuses more than 16 KiB of JSON, and values JSON cannot hold", async () => {
    const big = { blob: "x".repeat(16_384) };
    await expect(deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, metadata: big })).rejects.toThrow(
      /at most 16 KiB/,
    );
    for (const value of [10n, Number.NaN, new Date(), () => 1]) {
      await expect(
        deposit(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, amount: 1n, metadata: { value } }),
      ).rejects.toBeInstanceOf(ValidationError);
    }
  });

  it("bounds a wallet's metadata as merged, not only each patch", async () => {
    const own = await ledger.newWallet();
    await updateWallet(ledger.ctx, { scope: ledger.scope, walletId: own.id, metadata: { first: "x".repeat(10_000) } });
    await expect(
      updateWallet(ledger.ctx, { scope: ledger.scope, walletId: own.id, metadata: { second: "y".repeat(10_000) } }),
    ).rejects.toThrow(/at most 16 KiB/);
    await updateWallet(ledger.ctx, { scope: ledger.scope, walletId: own.id, metadata: { first: null, second: "y".repeat(10_000) } });
    expect((await ledger.db.prisma.wallet.findUniqueOrThrow({ where: { id: own.id } })).metadata).toEqual({ second: "y".repeat(10_000) });
  });
});

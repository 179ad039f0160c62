// A customer has one active wallet per currency and name (no name counting as one name): a second
// one is WALLET_EXISTS, naming the first, unless it is named distinctly. The database enforces it
// (a partial unique index), so concurrent requests in any number of processes open one wallet.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createWallet, type CreateWalletInput } from "../../src/ledger/commands/create-wallet.ts";
import { ensureCustomerWallet } from "../../src/ledger/commands/ensure-customer-wallet.ts";
import { terminateWallet } from "../../src/ledger/commands/terminate-wallet.ts";
import { updateWallet } from "../../src/ledger/commands/update-wallet.ts";
import { WalletExistsError } from "../../src/ledger/errors.ts";
import { MIGRATIONS_DIR } from "../../src/db/migrations.ts";
import { createTestDatabase } from "../support/database.ts";
import { useLedger } from "../support/ledger.ts";

const ledger = useLedger();

function open(externalId: string, extra: Partial<CreateWalletInput> = {}) {
  return createWallet(ledger.ctx, { scope: ledger.scope, customer: { externalId }, currency: "USD", ...extra });
}

async function existsError(attempt: Promise<unknown>): Promise<WalletExistsError> {
  const error = await attempt.then(
    () => null,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(WalletExistsError);
  return error as WalletExistsError;
}

describe("a second wallet in the same currency", () => {
  it("is WALLET_EXISTS naming the first, whether unnamed or under the same name, and writes nothing", async () => {
    const { wallet: plain } = await open("twice");
    const { wallet: promo } = await open("twice", { name: "Promo" });
    const walletsBefore = await ledger.db.prisma.wallet.count();

    const unnamed = await existsError(open("twice"));
    expect(unnamed).toMatchObject({ code: "WALLET_EXISTS", walletId: plain.id, currency: "USD", walletName: null });
    expect(unnamed.message).toContain(plain.id);
    expect((await existsError(open("twice", { name: "" }))).walletId).toBe(plain.id);
    expect((await existsError(open("twice", { name: "Promo", overdraftLimit: 10n }))).walletId).toBe(promo.id);
    expect(await ledger.db.prisma.wallet.count()).toBe(walletsBefore);
  });

  it("opens when named distinctly, in another currency or unit, or for another customer", async () => {
    await open("distinct");
    await open("distinct", { name: "Team A" });
    await open("distinct", { name: "Team B" });
    await open("distinct", { currency: "EUR" });
    await open("distinct", { currency: null, customUnit: { code: "CREDITS", scale: 0 } });
    await open("distinct-2");
    expect(await ledger.db.prisma.wallet.count({ where: { customer: { externalId: "distinct" } } })).toBe(5);
  });

  it("opens once the first is terminated", async () => {
    const { wallet: first } = await open("renewed");
    await terminateWallet(ledger.ctx, { scope: ledger.scope, walletId: first.id });
    const { wallet: second } = await open("renewed");
    expect(second.id).not.toBe(first.id);
  });

  it("still replays a repeated idempotency key, while a new key is WALLET_EXISTS", async () => {
    const first = await open("keyed", { idempotencyKey: "open-keyed" });
    expect(await open("keyed", { idempotencyKey: "open-keyed" })).toMatchObject({ replayed: true, wallet: { id: first.wallet.id } });
    expect((await existsError(open("keyed", { idempotencyKey: "open-keyed-2" }))).walletId).toBe(first.wallet.id);
  });

  it("refuses renaming a wallet to the name of another active wallet in its currency", async () => {
    const { wallet: main } = await open("renames", { name: "Main" });
    const { wallet: other } = await open("renames", { name: "Other" });
    expect((await existsError(updateWallet(ledger.ctx, { scope: ledger.scope, walletId: other.id, name: "Main" }))).walletId).toBe(main.id);
    expect((await ledger.db.prisma.wallet.findUniqueOrThrow({ where: { id: other.id } })).name).toBe("Other");
    await updateWallet(ledger.ctx, { scope: ledger.scope, walletId: main.id, name: "Main" });
    await updateWallet(ledger.ctx, { scope: ledger.scope, walletId: other.id, name: "Spare" });
  });
});

describe("concurrent requests for the same wallet", () => {
  it("open it once: the other request is WALLET_EXISTS naming the winner", async () => {
    for (const round of [1, 2, 3, 4]) {
      // A new customer makes the requests queue on its row; a known one lets them meet at the index.
      if (round > 2) await open(`race-${round}`, { currency: "EUR" });
      const attempts = await Promise.allSettled(Array.from({ length: 4 }, () => open(`race-${round}`, { name: "Shared" })));
      const opened = attempts.flatMap((attempt) => (attempt.status === "fulfilled" ? [attempt.value.wallet.id] : []));
      expect(opened).toHaveLength(1);
      for (const attempt of attempts) {
        if (attempt.status === "rejected") expect(attempt.reason).toMatchObject({ code: "WALLET_EXISTS", walletId: opened[0] });
      }
      expect(await ledger.db.prisma.wallet.count({ where: { customer: { externalId: `race-${round}` }, currency: "USD" } })).toBe(1);
    }
  });

  it("through ensureCustomerWallet all get the one wallet", async () => {
    const wallets = await Promise.all(
      Array.from({ length: 4 }, () =>
        ensureCustomerWallet(ledger.ctx, {
          scope: ledger.scope,
          customer: { externalId: "vendor-race" },
          customUnit: { code: "CREDITS", scale: 0 },
        }),
      ),
    );
    expect(new Set(wallets.map((wallet) => wallet.id)).size).toBe(1);
  });

  it("rename two wallets to one name: one takes it, the other is WALLET_EXISTS", async () => {
    const { wallet: first } = await open("rename-race", { name: "One" });
    const { wallet: second } = await open("rename-race", { name: "Two" });
    const attempts = await Promise.allSettled(
      [first, second].map((wallet) => updateWallet(ledger.ctx, { scope: ledger.scope, walletId: wallet.id, name: "Both" })),
    );
    expect(attempts.filter((attempt) => attempt.status === "fulfilled")).toHaveLength(1);
    const [refused] = attempts.flatMap((attempt) => (attempt.status === "rejected" ? [attempt.reason] : []));
    expect(refused).toBeInstanceOf(WalletExistsError);
    expect(await ledger.db.prisma.wallet.count({ where: { customer: { externalId: "rename-race" }, name: "Both" } })).toBe(1);
  });
});

describe("the migration that adds the rule", () => {
  it("keeps duplicates opened before it, naming all but the oldest of each group apart", async () => {
    const latest = fs.readdirSync(MIGRATIONS_DIR).filter((name) => /^\d+_one_wallet_per_customer_currency_name$/.test(name));
    expect(latest).toHaveLength(1);
    const earlier = fs.mkdtempSync(path.join(os.tmpdir(), "bg-migrations-"));
    fs.copyFileSync(path.join(MIGRATIONS_DIR, "migration_lock.toml"), path.join(earlier, "migration_lock.toml"));
    for (const name of fs.readdirSync(MIGRATIONS_DIR)) {
      if (/^\d+_/.test(name) && name < latest[0]!)
        fs.cpSync(path.join(MIGRATIONS_DIR, name), path.join(earlier, name), { recursive: true });
    }
    const db = await createTestDatabase({ migrate: false });
    try {
      await db.migrate(earlier);
      const tenant = await db.prisma.tenant.create({ data: { slug: "legacy", name: "Legacy" } });
      const customer = await db.prisma.customer.create({ data: { tenantId: tenant.id, externalId: "legacy" } });
      // In SQL: the client would write columns that later migrations add.
      const wallet = async (name: string | null, minutes: number, status: "active" | "terminated" = "active") => {
        const [row] = await db.prisma.$queryRaw<{ id: string }[]>`
          INSERT INTO wallet (id, tenant_id, customer_id, currency, scale, name, status, created_at)
          VALUES (gen_random_uuid(), ${tenant.id}::uuid, ${customer.id}::uuid, 'USD', 2, ${name}, ${status}::wallet_status, ${new Date(Date.UTC(2026, 0, 1, 0, minutes))})
          RETURNING id::text AS id`;
        return row!;
      };
      const oldest = await wallet(null, 1);
      const unnamedAgain = await wallet(null, 2);
      const emptyName = await wallet("", 3);
      const main = await wallet("Main", 4);
      const mainAgain = await wallet("Main", 5);
      const closed = await wallet(null, 6, "terminated");

      await db.migrate();
      const names = new Map((await db.prisma.wallet.findMany()).map((row) => [row.id, row.name]));
      expect(
        Object.fromEntries([oldest, unnamedAgain, emptyName, main, mainAgain, closed].map((row) => [row.id, names.get(row.id)])),
      ).toEqual({
        [oldest.id]: null,
        [unnamedAgain.id]: `(${unnamedAgain.id})`,
        [emptyName.id]: `(${emptyName.id})`,
        [main.id]: "Main",
        [mainAgain.id]: `Main (${mainAgain.id})`,
        [closed.id]: null,
      });
    } finally {
      await db.close();
      fs.rmSync(earlier, { recursive: true, force: true });
    }
  });
});

// updateCustomer: a customer's name and email change within the caller's scope, once per
// idempotency key, and bad input changes nothing.
import { describe, expect, it } from "vitest";
import { updateCustomer, type UpdateCustomerInput } from "../../src/ledger/commands/update-customer.ts";
import type { Scope } from "../../src/ledger/context.ts";
import { ForbiddenError, IdempotencyConflictError, NotFoundError, ValidationError } from "../../src/ledger/errors.ts";
import { useLedger } from "../support/ledger.ts";

const ledger = useLedger();

function update(input: Omit<UpdateCustomerInput, "scope">, scope: Scope = ledger.scope) {
  return updateCustomer(ledger.ctx, { scope, ...input });
}

async function customerOf(walletCustomerId: string) {
  return ledger.db.prisma.customer.findUniqueOrThrow({ where: { id: walletCustomerId } });
}

async function failure(attempt: Promise<unknown>): Promise<unknown> {
  return attempt.then(
    () => null,
    (error: unknown) => error,
  );
}

describe("updateCustomer", () => {
  it("sets the name and email given, leaves out what is not given, and clears what is given as null or empty", async () => {
    const wallet = await ledger.newWallet({ customer: { externalId: "cus_edit", name: "Old name", email: "old@example.com" } });
    const { customer, replayed } = await update({ externalId: "cus_edit", name: "Ada Lovelace" });
    expect(replayed).toBe(false);
    expect(customer).toMatchObject({ id: wallet.customerId, externalId: "cus_edit", name: "Ada Lovelace", email: "old@example.com" });

    await update({ externalId: "cus_edit", email: "ada@example.com" });
    expect(await customerOf(wallet.customerId)).toMatchObject({ name: "Ada Lovelace", email: "ada@example.com" });

    await update({ externalId: "cus_edit", name: null, email: "" });
    expect(await customerOf(wallet.customerId)).toMatchObject({ name: null, email: null });
    // The wallet is the customer's still, untouched.
    expect(await ledger.db.prisma.wallet.findUniqueOrThrow({ where: { id: wallet.id } })).toMatchObject({ customerId: wallet.customerId });
  });

  it("changes once per idempotency key: the key again answers the customer as replayed, other input under it is a conflict", async () => {
    const wallet = await ledger.newWallet({ customer: { externalId: "cus_keyed" } });
    const first = await update({ externalId: "cus_keyed", name: "Grace", idempotencyKey: "edit-1" });
    expect(first).toMatchObject({ replayed: false, customer: { name: "Grace" } });

    // Changed meanwhile by another request: the replay does not change it back.
    await update({ externalId: "cus_keyed", name: "Grace Hopper" });
    const again = await update({ externalId: "cus_keyed", name: "Grace", idempotencyKey: "edit-1" });
    expect(again).toMatchObject({ replayed: true, customer: { id: wallet.customerId, name: "Grace Hopper" } });

    expect(await failure(update({ externalId: "cus_keyed", name: "Someone else", idempotencyKey: "edit-1" }))).toBeInstanceOf(
      IdempotencyConflictError,
    );
    expect(await ledger.db.prisma.customerUpdate.count({ where: { idempotencyKey: "edit-1" } })).toBe(1);
  });

  it("makes one change for concurrent requests with one key", async () => {
    const wallet = await ledger.newWallet({ customer: { externalId: "cus_race" } });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => update({ externalId: "cus_race", email: "race@example.com", idempotencyKey: "race-1" })),
    );
    expect(results.filter((result) => !result.replayed)).toHaveLength(1);
    expect(results.every((result) => result.customer.id === wallet.customerId)).toBe(true);
    expect(await ledger.db.prisma.customerUpdate.count({ where: { customerId: wallet.customerId } })).toBe(1);
  });

  it("refuses bad input by name and changes nothing", async () => {
    const wallet = await ledger.newWallet({ customer: { externalId: "cus_bad", name: "Kept", email: "kept@example.com" } });
    const refusals = [
      [{ externalId: "cus_bad" }, "input"],
      [{ externalId: "cus_bad", email: "not an email" }, "email"],
      [{ externalId: "cus_bad", email: "no-domain@" }, "email"],
      [{ externalId: "cus_bad", email: `${"a".repeat(320)}@example.com` }, "email"],
      [{ externalId: "cus_bad", name: "n".repeat(256) }, "name"],
      [{ externalId: "cus_bad", name: "nul\u0000inside" }, "name"],
      [{ externalId: "cus_bad", name: "ok", idempotencyKey: "k".repeat(256) }, "idempotencyKey"],
    ] as const;
    for (const [input, field] of refusals) {
      const error = await failure(update(input));
      expect(error, JSON.stringify(input)).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toMatch(new RegExp(`^${field} `));
    }
    expect(await customerOf(wallet.customerId)).toMatchObject({ name: "Kept", email: "kept@example.com" });
  });

  it("finds customers in the caller's scope only, and wants a role that manages wallets", async () => {
    const wallet = await ledger.newWallet({ customer: { externalId: "cus_scoped", name: "Mine" } });
    const otherTenant = await ledger.db.prisma.tenant.create({ data: { slug: `other-${Date.now()}`, name: "Other" } });
    const foreign: Scope = { tenantId: otherTenant.id, livemode: true, customerId: null, role: "admin" };
    const testMode: Scope = { ...ledger.scope, livemode: false };
    for (const scope of [foreign, testMode]) {
      expect(await failure(update({ externalId: "cus_scoped", name: "Taken" }, scope))).toBeInstanceOf(NotFoundError);
    }
    expect(await failure(update({ externalId: "no_such_customer", name: "x" }))).toBeInstanceOf(NotFoundError);
    for (const role of ["read", "customer"] as const) {
      const scope: Scope = { ...ledger.scope, role, customerId: role === "customer" ? wallet.customerId : null };
      expect(await failure(update({ externalId: "cus_scoped", name: "Taken" }, scope))).toBeInstanceOf(ForbiddenError);
    }
    expect((await update({ externalId: "cus_scoped", name: "Written" }, { ...ledger.scope, role: "write" })).customer.name).toBe("Written");
  });
});

// A wallet is kept in an ISO 4217 currency or in an explicitly custom unit, never a guess between
// the two: a typo is an error that creates nothing, not a wallet of made-up credits.
import { describe, expect, it } from "vitest";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { ensureCustomerWallet } from "../../src/ledger/commands/ensure-customer-wallet.ts";
import { ValidationError } from "../../src/ledger/errors.ts";
import { currencyScale, isoMinorUnit, walletUnit } from "../../src/ledger/money.ts";
import { useLedger } from "../support/ledger.ts";

const ledger = useLedger();

async function refusal(attempt: Promise<unknown>): Promise<ValidationError> {
  const error = await attempt.then(
    () => null,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe("ISO 4217 currencies", () => {
  it.each([
    ["USD", 2],
    ["EUR", 2],
    ["JPY", 0],
    ["KRW", 0],
    ["ISK", 0],
    ["KWD", 3],
    ["IQD", 3],
    ["TND", 3],
    ["CLF", 4],
    ["UYW", 4],
    ["XCG", 2],
    ["ZWG", 2],
    ["SLE", 2],
    ["VED", 2],
    ["XAD", 2],
    ["XOF", 0],
  ])("%s has %i minor-unit digits", (code, scale) => {
    expect(currencyScale(code)).toBe(scale);
    expect(walletUnit({ currency: code })).toEqual({ currency: code, scale });
  });

  it.each(["HRK", "BGN", "ANG", "SLL", "ZWL", "CUC", "VEF", "LTL"])("refuses %s, a withdrawn code", (code) => {
    expect(isoMinorUnit(code)).toBeNull();
    expect(() => walletUnit({ currency: code })).toThrow(/is not an ISO 4217 currency/);
  });

  it.each(["XAU", "XAG", "XDR", "XTS", "XXX"])("refuses %s, a code without minor units, pointing to a custom unit", (code) => {
    expect(() => walletUnit({ currency: code })).toThrow(new RegExp(`${code} has no minor unit in ISO 4217; hold it as a customUnit`));
  });
});

describe("createWallet's currency", () => {
  it.each([
    ["US", /US is not an ISO 4217 currency; for a unit of your own, give customUnit/],
    ["XYZ", /XYZ is not an ISO 4217 currency; for a unit of your own, give customUnit/],
    ["CREDITS", /CREDITS is not an ISO 4217 currency; for a unit of your own, give customUnit/],
    ["usd", /in upper case: USD/],
    ["U$D", /must be an ISO 4217 currency code such as USD/],
  ])("refuses %s, creating neither the wallet nor the customer", async (currency, message) => {
    const error = await refusal(createWallet(ledger.ctx, { scope: ledger.scope, customer: { externalId: `typo-${currency}` }, currency }));
    expect(error.message).toMatch(message);
    expect(error.issues).toEqual([{ path: ["currency"], message: expect.any(String) }]);
    expect(await ledger.db.prisma.customer.count({ where: { externalId: `typo-${currency}` } })).toBe(0);
  });

  it("opens a custom unit only when asked for one explicitly, at its scale", async () => {
    const { wallet } = await createWallet(ledger.ctx, {
      scope: ledger.scope,
      customer: { externalId: "units" },
      customUnit: { code: "API_CALLS", scale: 3 },
    });
    expect(wallet).toMatchObject({ currency: "API_CALLS", scale: 3 });
    const usd = await createWallet(ledger.ctx, { scope: ledger.scope, customer: { externalId: "units" }, currency: "USD" });
    expect(usd.wallet).toMatchObject({ currency: "USD", scale: 2 });
  });

  it.each([
    ["both a currency and a custom unit", { currency: "USD", customUnit: { code: "CREDITS", scale: 0 } }, ["customUnit"]],
    ["neither", {}, ["currency"]],
    ["a custom unit named like an ISO currency", { customUnit: { code: "USD", scale: 2 } }, ["customUnit", "code"]],
    ["a custom unit named like a code without minor units", { customUnit: { code: "XAU", scale: 3 } }, ["customUnit", "code"]],
    ["a lower-case custom unit", { customUnit: { code: "credits", scale: 0 } }, ["customUnit", "code"]],
    ["a one-letter custom unit", { customUnit: { code: "C", scale: 0 } }, ["customUnit", "code"]],
    ["a custom unit of 33 characters", { customUnit: { code: `C${"X".repeat(32)}`, scale: 0 } }, ["customUnit", "code"]],
    ["a custom unit scale of 19", { customUnit: { code: "CREDITS", scale: 19 } }, ["customUnit", "scale"]],
    ["a negative custom unit scale", { customUnit: { code: "CREDITS", scale: -1 } }, ["customUnit", "scale"]],
    ["a fractional custom unit scale", { customUnit: { code: "CREDITS", scale: 1.5 } }, ["customUnit", "scale"]],
  ])("refuses %s", async (_, unit, path) => {
    const error = await refusal(createWallet(ledger.ctx, { scope: ledger.scope, customer: { externalId: "bad-unit" }, ...unit }));
    expect(error.issues[0]!.path).toEqual(path);
  });
});

describe("ensureCustomerWallet's unit", () => {
  it("opens a custom unit wallet when told so, and refuses a bare custom code as a currency", async () => {
    const credits = await ensureCustomerWallet(ledger.ctx, {
      scope: ledger.scope,
      customer: { externalId: "vendor" },
      customUnit: { code: "CREDITS", scale: 0 },
    });
    expect(credits).toMatchObject({ currency: "CREDITS", scale: 0 });
    const again = await ensureCustomerWallet(ledger.ctx, {
      scope: ledger.scope,
      customer: { externalId: "vendor" },
      customUnit: { code: "CREDITS", scale: 0 },
    });
    expect(again.id).toBe(credits.id);
    await refusal(ensureCustomerWallet(ledger.ctx, { scope: ledger.scope, customer: { externalId: "vendor-2" }, currency: "CREDITS" }));
    expect(await ledger.db.prisma.customer.count({ where: { externalId: "vendor-2" } })).toBe(0);
  });
});

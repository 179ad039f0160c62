// What an attacker sent the gateway, over GraphQL: unstorable text, impossible dates, amounts past
// what the ledger holds, currency typos and duplicate wallets. Each is a typed error naming the
// field, never a 500, and nothing is written.
import { describe, expect, it } from "vitest";
import { createWalletVia, depositVia, useGateway, WALLET_FIELDS } from "../support/app.ts";

const gateway = useGateway();

const CREATE_WALLET = `mutation($input: CreateWalletInput!) {
  createWallet(input: $input) {
    __typename
    ... on Error { code message }
    ... on ValidationError { fields { path message } }
    ... on WalletExistsError { walletId }
    ... on CreateWalletPayload { wallet { id currency scale name } }
  }
}`;
const DEPOSIT = `mutation($input: DepositInput!) {
  deposit(input: $input) { __typename ... on Error { code message } ... on ValidationError { fields { path message } } ... on DepositPayload { entries { id } } }
}`;

async function walletCount(): Promise<number> {
  return (await gateway.graphql(`{ wallets(first: 1) { totalCount } }`)).data.wallets.totalCount;
}

describe("text PostgreSQL cannot store", () => {
  it.each([
    ["a NUL in a description", { description: "coffee\u0000" }, ["description"]],
    ["a lone surrogate in a reference", { reference: "order-\ud800" }, ["reference"]],
    ["a NUL deep in metadata", { metadata: { order: { lines: ["ok", "bad\u0000"] } } }, ["metadata", "order", "lines", "1"]],
    ["a lone surrogate in a metadata key", { metadata: { ["k\udc00"]: 1 } }, ["metadata"]],
    ["a NUL in an idempotency key", { idempotencyKey: "key\u0000" }, ["idempotencyKey"]],
  ])("%s is a ValidationError naming the field", async (_, input, path) => {
    const walletId = await createWalletVia(gateway, `text-${path.join("-")}`);
    const reply = await gateway.graphql(DEPOSIT, { input: { walletId, amount: "10", ...input } });
    expect(reply.errors).toBeUndefined();
    expect(reply.data.deposit).toMatchObject({ __typename: "ValidationError", code: "VALIDATION_FAILED", fields: [{ path }] });
  });

  it("in a customer field or wallet name creates neither", async () => {
    const before = await walletCount();
    for (const input of [
      { customerExternalId: "nul\u0000", currency: "USD" },
      { customerExternalId: "named", customerName: "\ud800", currency: "USD" },
      { customerExternalId: "named", name: "Main\u0000", currency: "USD" },
    ]) {
      const reply = await gateway.graphql(CREATE_WALLET, { input });
      expect(reply.data.createWallet).toMatchObject({ __typename: "ValidationError" });
    }
    expect(await walletCount()).toBe(before);
    expect((await gateway.graphql(`{ customer(externalId: "named") { id } }`)).data.customer).toBeNull();
  });
});

describe("the DateTime scalar", () => {
  it.each([
    ["an impossible day", "2099-02-30T00:00:00Z", /2099-02-30 does not exist/],
    ["an impossible hour", "2099-01-01T24:00:00Z", /is not a time of day/],
    ["a time without a zone", "2099-01-01T10:00:00", /time zone/],
    ["a date that is not ISO 8601", "01/02/2099", /ISO 8601/],
    ["a year past 9999", "10000-01-01T00:00:00Z", /ISO 8601/],
    ["a year before 1970", "1969-07-20T20:17:00Z", /years 1970 to 9999/],
  ])("refuses %s as a variable, before anything runs", async (_, expiresAt, message) => {
    const walletId = await createWalletVia(gateway, `dates-${expiresAt}`);
    const reply = await gateway.graphql(DEPOSIT, { input: { walletId, amount: "10", expiresAt } });
    expect(reply.data).toBeFalsy();
    expect(reply.errors?.[0]?.message).toMatch(message);
    expect(reply.errors?.[0]?.message).toContain("expiresAt");
  });

  it("refuses an impossible day written in the query, and takes offsets and plain dates", async () => {
    const walletId = await createWalletVia(gateway, "dates-literal");
    const literal = await gateway.graphql(
      `mutation { deposit(input: { walletId: "${walletId}", amount: "10", expiresAt: "2099-02-29" }) { __typename } }`,
    );
    expect(literal.errors?.[0]?.message).toMatch(/2099-02-29 does not exist/);
    const offset = await gateway.graphql(
      `mutation($input: DepositInput!) { deposit(input: $input) { ... on DepositPayload { blocks { expiresAt effectiveAt } } } }`,
      { input: { walletId, amount: "10", expiresAt: "2099-06-30T23:30:00-02:00", effectiveAt: "2024-02-29" } },
    );
    expect(offset.data.deposit.blocks).toEqual([{ expiresAt: "2099-07-01T01:30:00.000Z", effectiveAt: "2024-02-29T00:00:00.000Z" }]);
  });
});

describe("amounts past what the ledger holds", () => {
  it("are a ValidationError, not an internal error, and write nothing", async () => {
    const walletId = await createWalletVia(gateway, "overflow");
    await depositVia(gateway, walletId, "4611686018427387904");
    await depositVia(gateway, walletId, "4611686018427387903");
    const reply = await gateway.graphql(DEPOSIT, { input: { walletId, amount: "1" } });
    expect(reply.errors).toBeUndefined();
    expect(reply.data.deposit).toMatchObject({ __typename: "ValidationError", fields: [{ path: ["amount"] }] });
    const wallet = await gateway.graphql(`query($id: ID!) { wallet(id: $id) { balance { total } } }`, { id: walletId });
    expect(wallet.data.wallet.balance.total).toBe("9223372036854775807");
    const tooLong = await gateway.graphql(DEPOSIT, { input: { walletId, amount: "9".repeat(5000) } });
    expect(tooLong.errors?.[0]?.message).toMatch(/out of range/);
  });
});

describe("a wallet's currency", () => {
  it.each([
    ["US", /US is not an ISO 4217 currency; for a unit of your own, give customUnit/],
    ["XYZ", /XYZ is not an ISO 4217 currency; for a unit of your own, give customUnit/],
  ])("refuses the typo %s, creating nothing", async (currency, message) => {
    const before = await walletCount();
    const reply = await gateway.graphql(CREATE_WALLET, { input: { customerExternalId: `typo-${currency}`, currency } });
    expect(reply.data.createWallet).toMatchObject({
      __typename: "ValidationError",
      message: expect.stringMatching(message),
      fields: [{ path: ["currency"] }],
    });
    expect(await walletCount()).toBe(before);
  });

  it("opens a custom unit given explicitly, and refuses one given with a currency", async () => {
    const custom = await gateway.graphql(CREATE_WALLET, {
      input: { customerExternalId: "units", customUnit: { code: "CREDITS", scale: 3 } },
    });
    expect(custom.data.createWallet).toMatchObject({ __typename: "CreateWalletPayload", wallet: { currency: "CREDITS", scale: 3 } });
    const both = await gateway.graphql(CREATE_WALLET, {
      input: { customerExternalId: "units-2", currency: "USD", customUnit: { code: "CREDITS", scale: 0 } },
    });
    expect(both.data.createWallet).toMatchObject({ __typename: "ValidationError", fields: [{ path: ["customUnit"] }] });
    const iso = await gateway.graphql(CREATE_WALLET, { input: { customerExternalId: "units-3", customUnit: { code: "EUR", scale: 2 } } });
    expect(iso.data.createWallet).toMatchObject({ __typename: "ValidationError", fields: [{ path: ["customUnit", "code"] }] });
    const yen = await gateway.graphql(CREATE_WALLET, { input: { customerExternalId: "units", currency: "JPY" } });
    expect(yen.data.createWallet).toMatchObject({ wallet: { currency: "JPY", scale: 0 } });
  });
});

describe("a second wallet for a customer and currency", () => {
  it("is WalletExistsError with the first wallet's id unless named distinctly", async () => {
    const first = await gateway.graphql(CREATE_WALLET, { input: { customerExternalId: "dup", currency: "USD" } });
    const firstId = first.data.createWallet.wallet.id;
    const again = await gateway.graphql(CREATE_WALLET, { input: { customerExternalId: "dup", currency: "USD" } });
    expect(again.data.createWallet).toMatchObject({ __typename: "WalletExistsError", code: "WALLET_EXISTS", walletId: firstId });
    const named = await gateway.graphql(CREATE_WALLET, { input: { customerExternalId: "dup", currency: "USD", name: "Promotions" } });
    expect(named.data.createWallet).toMatchObject({ __typename: "CreateWalletPayload", wallet: { name: "Promotions" } });

    const renamed = await gateway.graphql(
      `mutation($input: UpdateWalletInput!) { updateWallet(input: $input) { __typename ... on WalletExistsError { code walletId } } }`,
      { input: { walletId: named.data.createWallet.wallet.id, name: "Promotions" } },
    );
    expect(renamed.data.updateWallet).toEqual({ __typename: "UpdateWalletPayload" });
    const collision = await gateway.graphql(
      `mutation($input: UpdateWalletInput!) { updateWallet(input: $input) { __typename ... on WalletExistsError { code walletId } } }`,
      { input: { walletId: firstId, name: "Promotions" } },
    );
    expect(collision.data.updateWallet).toEqual({
      __typename: "WalletExistsError",
      code: "WALLET_EXISTS",
      walletId: named.data.createWallet.wallet.id,
    });
    const node = await gateway.graphql(`query($id: ID!) { node(id: $id) { ... on Wallet { ${WALLET_FIELDS} } } }`, {
      id: again.data.createWallet.walletId,
    });
    expect(node.data.node).toMatchObject({ id: firstId, currency: "USD" });
  });
});

describe("text filters on queries", () => {
  it.each([
    ["customer(externalId:)", `query($text: String!) { customer(externalId: $text) { id } }`],
    ["wallets(customerExternalId:)", `query($text: String!) { wallets(first: 5, customerExternalId: $text) { totalCount } }`],
    ["wallets(currency:)", `query($text: String!) { wallets(first: 5, currency: $text) { totalCount } }`],
    [
      "Wallet.creditBlocks(category:)",
      `query($text: String!) { wallets(first: 1) { edges { node { creditBlocks(first: 5, category: $text) { edges { node { id } } } } } } }`,
    ],
    [
      "Wallet.ledgerEntries(category:)",
      `query($text: String!) { wallets(first: 1) { edges { node { ledgerEntries(first: 5, category: $text) { totalCount } } } } }`,
    ],
  ])("refuses a NUL in %s as a validation error", async (_field, query) => {
    await createWalletVia(gateway, `filter-${Math.random().toString(36).slice(2)}`);
    const reply = await gateway.graphql(query, { text: "a\u0000b" });
    expect(reply.errors?.[0]?.extensions?.code).toBe("VALIDATION_FAILED");
  });
});

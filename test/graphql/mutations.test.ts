import { describe, expect, it } from "vitest";
import { createWalletVia, depositVia, useGateway } from "../support/app.ts";

const gateway = useGateway();

const RESULT = `__typename ... on Error { code message } ... on ValidationError { fields { path message } }`;
/** Fragments for the errors particular to a mutation, keyed by the error type. */
const ERROR_DETAILS: Record<string, string> = {
  InsufficientCreditsError: "... on InsufficientCreditsError { requested available }",
  HoldNotOpenError: "... on HoldNotOpenError { status }",
  RefundExceedsDebitError: "... on RefundExceedsDebitError { refundable }",
};
const ERRORS_OF: Record<string, string[]> = {
  debit: ["InsufficientCreditsError"],
  hold: ["InsufficientCreditsError"],
  captureHold: ["HoldNotOpenError"],
  releaseHold: ["HoldNotOpenError"],
  refund: ["RefundExceedsDebitError"],
};
const LEDGER = `operation { id type } replayed wallet { balance { total used frozen available } } entries { type amount sequence startingBalance endingBalance } blocks { id remaining } hold { id status captured }`;

function mutate(name: string, inputType: string, payload: string, input: Record<string, unknown>) {
  const details = (ERRORS_OF[name] ?? []).map((type) => ERROR_DETAILS[type]).join(" ");
  return gateway.graphql(
    `mutation($input: ${inputType}!) { ${name}(input: $input) { ${RESULT} ${details} ... on ${payload} { ${LEDGER} } } }`,
    { input },
  );
}

describe("money mutations", () => {
  it("deposit, debit and a replayed debit", async () => {
    const walletId = await createWalletVia(gateway, "m-1");
    const deposited = await mutate("deposit", "DepositInput", "DepositPayload", {
      walletId,
      amount: "2000",
      category: "paid",
      costBasis: "1",
    });
    expect(deposited.data.deposit).toMatchObject({
      __typename: "DepositPayload",
      entries: [{ type: "increment", amount: "2000", sequence: "1" }],
    });

    const input = { walletId, amount: "750", reference: "order-1", idempotencyKey: "order-1" };
    const spent = await mutate("debit", "DebitInput", "DebitPayload", input);
    expect(spent.data.debit).toMatchObject({ replayed: false, wallet: { balance: { available: "1250", used: "750" } } });
    const again = await mutate("debit", "DebitInput", "DebitPayload", input);
    expect(again.data.debit).toMatchObject({ replayed: true, operation: { id: spent.data.debit.operation.id } });
    const conflict = await mutate("debit", "DebitInput", "DebitPayload", { ...input, amount: "751" });
    expect(conflict.data.debit).toMatchObject({ __typename: "IdempotencyConflictError", code: "IDEMPOTENCY_CONFLICT" });
  });

  it("answers each mutation of a request with the balance that mutation left", async () => {
    const walletId = await createWalletVia(gateway, "m-sequence");
    const balance = "wallet { balance { available used } }";
    const answer = await gateway.graphql(
      `mutation($w: ID!) {
        before: deposit(input: { walletId: $w, amount: "100", category: "paid" }) { ... on DepositPayload { ${balance} } }
        first: debit(input: { walletId: $w, amount: "10" }) { ... on DebitPayload { ${balance} } }
        second: debit(input: { walletId: $w, amount: "25" }) { ... on DebitPayload { ${balance} } }
        refilled: deposit(input: { walletId: $w, amount: "5", category: "paid" }) { ... on DepositPayload { ${balance} } }
      }`,
      { w: walletId },
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({
      before: { wallet: { balance: { available: "100", used: "0" } } },
      first: { wallet: { balance: { available: "90", used: "10" } } },
      second: { wallet: { balance: { available: "65", used: "35" } } },
      refilled: { wallet: { balance: { available: "70", used: "35" } } },
    });
  });

  it("returns typed errors: insufficient credits, validation with field paths, not found", async () => {
    const walletId = await createWalletVia(gateway, "m-2");
    const short = await mutate("debit", "DebitInput", "DebitPayload", { walletId, amount: "1" });
    expect(short.data.debit).toEqual(expect.objectContaining({ __typename: "InsufficientCreditsError", requested: "1", available: "0" }));
    const invalid = await mutate("deposit", "DepositInput", "DepositPayload", {
      walletId,
      amount: "10",
      expiresAt: "2001-01-01T00:00:00Z",
    });
    expect(invalid.data.deposit).toMatchObject({ __typename: "ValidationError", fields: [{ path: ["expiresAt"] }] });
    const zero = await mutate("deposit", "DepositInput", "DepositPayload", { walletId, amount: "0" });
    expect(zero.data.deposit).toMatchObject({ __typename: "ValidationError", fields: [{ path: ["amount"] }] });
  });

  it("rejects a Money that is not an integer before anything runs", async () => {
    const walletId = await createWalletVia(gateway, "m-3");
    const reply = await gateway.graphql(`mutation($input: DepositInput!) { deposit(input: $input) { __typename } }`, {
      input: { walletId, amount: "12.5" },
    });
    expect(reply.errors?.[0]?.message).toMatch(/Money must be a whole number of minor units/);
    expect(reply.data).toBeFalsy();
  });

  it("hold, capture part, and refuse a second capture", async () => {
    const walletId = await createWalletVia(gateway, "m-4");
    await depositVia(gateway, walletId, "100");
    const held = await mutate("hold", "HoldInput", "HoldPayload", { walletId, amount: "40" });
    expect(held.data.hold).toMatchObject({ hold: { status: "open" }, wallet: { balance: { frozen: "40", available: "60" } } });
    const holdId = held.data.hold.hold.id;
    const captured = await mutate("captureHold", "CaptureHoldInput", "CaptureHoldPayload", { holdId, amount: "25" });
    expect(captured.data.captureHold).toMatchObject({
      hold: { status: "captured", captured: "25" },
      wallet: { balance: { used: "25", frozen: "0", available: "75" } },
    });
    const twice = await mutate("captureHold", "CaptureHoldInput", "CaptureHoldPayload", { holdId });
    expect(twice.data.captureHold).toMatchObject({ __typename: "HoldNotOpenError", status: "captured" });
    const released = await mutate("releaseHold", "ReleaseHoldInput", "ReleaseHoldPayload", { holdId });
    expect(released.data.releaseHold.__typename).toBe("HoldNotOpenError");
    const other = await mutate("hold", "HoldInput", "HoldPayload", { walletId, amount: "10" });
    const release = await mutate("releaseHold", "ReleaseHoldInput", "ReleaseHoldPayload", { holdId: other.data.hold.hold.id });
    expect(release.data.releaseHold).toMatchObject({ hold: { status: "released" } });
  });

  it("void, refund, amendment and expiry change", async () => {
    const walletId = await createWalletVia(gateway, "m-5");
    const { blocks } = await depositVia(gateway, walletId, "100");
    const blockId = blocks[0]!.id;
    const voided = await mutate("void", "VoidInput", "VoidPayload", { walletId, blockId, amount: "10", reason: "refund" });
    expect(voided.data.void).toMatchObject({ entries: [{ type: "void", amount: "-10" }] });
    const spent = await mutate("debit", "DebitInput", "DebitPayload", { walletId, amount: "30" });
    const refunded = await mutate("refund", "RefundInput", "RefundPayload", { operationId: spent.data.debit.operation.id, amount: "20" });
    expect(refunded.data.refund).toMatchObject({ entries: [{ type: "refund", amount: "20" }] });
    const tooMuch = await mutate("refund", "RefundInput", "RefundPayload", { operationId: spent.data.debit.operation.id, amount: "11" });
    expect(tooMuch.data.refund).toMatchObject({ __typename: "RefundExceedsDebitError", refundable: "10" });
    const amended = await mutate("amendBlock", "AmendBlockInput", "AmendBlockPayload", { blockId, amount: "-5" });
    expect(amended.data.amendBlock).toMatchObject({ entries: [{ type: "amendment", amount: "-5" }] });
    const moved = await mutate("changeBlockExpiry", "ChangeBlockExpiryInput", "ChangeBlockExpiryPayload", {
      blockId,
      expiresAt: new Date(Date.now() + 86_400_000 * 30).toISOString(),
    });
    expect(moved.data.changeBlockExpiry.entries.map((entry: { type: string }) => entry.type)).toEqual([
      "expiration_change",
      "expiration_change",
    ]);
    expect(moved.data.changeBlockExpiry.wallet.balance.available).toBe("75");
  });

  it("updateWallet and terminateWallet; a terminated wallet takes nothing more", async () => {
    const walletId = await createWalletVia(gateway, "m-6");
    await depositVia(gateway, walletId, "100");
    const updated = await gateway.graphql(
      `mutation($input: UpdateWalletInput!) { updateWallet(input: $input) { __typename ... on UpdateWalletPayload { wallet { overdraftLimit metadata } } } }`,
      { input: { walletId, overdraftLimit: "500", metadata: { plan: "pro" } } },
    );
    expect(updated.data.updateWallet.wallet).toEqual({ overdraftLimit: "500", metadata: { plan: "pro" } });
    const closed = await mutate("terminateWallet", "TerminateWalletInput", "TerminateWalletPayload", { walletId });
    expect(closed.data.terminateWallet).toMatchObject({ entries: [{ type: "void", amount: "-100" }] });
    const after = await mutate("deposit", "DepositInput", "DepositPayload", { walletId, amount: "1" });
    expect(after.data.deposit).toMatchObject({ __typename: "WalletTerminatedError", code: "WALLET_TERMINATED" });
  });

  it("topUp answers that payments are not configured, and charges nothing", async () => {
    const walletId = await createWalletVia(gateway, "m-7");
    const reply = await mutate("topUp", "TopUpInput", "TopUpPayload", { walletId, amount: "2000" });
    expect(reply.data.topUp).toMatchObject({ __typename: "PaymentsNotConfiguredError", code: "PAYMENTS_NOT_CONFIGURED" });
  });
});

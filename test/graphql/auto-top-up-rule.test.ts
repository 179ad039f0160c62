// An auto top-up rule charges a card: on a gateway without payments, updateWallet refuses one with
// PaymentsNotConfiguredError, saying what to set, and changes nothing; removing a rule still works.
import { describe, expect, it } from "vitest";
import { createWalletVia, useGateway } from "../support/app.ts";

const gateway = useGateway();

const UPDATE = `mutation($input: UpdateWalletInput!) {
  updateWallet(input: $input) { __typename ... on UpdateWalletPayload { wallet { name autoTopUp { threshold } } } ... on Error { code message } }
}`;

describe("updateWallet's auto top-up rule without payments configured", () => {
  it("is refused with PaymentsNotConfiguredError, and nothing changes", async () => {
    const walletId = await createWalletVia(gateway, "rule-without-stripe");
    const reply = await gateway.graphql(UPDATE, { input: { walletId, name: "main", autoTopUp: { threshold: "500", amount: "2000" } } });
    expect(reply.errors).toBeUndefined();
    expect(reply.data.updateWallet).toEqual({
      __typename: "PaymentsNotConfiguredError",
      code: "PAYMENTS_NOT_CONFIGURED",
      message: expect.stringMatching(/^an auto top-up rule charges a card.*STRIPE_SECRET_KEY.*npm run dev/),
    });
    const wallet = await gateway.db.prisma.wallet.findUniqueOrThrow({ where: { id: walletId }, include: { autoTopUpRule: true } });
    expect(wallet).toMatchObject({ name: null, autoTopUpRule: null });
  });

  it("still removes a rule and changes other settings", async () => {
    const walletId = await createWalletVia(gateway, "rule-removed");
    const reply = await gateway.graphql(UPDATE, { input: { walletId, name: "kept", autoTopUp: null } });
    expect(reply.data.updateWallet).toEqual({ __typename: "UpdateWalletPayload", wallet: { name: "kept", autoTopUp: null } });
  });
});

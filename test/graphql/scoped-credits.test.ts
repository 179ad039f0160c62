// Scoped credits through GraphQL: blocks show their feature keys, a debit names its feature, a
// shortfall names it too, balances per feature, and previewDebit next to the debit that follows.
import { describe, expect, it } from "vitest";
import { createWalletVia, depositVia, useGateway } from "../support/app.ts";

const gateway = useGateway();

const DEBIT = `mutation($input: DebitInput!) { debit(input: $input) { __typename
  ... on DebitPayload { entries { amount block { id appliesTo } } }
  ... on InsufficientCreditsError { code message requested available feature } } }`;

const PREVIEW = `query($input: PreviewDebitInput!) { previewDebit(input: $input) { __typename
  ... on DebitPreview { allowed shortfall overdraft feature
    allocations { amount block { id appliesTo } } balanceAfter { available } expiresMeanwhile { id } autoTopUp { wouldTrigger amount } }
  ... on Error { code message } } }`;

describe("scoped credits in GraphQL", () => {
  it("a preview, then the debit it describes, then the balances per feature", async () => {
    const walletId = await createWalletVia(gateway, "scoped-graphql");
    const anyUsage = (await depositVia(gateway, walletId, "100")).blocks[0]!.id;
    const chat = (await depositVia(gateway, walletId, "30", { appliesTo: ["chat"] })).blocks[0]!.id;

    const input = { walletId, amount: "40", feature: "chat" };
    const preview = await gateway.graphql(PREVIEW, { input });
    expect(preview.data.previewDebit, JSON.stringify(preview)).toEqual({
      __typename: "DebitPreview",
      allowed: true,
      shortfall: null,
      overdraft: "0",
      feature: "chat",
      allocations: [
        { amount: "30", block: { id: chat, appliesTo: ["chat"] } },
        { amount: "10", block: { id: anyUsage, appliesTo: [] } },
      ],
      balanceAfter: { available: "90" },
      expiresMeanwhile: [],
      autoTopUp: { wouldTrigger: false, amount: null },
    });

    const debited = await gateway.graphql(DEBIT, { input });
    expect(debited.data.debit.entries).toEqual(
      preview.data.previewDebit.allocations.map(({ amount, block }: { amount: string; block: unknown }) => ({
        amount: `-${amount}`,
        block,
      })),
    );

    const refused = await gateway.graphql(DEBIT, { input: { walletId, amount: "91", feature: "chat" } });
    expect(refused.data.debit).toEqual({
      __typename: "InsufficientCreditsError",
      code: "INSUFFICIENT_CREDITS",
      message: 'insufficient credits for feature "chat": 91 requested, 90 available for it',
      requested: "91",
      available: "90",
      feature: "chat",
    });

    const balances = await gateway.graphql(
      `query($id: ID!) { wallet(id: $id) { balance { available } chat: balance(feature: "chat") { available }
        balancesByFeature { feature available used } } }`,
      { id: walletId },
    );
    expect(balances.data.wallet).toEqual({
      balance: { available: "90" },
      chat: { available: "90" },
      balancesByFeature: [{ feature: "chat", available: "90", used: "40" }],
    });
  });

  it("refuses feature keys that cannot be one, and writes nothing", async () => {
    const walletId = await createWalletVia(gateway, "scoped-graphql-bad");
    const reply = await gateway.graphql(
      `mutation($input: DepositInput!) { deposit(input: $input) { __typename ... on ValidationError { fields { path message } } } }`,
      { input: { walletId, amount: "1", appliesTo: ["has space"] } },
    );
    expect(reply.data.deposit).toEqual({
      __typename: "ValidationError",
      fields: [
        { path: ["appliesTo[0]"], message: "must be 1 to 64 letters, digits, '_', '.', ':', '/' or '-', starting with a letter or digit" },
      ],
    });
  });
});

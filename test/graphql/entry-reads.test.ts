// Wallet.ledgerEntries reads only the columns its entries show (LEDGER_ENTRY_FIELD_READS): every
// LedgerEntry field is listed there, and each, asked alone, answers what the entry looked up by
// its id answers.
import { beforeAll, describe, expect, it } from "vitest";
import { schema } from "../../src/graphql/schema.ts";
import { LEDGER_ENTRY_FIELD_READS } from "../../src/graphql/types/ledger-entry.ts";
import { createWalletVia, depositVia, useGateway } from "../support/app.ts";

const gateway = useGateway();
// Read by shape: `graphql` can be loaded twice (ESM and CommonJS), and its type checks would then lie.
type FieldsOf = { getFields(): Record<string, { name: string; type: unknown }> };
const entryFields = Object.values((schema.getType("LedgerEntry") as unknown as FieldsOf).getFields());

/** Each field of LedgerEntry with what to select of it: its value, or the id of the object it names. */
const SELECTIONS = entryFields.map((field) => {
  const named = schema.getType(String(field.type).replace(/[[\]!]/g, "")) as unknown as Partial<FieldsOf>;
  return typeof named.getFields === "function" ? `${field.name} { id }` : field.name;
});

beforeAll(async () => {
  const walletId = await createWalletVia(gateway, "reads");
  await depositVia(gateway, walletId, "500", {
    category: "promo",
    description: "welcome",
    metadata: { campaign: "spring" },
    reference: "ref-1",
  });
  const debit = await gateway.graphql(`mutation($input: DebitInput!) { debit(input: $input) { __typename } }`, {
    input: { walletId, amount: "120" },
  });
  expect(debit.data.debit.__typename).toBe("DebitPayload");
  const hold = await gateway.graphql(`mutation($input: HoldInput!) { hold(input: $input) { __typename } }`, {
    input: { walletId, amount: "30" },
  });
  expect(hold.data.hold.__typename).toBe("HoldPayload");
});

describe("the entries of a page of wallets", () => {
  it("list what every LedgerEntry field reads", () => {
    expect(Object.keys(LEDGER_ENTRY_FIELD_READS).sort()).toEqual(["__typename", ...entryFields.map((field) => field.name)].sort());
  });

  it("answer each field asked alone as the entry looked up by its id does", async () => {
    const page = await gateway.graphql(`{ wallets(first: 5) { edges { node { ledgerEntries(first: 10) { edges { node { id } } } } } } }`);
    expect(page.errors).toBeUndefined();
    const ids: string[] = page.data.wallets.edges.flatMap((edge: any) => edge.node.ledgerEntries.edges.map((entry: any) => entry.node.id));
    expect(ids.length).toBeGreaterThanOrEqual(3);
    const looked = await gateway.graphql(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on LedgerEntry { ${SELECTIONS.join(" ")} } } }`, {
      ids,
    });
    expect(looked.errors).toBeUndefined();
    for (const selection of SELECTIONS) {
      const alone = await gateway.graphql(
        `{ wallets(first: 5) { edges { node { ledgerEntries(first: 10) { edges { node { ${selection} } } } } } } }`,
      );
      expect(alone.errors, selection).toBeUndefined();
      const field = selection.split(" ")[0]!;
      const values = alone.data.wallets.edges.flatMap((edge: any) => edge.node.ledgerEntries.edges.map((entry: any) => entry.node[field]));
      expect(values, selection).toEqual(looked.data.nodes.map((entry: any) => entry[field]));
    }
  });
});

// updateCustomer through GraphQL: the change is read back from `customer`, a repeat with its key is
// replayed, and refusals are typed errors that change nothing.
import { describe, expect, it } from "vitest";
import { issueToken } from "../../src/auth/tokens.ts";
import { createWalletVia, useGateway } from "../support/app.ts";

const gateway = useGateway();

const UPDATE = `mutation($input: UpdateCustomerInput!) {
  updateCustomer(input: $input) {
    __typename
    ... on UpdateCustomerPayload { replayed customer { externalId name email wallets(first: 5) { totalCount } } }
    ... on Error { code message }
  }
}`;

const READ = `query($externalId: String!) { customer(externalId: $externalId) { name email } }`;

describe("updateCustomer", () => {
  it("changes the name and email, answers the customer with its wallets, and replays a repeated key", async () => {
    await createWalletVia(gateway, "cus_gql", undefined, { customerName: "Before" });
    const input = { externalId: "cus_gql", name: "Ada Lovelace", email: "ada@example.com", idempotencyKey: "edit-gql-1" };
    const first = await gateway.graphql(UPDATE, { input });
    expect(first.data.updateCustomer).toEqual({
      __typename: "UpdateCustomerPayload",
      replayed: false,
      customer: { externalId: "cus_gql", name: "Ada Lovelace", email: "ada@example.com", wallets: { totalCount: 1 } },
    });
    expect((await gateway.graphql(UPDATE, { input })).data.updateCustomer.replayed).toBe(true);
    expect((await gateway.graphql(READ, { externalId: "cus_gql" })).data.customer).toEqual({
      name: "Ada Lovelace",
      email: "ada@example.com",
    });

    // Null clears a field; a field left out stays.
    await gateway.graphql(UPDATE, { input: { externalId: "cus_gql", email: null } });
    expect((await gateway.graphql(READ, { externalId: "cus_gql" })).data.customer).toEqual({ name: "Ada Lovelace", email: null });
  });

  it("answers typed errors: a bad email, an unknown customer, a reused key, a read token", async () => {
    await createWalletVia(gateway, "cus_refused", undefined, { customerName: "Kept" });
    const reply = async (input: Record<string, unknown>, token?: string) =>
      (await gateway.graphql(UPDATE, { input }, token)).data.updateCustomer;

    expect(await reply({ externalId: "cus_refused", email: "nope" })).toMatchObject({
      __typename: "ValidationError",
      code: "VALIDATION_FAILED",
      message: "email is not an email address",
    });
    expect(await reply({ externalId: "nobody", name: "x" })).toMatchObject({ __typename: "NotFoundError", code: "NOT_FOUND" });
    await reply({ externalId: "cus_refused", name: "Kept", idempotencyKey: "reused" });
    expect(await reply({ externalId: "cus_refused", name: "Other", idempotencyKey: "reused" })).toMatchObject({
      __typename: "IdempotencyConflictError",
    });
    const readToken = await issueToken(gateway.db.prisma, { tenantSlug: "acme", test: false, role: "read" });
    expect(await reply({ externalId: "cus_refused", name: "Taken" }, readToken)).toMatchObject({ __typename: "ForbiddenError" });
    expect((await gateway.graphql(READ, { externalId: "cus_refused" })).data.customer).toEqual({ name: "Kept", email: null });
  });
});

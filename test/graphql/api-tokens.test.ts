// Token management through GraphQL: an admin token creates, lists and revokes its tenant's
// tokens; other roles may not; a test credential never mints a live one; a revoked token is
// refused by this gateway at once, and by one that learnt of it elsewhere within the cache time.
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { TokenAuthenticator } from "../../src/auth/authenticator.ts";
import { revokeApiToken } from "../../src/auth/token-management.ts";
import { systemScope } from "../../src/ledger/access.ts";
import { useGateway } from "../support/app.ts";

const gateway = useGateway();
let tokens: TokenAuthenticator;
beforeAll(() => {
  // The gateway's own authenticator, on the test's clock, so that the test can wait for its writes.
  tokens = new TokenAuthenticator(gateway.db.prisma, { cacheSeconds: 5, now: gateway.clock.now });
  gateway.app = createApp({ db: gateway.db, ledger: gateway.ledger, tokens });
});

const TOKEN_FIELDS = "id prefix role livemode name createdAt lastUsedAt revokedAt customer { externalId }";
const CREATE = `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { __typename
  ... on CreateApiTokenPayload { token apiToken { ${TOKEN_FIELDS} } }
  ... on Error { code message }
  ... on ValidationError { fields { path message } }
  ... on ForbiddenError { role permission } } }`;
const LIST = `query($includeRevoked: Boolean, $livemode: Boolean) {
  apiTokens(first: 100, includeRevoked: $includeRevoked, livemode: $livemode) { totalCount edges { node { ${TOKEN_FIELDS} } } } }`;
const REVOKE = `mutation($id: ID!) { revokeApiToken(input: {id: $id}) { __typename
  ... on RevokeApiTokenPayload { apiToken { ${TOKEN_FIELDS} } }
  ... on Error { code message } } }`;

interface ApiTokenNode {
  id: string;
  prefix: string;
  role: string;
  livemode: boolean;
  name: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  customer: { externalId: string } | null;
}

async function create(input: Record<string, unknown>, token = gateway.token) {
  return (await gateway.graphql(CREATE, { input }, token)).data.createApiToken;
}

/** Creates a token that must be created; returns it and its record. */
async function created(input: Record<string, unknown>, token = gateway.token): Promise<{ token: string; apiToken: ApiTokenNode }> {
  const result = await create(input, token);
  expect(result.__typename, JSON.stringify(result)).toBe("CreateApiTokenPayload");
  return result;
}

async function list(variables: Record<string, unknown> = {}, token = gateway.token): Promise<ApiTokenNode[]> {
  const reply = await gateway.graphql(LIST, variables, token);
  expect(reply.errors).toBeUndefined();
  return reply.data.apiTokens.edges.map((edge: { node: ApiTokenNode }) => edge.node);
}

async function revoke(id: string, token = gateway.token) {
  return (await gateway.graphql(REVOKE, { id }, token)).data.revokeApiToken;
}

async function status(token: string): Promise<number> {
  return (await gateway.graphql("{ viewer { livemode } }", {}, token)).status;
}

describe("token lifecycle", () => {
  it("creates a token shown once, sees it used, revokes it, and then refuses it", async () => {
    const { token, apiToken } = await created({ role: "write", name: "billing worker" });
    expect(token).toMatch(/^bg_live_[0-9a-f-]{36}$/);
    expect(apiToken).toMatchObject({
      prefix: token.slice(0, 12),
      role: "write",
      livemode: true,
      name: "billing worker",
      lastUsedAt: null,
      revokedAt: null,
      customer: null,
    });

    const used = await gateway.graphql("{ viewer { role livemode tenant { slug } } }", {}, token);
    expect(used.data.viewer).toEqual({ role: "write", livemode: true, tenant: { slug: "acme" } });
    await tokens.settled();
    const listed = (await list()).find((node) => node.id === apiToken.id);
    expect(listed).toMatchObject({ role: "write", name: "billing worker", lastUsedAt: gateway.clock.now().toISOString(), revokedAt: null });
    // Never the token itself: only its hash is kept.
    expect(JSON.stringify(await list())).not.toContain(token);

    const revoked = await revoke(apiToken.id);
    expect(revoked).toMatchObject({
      __typename: "RevokeApiTokenPayload",
      apiToken: { id: apiToken.id, revokedAt: gateway.clock.now().toISOString() },
    });
    const refused = await gateway.graphql("{ viewer { livemode } }", {}, token);
    expect(refused.status).toBe(403);
    expect(refused.errors![0]).toMatchObject({ extensions: { code: "FORBIDDEN" } });
    // The REST shim asks the same authenticator.
    const rest = await gateway.app.fetch(
      new Request("http://gateway.test/api/credits/balance", { headers: { authorization: `Bearer ${token}` } }),
    );
    expect(rest.status).toBe(403);

    expect((await list()).map((node) => node.id)).not.toContain(apiToken.id);
    expect((await list({ includeRevoked: true })).find((node) => node.id === apiToken.id)).toMatchObject({
      revokedAt: revoked.apiToken.revokedAt,
    });
    // Revoking again changes nothing: the first revocation time stays.
    gateway.clock.advance(60_000);
    expect(await revoke(apiToken.id)).toMatchObject({ apiToken: { revokedAt: revoked.apiToken.revokedAt } });
  });

  it("makes personal tokens for a customer, created when new, and checks the role fits", async () => {
    const personal = await created({ customerExternalId: "alice" });
    expect(personal.apiToken).toMatchObject({ role: "customer", customer: { externalId: "alice" } });
    expect(await gateway.graphql("{ viewer { role customer { externalId } } }", {}, personal.token)).toMatchObject({
      data: { viewer: { role: "customer", customer: { externalId: "alice" } } },
    });
    expect((await created({ customerExternalId: "bob", role: "read" })).apiToken).toMatchObject({
      role: "read",
      customer: { externalId: "bob" },
    });

    const adminForCustomer = await create({ customerExternalId: "carol", role: "admin" });
    expect(adminForCustomer).toMatchObject({ __typename: "ValidationError", code: "VALIDATION_FAILED", fields: [{ path: ["role"] }] });
    const customerWithoutOne = await create({ role: "customer" });
    expect(customerWithoutOne).toMatchObject({ __typename: "ValidationError", fields: [{ path: ["customerExternalId"] }] });
    const longName = await create({ customerExternalId: "dave", name: "x".repeat(256) });
    expect(longName).toMatchObject({ __typename: "ValidationError", fields: [{ path: ["name"] }] });
    // Refused input writes nothing, not even the customer.
    expect(await gateway.db.prisma.customer.count({ where: { externalId: { in: ["carol", "dave"] } } })).toBe(0);
  });

  it("lets a token revoke itself", async () => {
    const { token, apiToken } = await created({ name: "short-lived admin" });
    expect(await revoke(apiToken.id, token)).toMatchObject({ __typename: "RevokeApiTokenPayload", apiToken: { id: apiToken.id } });
    expect(await status(token)).toBe(403);
  });

  it("refuses a token revoked by another gateway once this one's cache time is up", async () => {
    const { token, apiToken } = await created({ role: "read" });
    expect(await status(token)).toBe(200);
    const tenant = await gateway.db.prisma.tenant.findUniqueOrThrow({ where: { slug: "acme" } });
    // As another gateway process (or the CLI) would: in the database, unknown to this one's cache.
    await revokeApiToken({ prisma: gateway.db.prisma, now: gateway.clock.now }, systemScope(tenant.id, true), apiToken.id);
    gateway.clock.advance(4_999);
    expect(await status(token)).toBe(200);
    gateway.clock.advance(1);
    expect(await status(token)).toBe(403);
  });
});

describe("who may manage tokens", () => {
  it("refuses write, read and customer tokens, to which no token exists", async () => {
    const admin = await created({ name: "the admin to reach" });
    for (const input of [{ role: "write" }, { role: "read" }, { customerExternalId: "erin" }]) {
      const { token, apiToken } = await created(input);
      expect(await create({ role: "admin" }, token)).toMatchObject({
        __typename: "ForbiddenError",
        code: "FORBIDDEN",
        role: apiToken.role,
        permission: "tokens",
      });
      expect(await revoke(admin.apiToken.id, token)).toMatchObject({ __typename: "ForbiddenError", code: "FORBIDDEN" });
      const listing = await gateway.graphql(LIST, {}, token);
      expect(listing.errors![0]).toMatchObject({ extensions: { code: "FORBIDDEN" } });
      const node = await gateway.graphql("query($id: ID!) { node(id: $id) { id } }", { id: admin.apiToken.id }, token);
      expect(node.data.node).toBeNull();
    }
    expect(await status(admin.token)).toBe(200);
  });

  it("never lets a test-mode admin mint or reach a live token", async () => {
    const testAdmin = await gateway.issue("acme", { test: true });
    const liveToken = await created({ role: "read" });

    const refused = await create({ test: false }, testAdmin);
    expect(refused).toMatchObject({
      __typename: "ForbiddenError",
      code: "FORBIDDEN",
      message: expect.stringMatching(/test-mode token may only create test tokens/),
    });
    const testToken = await created({ name: "made in test mode" }, testAdmin);
    expect(testToken.token).toMatch(/^bg_test_/);
    expect(testToken.apiToken.livemode).toBe(false);
    expect(await gateway.graphql("{ viewer { livemode } }", {}, testToken.token)).toMatchObject({ data: { viewer: { livemode: false } } });

    const seenInTest = await list({}, testAdmin);
    expect(seenInTest.length).toBeGreaterThan(0);
    expect(seenInTest.every((node) => !node.livemode)).toBe(true);
    expect(await revoke(liveToken.apiToken.id, testAdmin)).toMatchObject({ __typename: "NotFoundError", code: "NOT_FOUND" });
    expect(
      (await gateway.graphql("query($id: ID!) { node(id: $id) { id } }", { id: liveToken.apiToken.id }, testAdmin)).data.node,
    ).toBeNull();
    expect(await status(liveToken.token)).toBe(200);
  });

  it("lets a live admin create, see and revoke test tokens too", async () => {
    const testToken = await created({ test: true, role: "write" });
    expect(testToken.token).toMatch(/^bg_test_/);
    expect((await list({ livemode: false })).map((node) => node.id)).toContain(testToken.apiToken.id);
    expect((await list({ livemode: true })).map((node) => node.id)).not.toContain(testToken.apiToken.id);
    expect(await revoke(testToken.apiToken.id)).toMatchObject({ __typename: "RevokeApiTokenPayload" });
    expect(await status(testToken.token)).toBe(403);
  });

  it("keeps each tenant's tokens to itself", async () => {
    const acmeToken = await created({ role: "read" });
    const NODE = "query($id: ID!) { node(id: $id) { ... on ApiToken { role } } }";
    expect((await gateway.graphql(NODE, { id: acmeToken.apiToken.id })).data.node).toEqual({ role: "read" });
    const globexAdmin = await gateway.issue("globex");
    expect((await gateway.graphql(NODE, { id: acmeToken.apiToken.id }, globexAdmin)).data.node).toBeNull();
    expect(await revoke(acmeToken.apiToken.id, globexAdmin)).toMatchObject({ __typename: "NotFoundError" });
    expect((await list({ includeRevoked: true }, globexAdmin)).map((node) => node.id)).not.toContain(acmeToken.apiToken.id);
    expect(await status(acmeToken.token)).toBe(200);
  });
});

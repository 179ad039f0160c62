// Webhook endpoints through GraphQL: admin tokens only, per tenant and mode, the secret shown once,
// and URLs held to https on public addresses.
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { checkWebhookUrl, isPrivateAddress } from "../../src/webhooks/url-policy.ts";
import { useGateway } from "../support/app.ts";

const gateway = useGateway();

beforeAll(() => {
  gateway.app = createApp({ db: gateway.db, ledger: gateway.ledger, webhookUrlPolicy: { allowPrivate: true } });
});

const CREATE = `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
  __typename ... on CreateWebhookEndpointPayload { secret webhookEndpoint { id url eventTypes description status livemode } }
  ... on ValidationError { message fields { path message } } ... on Error { code message } } }`;

const create = (input: Record<string, unknown>, token?: string) =>
  gateway.graphql(CREATE, { input: { url: "http://127.0.0.1:9/events", eventTypes: ["*"], ...input } }, token);

describe("webhook endpoints", () => {
  it("are created with a signing secret shown once, listed without it, changed and deleted", async () => {
    const created = await create({ eventTypes: ["operation.completed", "balance.depleted"], description: "ledger mirror" });
    const { secret, webhookEndpoint } = created.data.createWebhookEndpoint;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(webhookEndpoint).toMatchObject({
      eventTypes: ["operation.completed", "balance.depleted"],
      description: "ledger mirror",
      status: "active",
      livemode: true,
    });

    const listed = await gateway.graphql(`{ webhookEndpoints(first: 10) { totalCount edges { node { id url } } } }`);
    expect(listed.data.webhookEndpoints.edges).toContainEqual({ node: { id: webhookEndpoint.id, url: "http://127.0.0.1:9/events" } });
    expect(JSON.stringify(listed)).not.toContain(secret);

    const updated = await gateway.graphql(
      `mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) { __typename ... on UpdateWebhookEndpointPayload { webhookEndpoint { eventTypes description } } } }`,
      { input: { id: webhookEndpoint.id, eventTypes: ["*"], description: null } },
    );
    expect(updated.data.updateWebhookEndpoint).toEqual({
      __typename: "UpdateWebhookEndpointPayload",
      webhookEndpoint: { eventTypes: ["*"], description: null },
    });

    const deleted = await gateway.graphql(
      `mutation($input: DeleteWebhookEndpointInput!) { deleteWebhookEndpoint(input: $input) { __typename ... on DeleteWebhookEndpointPayload { deletedWebhookEndpointId } } }`,
      { input: { id: webhookEndpoint.id } },
    );
    expect(deleted.data.deleteWebhookEndpoint).toEqual({
      __typename: "DeleteWebhookEndpointPayload",
      deletedWebhookEndpointId: webhookEndpoint.id,
    });
    expect((await gateway.graphql(`query($id: ID!) { node(id: $id) { id } }`, { id: webhookEndpoint.id })).data.node).toBeNull();
  });

  it("refuse unknown event types and an empty list", async () => {
    expect((await create({ eventTypes: ["balance.exploded"] })).data.createWebhookEndpoint).toMatchObject({
      __typename: "ValidationError",
      message: expect.stringContaining("balance.exploded"),
    });
    expect((await create({ eventTypes: [] })).data.createWebhookEndpoint).toMatchObject({ __typename: "ValidationError" });
  });

  it("are for admin tokens only, and each tenant and mode sees its own", async () => {
    const mine = (await create({})).data.createWebhookEndpoint.webhookEndpoint;
    const testToken = await gateway.issue("acme", { test: true });
    const otherTenant = await gateway.issue("globex");

    const writeToken = (
      await gateway.graphql(`mutation { createApiToken(input: { role: write }) { ... on CreateApiTokenPayload { token } } }`)
    ).data.createApiToken.token as string;
    expect((await create({}, writeToken)).data.createWebhookEndpoint).toMatchObject({ __typename: "ForbiddenError", code: "FORBIDDEN" });
    const listedByWriter = await gateway.graphql(`{ webhookEndpoints(first: 5) { edges { node { id } } } }`, {}, writeToken);
    expect(listedByWriter.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    for (const token of [testToken, otherTenant]) {
      const listed = await gateway.graphql(`{ webhookEndpoints(first: 50) { edges { node { id } } } }`, {}, token);
      expect(listed.data.webhookEndpoints.edges).not.toContainEqual({ node: { id: mine.id } });
      const deleted = await gateway.graphql(
        `mutation($input: DeleteWebhookEndpointInput!) { deleteWebhookEndpoint(input: $input) { __typename } }`,
        { input: { id: mine.id } },
        token,
      );
      expect(deleted.data.deleteWebhookEndpoint.__typename).toBe("NotFoundError");
      const node = await gateway.graphql(`query($id: ID!) { node(id: $id) { id } }`, { id: mine.id }, token);
      expect(node.data.node).toBeNull();
    }
    const testEndpoint = (await create({}, testToken)).data.createWebhookEndpoint.webhookEndpoint;
    expect(testEndpoint.livemode).toBe(false);
  });
});

describe("webhook URLs", () => {
  const strict = { allowPrivate: false };

  it("must be https on public addresses", async () => {
    await expect(checkWebhookUrl("https://93.184.215.14/events", strict)).resolves.toBe("https://93.184.215.14/events");
    await expect(checkWebhookUrl("http://93.184.215.14/events", strict)).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      message: "url must use https",
    });
    await expect(checkWebhookUrl("https://user:pw@93.184.215.14/", strict)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(checkWebhookUrl("not a url", strict)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    for (const host of [
      "127.0.0.1",
      "10.1.2.3",
      "172.20.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "[::1]",
      "[fe80::1]",
      "[fd00::1]",
      "[::ffff:127.0.0.1]",
      "localhost",
    ]) {
      await expect(checkWebhookUrl(`https://${host}/events`, strict), host).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    }
  });

  it("are checked address by address", () => {
    expect(["8.8.8.8", "2606:4700:4700::1111"].map(isPrivateAddress)).toEqual([false, false]);
    expect(["127.0.0.2", "::", "::ffff:10.0.0.1", "ff02::1", "224.0.0.1", "not-an-ip"].map(isPrivateAddress)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
  });

  it("may be http and private with WEBHOOK_ALLOW_PRIVATE=1", async () => {
    await expect(checkWebhookUrl("http://127.0.0.1:8080/events#frag", { allowPrivate: true })).resolves.toBe(
      "http://127.0.0.1:8080/events",
    );
  });
});

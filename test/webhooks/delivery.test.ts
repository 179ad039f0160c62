// Webhook deliveries to a real HTTP receiver on a loopback port, driven with a clock moved by
// hand: signed as the README says, retried after 500s and timeouts under one event id, in order
// per wallet, given up after the schedule (the endpoint then failing), and resent on request.
import { wirePayload } from "../../src/events/wire-format.ts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import type { Scope } from "../../src/ledger/context.ts";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import {
  deliverDueWebhooksOnce,
  MAX_ATTEMPTS,
  RETRY_DELAYS_MS,
  startWebhookSender,
  type WebhookSenderOptions,
} from "../../src/webhooks/delivery.ts";
import { webhookDeliveries } from "../../src/observability/metrics.ts";
import { useGateway } from "../support/app.ts";
import { teamScope } from "../support/ledger.ts";
import { readmeVerifier, startWebhookReceiver, type SignatureVerifier, type WebhookReceiver } from "../support/webhook-receiver.ts";

const gateway = useGateway();
let scope: Scope;
let verify: SignatureVerifier;
let receiver: WebhookReceiver;
let sender: WebhookSenderOptions;
let walletCount = 0;

beforeAll(async () => {
  gateway.app = createApp({ db: gateway.db, ledger: gateway.ledger, webhookUrlPolicy: { allowPrivate: true } });
  const tenant = await gateway.db.prisma.tenant.findUniqueOrThrow({ where: { slug: "acme" } });
  scope = teamScope(tenant.id, true);
  verify = await readmeVerifier();
  sender = { prisma: gateway.db.prisma, now: gateway.clock.now, allowPrivate: true, timeoutMs: 400, concurrency: 4 };
});

beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver.close());
afterEach(async () => {
  // Each test has the tenant's only endpoint.
  await gateway.db.prisma.webhookEndpoint.deleteMany({});
  receiver.received.length = 0;
  receiver.answers = [];
  receiver.otherwise = 200;
  receiver.decide = null;
});

async function createEndpoint(eventTypes: string[] = ["*"], url = receiver.url) {
  const reply = await gateway.graphql(
    `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
       __typename ... on CreateWebhookEndpointPayload { secret webhookEndpoint { id url eventTypes status } } ... on Error { code message } } }`,
    { input: { url, eventTypes, description: "ledger mirror" } },
  );
  expect(reply.data.createWebhookEndpoint.__typename, JSON.stringify(reply)).toBe("CreateWebhookEndpointPayload");
  return reply.data.createWebhookEndpoint as { secret: string; webhookEndpoint: { id: string; url: string; status: string } };
}

async function newWallet() {
  walletCount += 1;
  const { wallet } = await createWallet(gateway.ledger, { scope, customer: { externalId: `hooked-${walletCount}` }, currency: "USD" });
  return wallet;
}

const credit = (walletId: string, amount = 500n) => deposit(gateway.ledger, { scope, walletId, amount });

async function deliveriesOf(endpointGlobalId: string) {
  const reply = await gateway.graphql(
    `query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { status deliveries(first: 50) { edges { node {
       status attempts responseStatus durationMs lastError nextAttemptAt resend event { id type sequence } } } } } } }`,
    { id: endpointGlobalId },
  );
  expect(reply.errors).toBeUndefined();
  return reply.data.node as { status: string; deliveries: { edges: { node: Record<string, any> }[] } };
}

describe("webhook deliveries", () => {
  it("are signed so that the README's snippet verifies them, and carry the event id", async () => {
    const { secret } = await createEndpoint();
    const wallet = await newWallet();
    await credit(wallet.id);
    expect(await deliverDueWebhooksOnce(sender)).toBeGreaterThanOrEqual(2);

    const types = receiver.received.map((delivery) => delivery.event.type);
    expect(types).toEqual(expect.arrayContaining(["wallet.created", "operation.completed"]));
    for (const delivery of receiver.received) {
      expect(delivery.headers["content-type"]).toBe("application/json");
      expect(delivery.headers["billing-gateway-event-id"]).toBe(delivery.event.id);
      const signature = delivery.headers["billing-gateway-signature"] as string;
      expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verify(delivery.body, signature, secret)).toBe(true);
      // Another secret, a changed body, an old timestamp: refused.
      expect(verify(delivery.body, signature, "whsec_someone-else")).toBe(false);
      expect(verify(delivery.body.replace(delivery.event.id, "00000000-0000-0000-0000-000000000000"), signature, secret)).toBe(false);
      expect(verify(delivery.body, signature, secret, -1)).toBe(false);
    }
    const stored = await gateway.db.prisma.event.findMany({ where: { walletId: wallet.id }, orderBy: { sequence: "asc" } });
    expect(receiver.received.map((delivery) => delivery.event)).toEqual(
      stored.map((event) =>
        expect.objectContaining({
          id: event.id,
          type: event.type,
          walletId: wallet.id,
          sequence: String(event.sequence),
          createdAt: event.createdAt.toISOString(),
          data: wirePayload(event.payload),
        }),
      ),
    );
    // One timestamp format and sequences as strings, whether SQL or TypeScript wrote the payload.
    const operation = receiver.received.map((delivery) => delivery.event).find((event) => event.type === "operation.completed") as any;
    expect(operation.data.operation.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(operation.sequence).toMatch(/^\d+$/);
  });

  it("deliver only the endpoint's event types", async () => {
    const wallet = await newWallet();
    await createEndpoint(["operation.completed"]);
    await credit(wallet.id);
    await deliverDueWebhooksOnce(sender);
    expect(receiver.received.map((delivery) => delivery.event.type)).toEqual(["operation.completed"]);
  });

  it("are retried after a 500 and after a timeout, under the same event id, until one succeeds", async () => {
    // Opened before the endpoint: only the credits' events are delivered.
    const wallet = await newWallet();
    const { webhookEndpoint } = await createEndpoint(["operation.completed"]);
    await credit(wallet.id);
    receiver.answers = [500, "hang", 200];
    const counted = async () =>
      new Map((await webhookDeliveries.get()).values.map(({ labels, value }) => [String(labels.outcome), value] as const));
    const before = await counted();

    expect(await deliverDueWebhooksOnce(sender)).toBe(1);
    let [delivery] = (await deliveriesOf(webhookEndpoint.id)).deliveries.edges;
    expect(delivery!.node).toMatchObject({
      status: "pending",
      attempts: 1,
      responseStatus: 500,
      lastError: expect.stringContaining("answered 500"),
    });
    expect(new Date(delivery!.node.nextAttemptAt).getTime()).toBe(gateway.clock.now().getTime() + RETRY_DELAYS_MS[0]!);
    // Not due yet: nothing is sent.
    expect(await deliverDueWebhooksOnce(sender)).toBe(0);

    gateway.clock.advance(RETRY_DELAYS_MS[0]!);
    expect(await deliverDueWebhooksOnce(sender)).toBe(1);
    [delivery] = (await deliveriesOf(webhookEndpoint.id)).deliveries.edges;
    expect(delivery!.node).toMatchObject({ status: "pending", attempts: 2, responseStatus: null, lastError: "no answer within 400 ms" });

    gateway.clock.advance(RETRY_DELAYS_MS[1]!);
    expect(await deliverDueWebhooksOnce(sender)).toBe(1);
    [delivery] = (await deliveriesOf(webhookEndpoint.id)).deliveries.edges;
    expect(delivery!.node).toMatchObject({ status: "succeeded", attempts: 3, responseStatus: 200, lastError: null, nextAttemptAt: null });
    expect(delivery!.node.durationMs).toBeGreaterThanOrEqual(0);

    const ids = new Set(receiver.received.map((received) => received.headers["billing-gateway-event-id"]));
    expect(receiver.received).toHaveLength(3);
    expect([...ids]).toEqual([delivery!.node.event.id]);
    // Each attempt is counted on /metrics by its outcome.
    const after = await counted();
    const added = (outcome: string) => Number(after.get(outcome) ?? 0) - Number(before.get(outcome) ?? 0);
    expect({ failed: added("failed"), delivered: added("delivered") }).toEqual({ failed: 2, delivered: 1 });
  });

  it("go in order per wallet: a wallet's next event waits for the one before, other wallets' do not", async () => {
    const [held, free] = [await newWallet(), await newWallet()];
    await createEndpoint(["operation.completed"]);
    await credit(held.id, 1n);
    await credit(held.id, 2n);
    await credit(free.id, 3n);
    receiver.decide = (delivery) =>
      delivery.event.walletId === held.id && receiver.received.filter((seen) => seen.event.walletId === held.id).length === 1
        ? 500
        : undefined;

    await deliverDueWebhooksOnce(sender);
    expect(receiver.received.filter((delivery) => delivery.event.walletId === held.id)).toHaveLength(1);
    expect(receiver.received.filter((delivery) => delivery.event.walletId === free.id)).toHaveLength(1);

    gateway.clock.advance(RETRY_DELAYS_MS[0]!);
    await deliverDueWebhooksOnce(sender);
    const heldSequences = receiver.received
      .filter((delivery) => delivery.event.walletId === held.id)
      .map((delivery) => BigInt(delivery.event.sequence));
    expect(heldSequences).toHaveLength(3);
    expect(heldSequences[0]).toBe(heldSequences[1]);
    expect(heldSequences[2]).toBeGreaterThan(heldSequences[1]!);
  });

  it("are given up after the schedule, over more than 24 hours; the endpoint is then failing, and active again after a success", async () => {
    expect(RETRY_DELAYS_MS.reduce((sum, wait) => sum + wait, 0)).toBeGreaterThan(24 * 3_600_000);
    // Opened before the endpoint: only the credits' events are delivered.
    const wallet = await newWallet();
    const { webhookEndpoint } = await createEndpoint(["operation.completed"]);
    await credit(wallet.id, 1n);
    gateway.clock.advance(1_000);
    await credit(wallet.id, 2n);
    receiver.otherwise = 503;

    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt += 1) {
      expect(await deliverDueWebhooksOnce(sender)).toBe(1);
      gateway.clock.advance(RETRY_DELAYS_MS[attempt - 1]!);
    }
    // The last attempt gives the first credit's delivery up; then the wallet's next event goes,
    // and, the endpoint failing, gets one attempt.
    expect(await deliverDueWebhooksOnce(sender)).toBe(2);
    const endpoint = await deliveriesOf(webhookEndpoint.id);
    expect(endpoint.status).toBe("failing");
    expect(receiver.received).toHaveLength(MAX_ATTEMPTS + 1);
    expect(new Set(receiver.received.slice(0, MAX_ATTEMPTS).map((delivery) => delivery.event.id)).size).toBe(1);
    expect(endpoint.deliveries.edges.map((edge) => edge.node)).toEqual([
      expect.objectContaining({ status: "failed", attempts: 1 }),
      expect.objectContaining({ status: "failed", attempts: MAX_ATTEMPTS, responseStatus: 503, nextAttemptAt: null }),
    ]);

    receiver.otherwise = 200;
    gateway.clock.advance(1_000);
    await credit(wallet.id, 3n);
    expect(await deliverDueWebhooksOnce(sender)).toBe(1);
    expect((await deliveriesOf(webhookEndpoint.id)).status).toBe("active");
  });

  it("are sent again by resendWebhookEvent, with the same event id", async () => {
    // Opened before the endpoint: only the credits' events are delivered.
    const wallet = await newWallet();
    const { webhookEndpoint } = await createEndpoint(["operation.completed"]);
    await credit(wallet.id);
    await deliverDueWebhooksOnce(sender);
    const eventId = receiver.received[0]!.event.id;
    gateway.clock.advance(1_000);

    const reply = await gateway.graphql(
      `mutation($input: ResendWebhookEventInput!) { resendWebhookEvent(input: $input) { __typename ... on ResendWebhookEventPayload { delivery { status resend } } ... on Error { code } } }`,
      { input: { eventId, endpointId: webhookEndpoint.id } },
    );
    expect(reply.data.resendWebhookEvent).toEqual({
      __typename: "ResendWebhookEventPayload",
      delivery: { status: "pending", resend: true },
    });
    await deliverDueWebhooksOnce(sender);
    expect(receiver.received.map((delivery) => delivery.headers["billing-gateway-event-id"])).toEqual([eventId, eventId]);
    const deliveries = (await deliveriesOf(webhookEndpoint.id)).deliveries.edges.map((edge) => edge.node);
    expect(deliveries).toEqual([
      expect.objectContaining({ resend: true, status: "succeeded" }),
      expect.objectContaining({ resend: false, status: "succeeded" }),
    ]);
  });

  it("are each sent once when several senders claim at the same moment", async () => {
    const wallets = [await newWallet(), await newWallet(), await newWallet()];
    await createEndpoint(["operation.completed"]);
    for (const wallet of wallets) for (const amount of [1n, 2n]) await credit(wallet.id, amount);
    await Promise.all([deliverDueWebhooksOnce(sender), deliverDueWebhooksOnce(sender), deliverDueWebhooksOnce(sender)]);
    const ids = receiver.received.map((delivery) => delivery.event.id);
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
  });

  it("to a receiver that hangs never hold up another endpoint's", async () => {
    const slow = await startWebhookReceiver();
    slow.otherwise = "hang";
    try {
      const wallets = [await newWallet(), await newWallet(), await newWallet(), await newWallet()];
      await createEndpoint(["operation.completed"], slow.url);
      await createEndpoint(["operation.completed"]);
      for (const wallet of wallets) await credit(wallet.id);
      // A minute-long timeout: the hung attempts hold their slots throughout this test.
      const running = startWebhookSender({ ...sender, timeoutMs: 60_000, pollMs: 20 });
      try {
        await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(4);
        expect(slow.received.length).toBeGreaterThan(0);
        expect(slow.received.length).toBeLessThanOrEqual(2);
      } finally {
        await slow.close();
        await running.stop();
      }
    } finally {
      await slow.close();
    }
  });
});

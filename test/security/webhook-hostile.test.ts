// What a hostile tenant can make the webhook sender do, with real receivers on loopback ports:
// answer with a gzip bomb or a body with no end (the gateway reads a few KiB and hangs up), leave
// endpoints hanging (its deliveries take a bounded share of the sending slots, so another
// tenant's go at once), point a URL at the gateway's own network through an IPv6 spelling of an
// IPv4 address, re-point a name between the check and the connection, have more endpoints than
// the setting allows, or put text in a failing answer for the gateway to show.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { issueToken } from "../../src/auth/tokens.ts";
import type { Database } from "../../src/db/database.ts";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import type { LedgerContext, Scope } from "../../src/ledger/context.ts";
import { createInProcessEventFeed } from "../../src/ledger/event-feed.ts";
import { deliverDueWebhooksOnce, startWebhookSender, wakingSender, type WebhookSenderOptions } from "../../src/webhooks/delivery.ts";
import type { WebhookEndpointPolicy } from "../../src/webhooks/endpoints.ts";
import { checkWebhookUrl } from "../../src/webhooks/url-policy.ts";
import { createTestDatabase } from "../support/database.ts";
import { teamScope } from "../support/ledger.ts";
import { startWebhookReceiver, type Answer, type WebhookReceiver } from "../support/webhook-receiver.ts";

const MB = 1_000_000;
let db: Database;
let tenantA: Scope;
let tenantB: Scope;
let receiver: WebhookReceiver;
let walletCount = 0;
const now = () => new Date();

beforeAll(async () => {
  db = await createTestDatabase();
  for (const slug of ["hostile", "bystander"]) await db.prisma.tenant.create({ data: { slug, name: slug } });
  const [a, b] = await Promise.all(["hostile", "bystander"].map((slug) => db.prisma.tenant.findUniqueOrThrow({ where: { slug } })));
  tenantA = teamScope(a!.id, true);
  tenantB = teamScope(b!.id, true);
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await db?.close();
});
afterEach(async () => {
  await db.prisma.webhookEndpoint.deleteMany({});
  receiver.received.length = 0;
  receiver.answers = [];
  receiver.otherwise = 200;
});

/** Endpoints written directly: some tests need more than the per-tenant limit, which they are not about. */
async function addEndpoints(scope: Scope, url: string, count = 1): Promise<void> {
  await db.prisma.webhookEndpoint.createMany({
    data: Array.from({ length: count }, (_, n) => ({
      tenantId: scope.tenantId,
      livemode: scope.livemode,
      url: `${url}?n=${n}`,
      eventTypes: ["*"],
      secret: "whsec_test",
    })),
  });
}

async function openAndCredit(ledger: LedgerContext, scope: Scope): Promise<string> {
  walletCount += 1;
  const { wallet } = await createWallet(ledger, { scope, customer: { externalId: `customer-${walletCount}` }, currency: "USD" });
  await deposit(ledger, { scope, walletId: wallet.id, amount: 100n });
  return wallet.id;
}

const senderOptions = (overrides: Partial<WebhookSenderOptions> = {}): WebhookSenderOptions => ({
  prisma: db.prisma,
  now,
  allowPrivate: true,
  timeoutMs: 10_000,
  concurrency: 16,
  ...overrides,
});

/** The largest growth of this process's memory (RSS and heap) while `work` runs, sampled every few milliseconds. */
async function memoryGrowth(work: () => Promise<unknown>): Promise<{ rss: number; heap: number }> {
  const before = process.memoryUsage();
  let peak = { rss: before.rss, heap: before.heapUsed };
  const sample = () => {
    const current = process.memoryUsage();
    peak = { rss: Math.max(peak.rss, current.rss), heap: Math.max(peak.heap, current.heapUsed) };
  };
  const sampler = setInterval(sample, 5);
  try {
    await work();
  } finally {
    clearInterval(sampler);
    sample();
  }
  return { rss: peak.rss - before.rss, heap: peak.heap - before.heapUsed };
}

describe("a receiver's answer", () => {
  it.each<[string, Answer]>([
    ["a 200 with 1 MiB of gzip inflating to 1 GiB", "gzip-bomb"],
    ["a 200 with a plain 1 GiB body", "endless"],
  ])(
    "%s is read to a few KiB and never inflated: the attempts end at once, are recorded, and the gateway's memory barely moves",
    async (_name, answer) => {
      await addEndpoints(tenantB, receiver.url);
      const ledger = { prisma: db.prisma, now };
      // An ordinary delivery first, so that what is measured is the answer, not the first use of the code.
      await openAndCredit(ledger, tenantB);
      await deliverDueWebhooksOnce(senderOptions());
      receiver.received.length = 0;
      const walletId = await openAndCredit(ledger, tenantB);
      receiver.otherwise = answer;

      const started = performance.now();
      const growth = await memoryGrowth(() => deliverDueWebhooksOnce(senderOptions()));
      const seconds = (performance.now() - started) / 1_000;
      console.log(
        `webhook answer "${answer}": ${receiver.received.length} attempts in ${seconds.toFixed(2)} s, RSS +${(growth.rss / MB).toFixed(1)} MB, heap +${(growth.heap / MB).toFixed(1)} MB`,
      );

      const events = await db.prisma.event.count({ where: { walletId } });
      // No request asked for compression.
      expect(receiver.received.map((delivery) => delivery.headers["accept-encoding"] ?? "identity")).toEqual(
        Array(events).fill("identity"),
      );
      expect(growth.rss).toBeLessThanOrEqual(50 * MB);
      expect(growth.heap).toBeLessThanOrEqual(50 * MB);
      // Well inside the 10 s timeout: the sender hung up, it did not wait the answer out.
      expect(seconds).toBeLessThan(5);
      const deliveries = await db.prisma.webhookDelivery.findMany({ where: { walletId } });
      expect(deliveries.map(({ status, responseStatus, lastError }) => ({ status, responseStatus, lastError }))).toEqual(
        Array(events).fill({ status: "succeeded", responseStatus: 200, lastError: null }),
      );
    },
  );

  it("is not kept or shown when it fails: the error names the status only", async () => {
    await addEndpoints(tenantB, receiver.url);
    const walletId = await openAndCredit({ prisma: db.prisma, now }, tenantB);
    receiver.otherwise = { status: 500, body: "Internal error: password=hunter2 at /srv/receiver/app.js:12" };
    await deliverDueWebhooksOnce(senderOptions());
    // The wallet's first delivery was tried (the rest wait for it, in order).
    const tried = await db.prisma.webhookDelivery.findMany({ where: { walletId, attempts: { gt: 0 } } });
    expect(tried.map(({ responseStatus, lastError }) => ({ responseStatus, lastError }))).toEqual([
      { responseStatus: 500, lastError: "answered 500" },
    ]);
  });
});

describe("one tenant's endpoints that never answer", () => {
  it.each([4, 100])("(%i of them) do not hold up another tenant's deliveries", async (deadEndpoints) => {
    const dead = await startWebhookReceiver();
    dead.otherwise = "hang";
    // A 10 s timeout: were B's deliveries queued behind A's, they would wait that long.
    const sender = startWebhookSender({ ...senderOptions(), pollMs: 1_000 });
    const ledger: LedgerContext = { prisma: db.prisma, now, eventFeed: wakingSender(createInProcessEventFeed(), sender) };
    try {
      await addEndpoints(tenantA, dead.url, deadEndpoints);
      await addEndpoints(tenantB, receiver.url);
      // 20 wallets of A, each opened and credited: 40 events for every one of A's endpoints.
      for (let n = 0; n < 20; n += 1) await openAndCredit(ledger, tenantA);
      await expect.poll(() => dead.received.length, { timeout: 10_000 }).toBeGreaterThan(0);

      const latencies: number[] = [];
      for (let round = 0; round < 3; round += 1) {
        await openAndCredit(ledger, tenantA);
        const { wallet } = await createWallet(ledger, {
          scope: tenantB,
          customer: { externalId: `bystander-${round}-${deadEndpoints}` },
          currency: "USD",
        });
        const started = performance.now();
        await deposit(ledger, { scope: tenantB, walletId: wallet.id, amount: 100n });
        const delivered = () =>
          receiver.received.some((delivery) => delivery.event.walletId === wallet.id && delivery.event.type === "operation.completed");
        await expect.poll(delivered, { timeout: 15_000, interval: 5 }).toBe(true);
        latencies.push(Math.round(performance.now() - started));
      }
      console.log(
        `tenant B's delivery with ${deadEndpoints} hanging endpoints of tenant A: ${latencies.join(", ")} ms; A's requests held: ${dead.received.length}`,
      );
      expect(Math.max(...latencies)).toBeLessThanOrEqual(2_000);
      // A took no more than its share: 8 of the 16 slots at most.
      expect(dead.received.length).toBeLessThanOrEqual(8);
    } finally {
      await dead.close();
      await sender.stop();
    }
  });
});

describe("webhook URLs", () => {
  const strict = { allowPrivate: false };

  it("refuse every IPv6 spelling that carries a loopback, private or link-local IPv4 address", async () => {
    const hosts = [
      "[::127.0.0.1]", // IPv4-compatible
      "[::ffff:0:127.0.0.1]", // IPv4-translated
      "[2002:7f00:1::]", // 6to4 of 127.0.0.1
      "[64:ff9b::127.0.0.1]", // NAT64 of 127.0.0.1
      "[2001:0:4136:e378:8000:63bf:80ff:fffe]", // Teredo, client 127.0.0.1
      "[2001:0:7f00:1::]", // Teredo, server 127.0.0.1
      "[::ffff:0:10.1.2.3]",
      "[2002:a01:203::]",
      "[64:ff9b::10.1.2.3]",
      "[2001:0:4136:e378:8000:63bf:f5fe:fdfc]", // Teredo, client 10.1.2.3
      "[::169.254.169.254]",
      "[2002:a9fe:a9fe::]",
      "[64:ff9b::169.254.169.254]",
      "[2001:0:a9fe:a9fe::]",
      "[64:ff9b:1::a00:1]", // local-use NAT64
    ];
    for (const host of hosts) {
      await expect(checkWebhookUrl(`https://${host}/events`, strict), host).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    }
  });

  it("accept public addresses, in those spellings too", async () => {
    for (const host of ["93.184.215.14", "[2606:4700:4700::1111]", "[64:ff9b::8.8.8.8]", "[2002:808:808::]", "[::ffff:8.8.8.8]"]) {
      await expect(checkWebhookUrl(`https://${host}/events`, strict), host).resolves.toBe(new URL(`https://${host}/events`).toString());
    }
  });

  it("are resolved once per attempt: the delivery connects to the address that was checked, whatever the name answers next", async () => {
    const lookups: string[] = [];
    // The first answer is the receiver; any later one a TEST-NET address nothing listens on.
    const resolveHost = async (host: string) => {
      lookups.push(host);
      return lookups.length === 1 ? ["127.0.0.1"] : ["192.0.2.1"];
    };
    const port = new URL(receiver.url).port;
    await addEndpoints(tenantB, `http://hooks.bystander.test:${port}/billing-events`);
    await db.prisma.webhookEndpoint.updateMany({ data: { eventTypes: ["wallet.created"] } });
    walletCount += 1;
    const { wallet } = await createWallet(
      { prisma: db.prisma, now },
      { scope: tenantB, customer: { externalId: `pinned-${walletCount}` }, currency: "USD" },
    );

    await deliverDueWebhooksOnce(senderOptions({ resolveHost, timeoutMs: 2_000 }));
    expect(lookups).toEqual(["hooks.bystander.test"]);
    expect(receiver.received.map((delivery) => [delivery.headers.host, delivery.event.walletId])).toEqual([
      [`hooks.bystander.test:${port}`, wallet.id],
    ]);
    const [delivery] = await db.prisma.webhookDelivery.findMany({ where: { walletId: wallet.id } });
    expect(delivery).toMatchObject({ status: "succeeded", responseStatus: 200 });
  });
});

describe("webhook endpoints per tenant", () => {
  it("are refused past WEBHOOK_ENDPOINTS_PER_TENANT, in each mode, with LimitExceededError", async () => {
    const policy: WebhookEndpointPolicy = { allowPrivate: true, endpointsPerTenant: 3 };
    const app = createApp({ db, ledger: { prisma: db.prisma, now }, webhookUrlPolicy: policy });
    const create = async (token: string) => {
      const response = await app.fetch(
        new Request("http://gateway.test/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({
            query: `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
              __typename ... on LimitExceededError { code message resource limit } } }`,
            variables: { input: { url: receiver.url, eventTypes: ["*"] } },
          }),
        }),
      );
      return ((await response.json()) as { data: { createWebhookEndpoint: Record<string, unknown> } }).data.createWebhookEndpoint;
    };
    const live = await issueToken(db.prisma, { tenantSlug: "hostile", test: false, customerExternalId: null });
    const test = await issueToken(db.prisma, { tenantSlug: "hostile", test: true, customerExternalId: null });

    const answers = [];
    for (let n = 0; n < 5; n += 1) answers.push((await create(live)).__typename);
    expect(answers).toEqual([
      "CreateWebhookEndpointPayload",
      "CreateWebhookEndpointPayload",
      "CreateWebhookEndpointPayload",
      "LimitExceededError",
      "LimitExceededError",
    ]);
    expect(await create(live)).toEqual({
      __typename: "LimitExceededError",
      code: "LIMIT_EXCEEDED",
      message: "a tenant may have at most 3 webhook endpoints in each mode: delete one to create another",
      resource: "webhook endpoints per tenant and mode",
      limit: 3,
    });
    // Test mode counts its own.
    expect((await create(test)).__typename).toBe("CreateWebhookEndpointPayload");
    expect(await db.prisma.webhookEndpoint.count({ where: { tenantId: tenantA.tenantId, livemode: true } })).toBe(3);
  });
});

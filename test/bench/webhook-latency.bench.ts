// Webhook delivery latency on PostgreSQL: from an event's commit (its timestamp, taken in the
// committing transaction, so a slight overestimate) to a local receiver reading the delivery,
// while workers debit wallets concurrently. `npx tsx test/bench/webhook-latency.bench.ts`
// (BENCH_DATABASE_URL, BENCH_EVENTS, BENCH_WORKERS, BENCH_POLL_MS to adjust). One endpoint takes
// every event: its deliveries are bounded by one in flight per wallet (order) and
// PER_ENDPOINT_IN_FLIGHT in all, so a debit rate above what those can carry queues up.
import pg from "pg";
import { openDatabase } from "../../src/db/database.ts";
import { createWallet } from "../../src/ledger/commands/create-wallet.ts";
import { debit } from "../../src/ledger/commands/debit.ts";
import { deposit } from "../../src/ledger/commands/deposit.ts";
import { createInProcessEventFeed } from "../../src/ledger/event-feed.ts";
import { systemClock, type LedgerContext } from "../../src/ledger/context.ts";
import { startWebhookSender, wakingSender } from "../../src/webhooks/delivery.ts";
import { teamScope } from "../support/ledger.ts";
import { startWebhookReceiver } from "../support/webhook-receiver.ts";

const serverUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const events = Number(process.env.BENCH_EVENTS ?? 200);
const workers = Number(process.env.BENCH_WORKERS ?? 8);
const name = "bench_webhook_latency";

const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${name}`);
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const db = await openDatabase({ databaseUrl: url.toString(), poolSize: 12 });
const receiver = await startWebhookReceiver();
const receivedAt = new Map<string, number>();
receiver.decide = (delivery) => {
  receivedAt.set(delivery.event.id, Date.now());
  return undefined;
};
const sender = startWebhookSender({
  prisma: db.prisma,
  now: systemClock,
  allowPrivate: true,
  timeoutMs: 10_000,
  concurrency: 16,
  pollMs: Number(process.env.BENCH_POLL_MS ?? 1_000),
});
const ledger: LedgerContext = { prisma: db.prisma, now: systemClock, eventFeed: wakingSender(createInProcessEventFeed(), sender) };
try {
  const tenant = await db.prisma.tenant.create({ data: { slug: "bench", name: "bench" } });
  const scope = teamScope(tenant.id, true);
  const wallets = [];
  for (let i = 0; i < workers; i += 1) {
    const { wallet } = await createWallet(ledger, { scope, customer: { externalId: `bench-${i}` }, currency: "USD" });
    await deposit(ledger, { scope, walletId: wallet.id, amount: 1_000_000_000n });
    wallets.push(wallet);
  }
  await db.prisma.webhookEndpoint.create({
    data: { tenantId: tenant.id, livemode: true, url: receiver.url, eventTypes: ["operation.completed"], secret: "whsec_bench" },
  });
  // Debits spread over the workers' wallets, all at once: `events` operation.completed events.
  const started = Date.now();
  await Promise.all(
    wallets.map(async (wallet, index) => {
      for (let n = index; n < events; n += workers) await debit(ledger, { scope, walletId: wallet.id, amount: 1n });
    }),
  );
  const debitSeconds = (Date.now() - started) / 1000;
  const deadline = Date.now() + 60_000;
  while (receivedAt.size < events && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  const committed = await db.prisma.event.findMany({
    where: { type: "operation.completed", id: { in: [...receivedAt.keys()] } },
    select: { id: true, createdAt: true },
  });
  const latencies = committed.map((event) => receivedAt.get(event.id)! - event.createdAt.getTime()).sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  console.log(
    JSON.stringify({
      events,
      received: latencies.length,
      workers,
      debitsPerSecond: Math.round(events / debitSeconds),
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: latencies.at(-1),
    }),
  );
} finally {
  await sender.stop();
  await receiver.close();
  await db.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.end();
}

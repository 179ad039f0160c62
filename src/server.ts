// Starts the gateway: configuration, database (migrated), HTTP server, the job runner.
import { createServer } from "node:http";
import { createApp } from "./app.ts";
import { TokenAuthenticator } from "./auth/authenticator.ts";
import { issueToken } from "./auth/tokens.ts";
import { loadConfig } from "./config.ts";
import { openDatabase } from "./db/database.ts";
import { configuredEventFeed } from "./events/configured-event-feed.ts";
import { configuredRateLimiter } from "./http/configured-rate-limiter.ts";
import { startJobRunner } from "./jobs/runner.ts";
import { gatewayJobs } from "./jobs/schedule.ts";
import { startWebhookSender, wakingSender } from "./webhooks/delivery.ts";
import { systemClock, type LedgerContext } from "./ledger/context.ts";
import { loadPaymentsConfig } from "./payments/config.ts";
import { createStripeAccess } from "./payments/stripe-client.ts";
import { watchAutoTopUps } from "./payments/auto-top-up.ts";

const config = loadConfig();
const db = await openDatabase({
  databaseUrl: config.databaseUrl ?? undefined,
  dataDir: config.dataDir,
  poolSize: config.databasePoolSize,
  replicaUrl: config.databaseReplicaUrl ?? undefined,
  replicaPoolSize: config.databaseReplicaPoolSize,
});
const paymentsConfig = loadPaymentsConfig();
const payments = paymentsConfig ? createStripeAccess(paymentsConfig) : null;
// Every committed change is shown to the auto top-up watcher, whichever API made it.
const autoTopUps = watchAutoTopUps(() => ({ ledger, payments }));
// Webhook deliveries, sent by whichever gateway is free (src/webhooks/delivery.ts).
const webhooks = startWebhookSender({ prisma: db.prisma, now: systemClock, ...config.webhooks });
// Committed events wake `walletUpdated` subscribers, on every gateway when REDIS_URL is set, and
// this gateway's webhook sender.
const eventFeed = wakingSender(await configuredEventFeed(config.http), webhooks);
const ledger: LedgerContext = { prisma: db.prisma, now: systemClock, onCommitted: (change) => autoTopUps.onCommitted(change), eventFeed };
const tokens = new TokenAuthenticator(db.prisma, { cacheSeconds: config.tokenCacheSeconds });
const rateLimiter = await configuredRateLimiter(config.http);
const server = createServer(createApp({ db, ledger, payments, tokens, http: { ...config.http, rateLimiter }, webhookUrlPolicy: config.webhooks }));

// Sweeps, retries and schedules, shared with every other gateway on the database (src/jobs/).
const jobs =
  config.jobPollSeconds > 0
    ? startJobRunner({ prisma: db.prisma, now: systemClock, pollMs: config.jobPollSeconds * 1000, jobs: gatewayJobs({ ledger, payments, sweepSeconds: config.expirySweepSeconds }) })
    : null;

// A bare machine gets something to try: the first start on the embedded database creates a
// demo tenant and prints a test token for it (shown once; only its hash is kept).
const demoToken = !config.databaseUrl && (await db.prisma.tenant.count()) === 0 ? await issueToken(db.prisma, { tenantSlug: "demo", test: true }) : null;

server.listen(config.port, () => {
  const where = config.databaseUrl ? `PostgreSQL${config.databaseReplicaUrl ? ", reads from a replica" : ""}` : `the embedded database in ${config.dataDir}`;
  console.log(`Billing Gateway listening on http://localhost:${config.port} (${where})`);
  console.log(`GraphiQL: http://localhost:${config.port}/graphql`);
  if (demoToken) {
    console.log(`Created the demo tenant. Its test token (shown only now): ${demoToken}`);
    console.log(`Send it as the header {"Authorization": "Bearer ${demoToken}"}`);
  }
});

async function shutdown(signal: string) {
  console.log(`${signal}: shutting down`);
  server.close();
  await Promise.all([jobs?.stop(), webhooks.stop()]);
  await autoTopUps.settled();
  await tokens.settled();
  await rateLimiter?.close();
  await eventFeed.close();
  await db.close();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));

// Starts the gateway, one step at a time: configuration, database (migrated), background work (jobs, webhooks),
// HTTP server, demo token. Each step that starts something registers how to stop it with
// `shutdown` right away; SIGTERM or SIGINT runs those in reverse (lifecycle/shutdown.ts), so the
// HTTP server drains first (after the drain delay, on SIGTERM) and the database closes last.
// Anything started here later takes the same two lines: start it, then `shutdown.add(…)`.
//
// A start that fails says why in a sentence (a bad setting, the database, the port) and exits 1.
import { createApp } from "./app.ts";
import { TokenAuthenticator } from "./auth/authenticator.ts";
import { demoTokenToShow } from "./auth/demo-token.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { DatabaseStartError, openDatabaseAtStart } from "./db/connect-at-start.ts";
import { configuredEventFeed } from "./events/configured-event-feed.ts";
import { configuredRateLimiter } from "./http/configured-rate-limiter.ts";
import { CONSOLE_PATH } from "./http/console-page.ts";
import { startJobRunner } from "./jobs/runner.ts";
import { gatewayJobs } from "./jobs/schedule.ts";
import { DebitBatches, systemClock, type LedgerContext } from "./ledger/index.ts";
import { listen, PortInUseError } from "./lifecycle/http-server.ts";
import { Shutdown } from "./lifecycle/shutdown.ts";
import { rootLogger, setLogLevel } from "./observability/logger.ts";
import { observeDebitStatement } from "./observability/metrics.ts";
import { loadPaymentsConfig } from "./payments/config.ts";
import { createStripeAccess } from "./payments/stripe-client.ts";
import { followAutoTopUps } from "./payments/auto-top-up.ts";
import { startWebhookSender, wakingSender } from "./webhooks/delivery.ts";

const shutdown = new Shutdown();

async function start(): Promise<void> {
  const config = loadConfig();
  setLogLevel(config.logLevel);
  const paymentsConfig = loadPaymentsConfig();

  const db = await openDatabaseAtStart(
    {
      databaseUrl: config.databaseUrl ?? undefined,
      dataDir: config.dataDir,
      poolSize: config.databasePoolSize,
      replicaUrl: config.databaseReplicaUrl ?? undefined,
      replicaPoolSize: config.databaseReplicaPoolSize,
    },
    {
      timeoutMs: config.databaseConnectTimeoutMs,
      signal: shutdown.signal,
      onRetry: (reason, delayMs) => rootLogger.warn({ retryInMs: delayMs }, `${reason} Trying again.`),
    },
  );
  shutdown.add("database", () => db.close());
  if (shutdown.started) return;

  const payments = paymentsConfig ? createStripeAccess(paymentsConfig) : null;
  // Webhook deliveries, sent by whichever gateway is free (src/webhooks/delivery.ts).
  const webhooks = startWebhookSender({ prisma: db.prisma, now: systemClock, ...config.webhooks });
  shutdown.add("webhook sender", () => webhooks.stop());
  // Committed events wake `walletUpdated` subscribers, on every gateway when REDIS_URL is set, and
  // this gateway's webhook sender.
  const eventFeed = wakingSender(await configuredEventFeed(config.http), webhooks);
  shutdown.add("event feed", () => eventFeed.close());
  const ledger: LedgerContext = {
    prisma: db.prisma,
    now: systemClock,
    eventFeed,
    balanceAlertsPerWallet: config.balanceAlertsPerWallet,
    debitBatches: new DebitBatches(db.prisma, config.debitBatches, observeDebitStatement),
  };
  // Auto top-ups follow the event log from a cursor in the database, shared with every gateway
  // (src/payments/auto-top-up.ts); a commit here only wakes the follower sooner. Without Stripe
  // too: a rule whose threshold is crossed then is paused and told, not left to do nothing.
  const autoTopUps = followAutoTopUps(() => ({ ledger, payments }), {
    pollMs: config.eventFollowerPollMs,
    batchSize: config.eventFollowerBatch,
  });
  ledger.onCommitted = autoTopUps.onCommitted;
  autoTopUps.start();
  shutdown.add("auto top-ups", () => autoTopUps.stop());
  // For the test that a crash between a commit and its reaction loses nothing
  // (test/lifecycle/crash-after-commit.test.ts): the process dies the hard way right after its
  // first command commits, before anything in it reacts.
  if (process.env.GATEWAY_TEST_KILL_AFTER_COMMIT === "1") ledger.onCommitted = () => process.kill(process.pid, "SIGKILL");
  const tokens = new TokenAuthenticator(db.prisma, { cacheSeconds: config.tokenCacheSeconds });
  shutdown.add("token checks", () => tokens.settled());
  const rateLimiter = await configuredRateLimiter(config.http);
  shutdown.add("rate limiter", () => rateLimiter?.close());

  // Sweeps, retries and schedules, shared with every other gateway on the database (src/jobs/).
  if (config.jobPollSeconds > 0) {
    const jobs = startJobRunner({
      prisma: db.prisma,
      now: systemClock,
      pollMs: config.jobPollSeconds * 1000,
      jobs: gatewayJobs({ ledger, payments, sweepSeconds: config.expirySweepSeconds }),
    });
    shutdown.add("jobs", () => jobs.stop());
  }

  const demoToken = config.databaseUrl ? null : await demoTokenToShow(db.prisma);
  if (shutdown.started) return;

  // Stopping, /readyz fails at once (shutdown.signal) and everything else is served for
  // SHUTDOWN_DRAIN_MS, while load balancers stop sending; then new requests are refused.
  const refusing = new AbortController();
  const app = createApp({
    db,
    ledger,
    payments,
    tokens,
    http: { ...config.http, rateLimiter },
    metricsToken: config.metricsToken,
    stopping: { notReady: shutdown.signal, refusing: refusing.signal },
    webhookUrlPolicy: config.webhooks,
  });
  // A client that stops reading its answer (an event stream left unread) loses its connection.
  const http = await listen(app, config.port, { writeStallMs: config.http.graphql.streams.stallSeconds * 1000 });
  shutdown.add("HTTP server", async () => {
    await shutdown.drainDelay(config.shutdownDrainMs);
    refusing.abort();
    rootLogger.info("refusing new requests: answering those in flight");
    const inFlight = http.inFlight();
    const finished = await http.drain(config.shutdownTimeoutMs);
    if (finished) rootLogger.info({ inFlight }, "HTTP server drained: every request in flight was answered");
    else
      rootLogger.warn(
        { inFlight, shutdownTimeoutMs: config.shutdownTimeoutMs },
        "requests still running after SHUTDOWN_TIMEOUT_MS had their connections closed",
      );
  });

  const url = `http://localhost:${http.port}`;
  const where = config.databaseUrl
    ? `PostgreSQL${config.databaseReplicaUrl ? ", reads from a replica" : ""}`
    : `the embedded database in ${config.dataDir}`;
  rootLogger.info({ port: http.port, database: db.kind }, `Billing Gateway listening on ${url} (${where})`);
  rootLogger.info(`Console: ${url}${CONSOLE_PATH}`);
  rootLogger.info(`GraphiQL: ${url}/graphql`);
  if (demoToken) {
    rootLogger.info(`Created the demo tenant. Its test token (shown only now): ${demoToken.token}`);
    rootLogger.info(`Send it as the header {"Authorization": "Bearer ${demoToken.token}"}`);
    await demoToken.markShown();
  } else {
    rootLogger.info(`API tokens: ${tokenHint(config.databaseUrl === null)}`);
  }
}

/** How to get a token when none is shown at start (a second start, or a database with tenants). */
function tokenHint(embedded: boolean): string {
  const create = "npm run --silent cli -- token create --tenant <slug> [--test]";
  // The CLI finds the embedded database where this gateway has it, through the socket it serves.
  return embedded
    ? `${create} (the demo tenant's is "demo"; run it from this directory, with the same DATA_DIR)`
    : `${create}, with this gateway's DATABASE_URL`;
}

/** One line per problem, no stack trace, for the failures a person can fix from the message. */
function reportStartFailure(error: unknown): void {
  if (error instanceof ConfigError) {
    for (const problem of error.problems) rootLogger.fatal(`Configuration: ${problem}`);
  } else if (error instanceof DatabaseStartError || error instanceof PortInUseError) {
    rootLogger.fatal(error.message);
  } else {
    rootLogger.fatal({ err: error }, "the gateway could not start");
  }
}

async function stop(reason: string, exitCode: number, options: { drainDelay?: boolean } = {}): Promise<never> {
  const clean = await shutdown.run(reason, options);
  rootLogger.info("stopped");
  process.exit(clean ? exitCode : 1);
}

process.on("SIGTERM", () => void stop("SIGTERM", 0));
// Ctrl-C at a terminal: nobody's load balancer to wait for.
process.on("SIGINT", () => void stop("SIGINT", 0, { drainDelay: false }));
process.on("uncaughtException", (error) => {
  rootLogger.fatal({ err: error }, "uncaught exception: stopping");
  // In a state nobody planned for: no serving on through a drain delay.
  void stop("uncaught exception", 1, { drainDelay: false });
});

try {
  await start();
} catch (error) {
  reportStartFailure(error);
  await stop("start-up failed", 1);
}

// Starts the gateway: configuration, database (migrated), HTTP server, expiry sweep.
import { createServer } from "node:http";
import { createApp } from "./app.ts";
import { issueToken } from "./auth/tokens.ts";
import { loadConfig } from "./config.ts";
import { openDatabase } from "./db/database.ts";
import { expireCredits } from "./ledger/commands/expire-credits.ts";
import { systemClock, type LedgerContext } from "./ledger/context.ts";
import { loadPaymentsConfig } from "./payments/config.ts";
import { createStripeAccess } from "./payments/stripe-client.ts";
import { reconcilePendingTopUps } from "./payments/top-up.ts";

const config = loadConfig();
const db = await openDatabase({ databaseUrl: config.databaseUrl ?? undefined, dataDir: config.dataDir });
const ledger: LedgerContext = { prisma: db.prisma, now: systemClock };
const paymentsConfig = loadPaymentsConfig();
const payments = paymentsConfig ? createStripeAccess(paymentsConfig) : null;
const server = createServer(createApp({ db, ledger, payments }));

const sweep =
  config.expirySweepSeconds > 0
    ? setInterval(() => {
        expireCredits(ledger).catch((error: unknown) => console.error("expiry sweep failed", error));
        // Top-ups a crash or an outage left pending for over a minute are completed, exactly once.
        if (payments) reconcilePendingTopUps({ ledger, payments }, { olderThanMs: 60_000 }).catch((error: unknown) => console.error("top-up reconciliation failed", error));
      }, config.expirySweepSeconds * 1000)
    : null;

// A bare machine gets something to try: the first start on the embedded database creates a
// demo tenant and prints a test token for it (shown once; only its hash is kept).
const demoToken = !config.databaseUrl && (await db.prisma.tenant.count()) === 0 ? await issueToken(db.prisma, { tenantSlug: "demo", test: true }) : null;

server.listen(config.port, () => {
  const where = config.databaseUrl ? "PostgreSQL" : `the embedded database in ${config.dataDir}`;
  console.log(`Billing Gateway listening on http://localhost:${config.port} (${where})`);
  console.log(`GraphiQL: http://localhost:${config.port}/graphql`);
  if (demoToken) {
    console.log(`Created the demo tenant. Its test token (shown only now): ${demoToken}`);
    console.log(`Send it as the header {"Authorization": "Bearer ${demoToken}"}`);
  }
});

async function shutdown(signal: string) {
  console.log(`${signal}: shutting down`);
  if (sweep) clearInterval(sweep);
  server.close();
  await db.close();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));

// A gateway in a process of its own, for tests that need several: the real application, its
// settings read from the environment (loadConfig), listening on a free loopback port that it
// prints as `{"port":N}` on its first line. Run with `node --import tsx`.
//
// Its event feed goes through Redis when REDIS_URL is set. Its database is DATABASE_URL when set, shared with every other such process. Without it, an
// embedded database cannot be shared between processes, so each gets an in-memory one of its own
// that knows the token GATEWAY_TOKEN under the id GATEWAY_TOKEN_ID: the same token, to each gateway.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp } from "../../src/app.ts";
import { hashToken, issueToken } from "../../src/auth/tokens.ts";
import { loadConfig } from "../../src/config.ts";
import { openDatabase } from "../../src/db/database.ts";
import { configuredEventFeed } from "../../src/events/configured-event-feed.ts";
import { configuredRateLimiter } from "../../src/http/configured-rate-limiter.ts";
import { systemClock } from "../../src/ledger/context.ts";

const config = loadConfig();
const db = config.databaseUrl
  ? await openDatabase({ databaseUrl: config.databaseUrl, poolSize: 2 })
  : await openDatabase({ dataDir: "memory://" });
if (!config.databaseUrl) {
  const token = process.env.GATEWAY_TOKEN;
  const id = process.env.GATEWAY_TOKEN_ID;
  if (!token || !id) throw new Error("without DATABASE_URL, set GATEWAY_TOKEN and GATEWAY_TOKEN_ID");
  const issued = await issueToken(db.prisma, { tenantSlug: "acme", test: false });
  await db.prisma.apiToken.update({ where: { tokenHash: hashToken(issued) }, data: { id, tokenHash: hashToken(token) } });
}
const rateLimiter = await configuredRateLimiter(config.http);
const eventFeed = await configuredEventFeed(config.http);
const server = createServer(
  createApp({ db, ledger: { prisma: db.prisma, now: systemClock, eventFeed }, http: { ...config.http, rateLimiter } }),
);
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});

process.on("SIGTERM", () => {
  server.close();
  void Promise.all([rateLimiter?.close(), eventFeed.close(), db.close()]).finally(() => process.exit(0));
});

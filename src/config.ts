// The environment, read once at start-up. A bad value stops the gateway with a message that
// names the variable, instead of failing later in the middle of a request.
import path from "node:path";
import { z } from "zod";
import { DEFAULT_BALANCE_ALERTS_PER_WALLET, DEFAULT_DEBIT_BATCH_LIMITS, type DebitBatchLimits } from "./ledger/index.ts";
import { LOG_LEVELS, type LogLevel } from "./observability/logger.ts";

export interface Config {
  port: number;
  /** postgres://… for PostgreSQL; unset for the embedded database under `dataDir`. */
  databaseUrl: string | null;
  /** Connections each gateway process keeps open to `databaseUrl` (PostgreSQL only). */
  databasePoolSize: number;
  /**
   * postgres://… of a read replica of `databaseUrl`, which standalone reads go to (see
   * src/db/read-routing.ts); null: every read goes to `databaseUrl`. Needs `databaseUrl`.
   */
  databaseReplicaUrl: string | null;
  /** Connections each gateway process keeps open to the replica. */
  databaseReplicaPoolSize: number;
  /**
   * The role that owns the tables, for `npm run db:migrate` only; null: `databaseUrl` migrates.
   * The gateway itself never uses it (see postgres.ts).
   */
  databaseMigrationUrl: string | null;
  /**
   * The role the gateway runs as when another role migrates: `npm run db:migrate` grants it
   * what the gateway needs and nothing more (see app-role.ts). DATABASE_APP_ROLE, or else
   * DATABASE_URL's user when it differs from DATABASE_MIGRATION_URL's.
   */
  databaseAppRole: string | null;
  /** How long start-up keeps trying to reach the database before it gives up and says why. */
  databaseConnectTimeoutMs: number;
  dataDir: string;
  /** Seconds between expiry sweeps (expiration entries and lapsed holds) and top-up sweeps; 0 turns them off. */
  expirySweepSeconds: number;
  /** Seconds between this process's looks for due jobs (src/jobs/runner.ts); 0: it runs none. */
  jobPollSeconds: number;
  /** Milliseconds between looks at the event log by its followers (auto top-ups) when no commit here wakes them. */
  eventFollowerPollMs: number;
  /** Events a follower of the event log reads and reacts to in one transaction. */
  eventFollowerBatch: number;
  /** Seconds a token's check is trusted without the database: how late a revocation elsewhere may be. 0: never. */
  tokenCacheSeconds: number;
  /**
   * How long a gateway sent SIGTERM keeps serving, with /readyz failing, before it refuses new
   * requests: the time load balancers take to stop sending to it.
   */
  shutdownDrainMs: number;
  /** How long a stopping gateway lets in-flight requests finish before it closes their connections. */
  shutdownTimeoutMs: number;
  logLevel: LogLevel;
  /** When set, GET /metrics wants `Authorization: Bearer <it>`; unset, /metrics is open (see docs/operations.md). */
  metricsToken: string | null;
  /** Balance alerts one wallet may have (removed ones do not count); one more is refused with LIMIT_EXCEEDED. */
  balanceAlertsPerWallet: number;
  /** How debits that arrive together go to the database together (src/ledger/debit-batches.ts). */
  debitBatches: DebitBatchLimits;
  http: HttpConfig;
  webhooks: WebhookConfig;
}

/** Sending webhooks (src/webhooks/). */
export interface WebhookConfig {
  /** http URLs and private, loopback and link-local addresses allowed: for local development and tests only. */
  allowPrivate: boolean;
  /** An attempt without a complete answer by then has failed, and is retried. */
  timeoutMs: number;
  /** Attempts one process makes at once. */
  concurrency: number;
  /** How often a process looks for deliveries due (a retry, or an event another process wrote). */
  pollMs: number;
  /** Attempts one tenant's deliveries may have in flight at once, across all gateways. */
  inFlightPerTenant: number;
  /** Webhook endpoints one tenant may have in each mode (live, test). */
  endpointsPerTenant: number;
}

/** The HTTP edge: what one request may ask of the gateway. */
export interface HttpConfig {
  /** Largest request body, in bytes, on every route. */
  maxBodyBytes: number;
  /** Origins (scheme://host[:port]) whose browsers may call the gateway; empty: none. */
  corsOrigins: string[];
  /** Requests per token; null when rate limiting is off. */
  rateLimit: { perSecond: number; burst: number } | null;
  /** redis://… to share rate limits across gateway processes; null keeps them in memory. */
  redisUrl: string | null;
  /** Put before every Redis key, so several deployments can share one Redis. */
  redisKeyPrefix: string;
  graphql: GraphQLLimits;
}

/** What one GraphQL operation may ask for; each is checked before anything is resolved. */
export interface GraphQLLimits {
  maxDepth: number;
  /** Fields selected, each counted once per item a list or page can hold. */
  maxCost: number;
  maxAliases: number;
  maxTokens: number;
  /** `walletUpdated` streams, counted in each process (src/events/open-streams.ts). */
  streams: StreamLimits;
}

export interface StreamLimits {
  /** Streams one token may hold open in a process (STREAMS_PER_TOKEN). */
  perToken: number;
  /** Streams a process holds open, all tokens together (STREAMS_PER_PROCESS). */
  perProcess: number;
  /** A stream whose client has not taken a waiting update for this long is ended (STREAM_STALL_SECONDS). */
  stallSeconds: number;
}

/**
 * Every setting that is wrong, one line each naming the setting and what it expects, so that a
 * start fixes them all at once. server.ts prints the lines, without a stack trace.
 */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string | string[]) {
    const lines = typeof problems === "string" ? [problems] : problems;
    super(lines.join("\n"));
    this.problems = lines;
  }
}

/** Connections per process to each database, unless DATABASE_POOL_SIZE says otherwise. */
export const DEFAULT_POOL_SIZE = 10;

export const DEFAULT_HTTP_CONFIG: HttpConfig = {
  maxBodyBytes: 1_048_576,
  corsOrigins: [],
  rateLimit: { perSecond: 100, burst: 200 },
  redisUrl: null,
  redisKeyPrefix: "billing-gateway:",
  graphql: {
    maxDepth: 12,
    maxCost: 50_000,
    maxAliases: 30,
    maxTokens: 5_000,
    streams: { perToken: 10, perProcess: 1_000, stallSeconds: 30 },
  },
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const settings = new SettingsReader(env);
  const databaseUrl = settings.postgresUrl("DATABASE_URL", "unset it to use the embedded database");
  const databaseMigrationUrl = settings.postgresUrl("DATABASE_MIGRATION_URL", "unset it to migrate with DATABASE_URL");
  const databaseReplicaUrl = settings.postgresUrl("DATABASE_REPLICA_URL", "unset it to read from DATABASE_URL");
  const explicitAppRole = env.DATABASE_APP_ROLE?.trim() || null;
  if (!databaseUrl && (databaseMigrationUrl || explicitAppRole)) {
    // Rather than migrate a server while the gateway would run on the embedded database.
    settings.problem(
      `${databaseMigrationUrl ? "DATABASE_MIGRATION_URL" : "DATABASE_APP_ROLE"} needs DATABASE_URL, the gateway's own PostgreSQL URL`,
    );
  }
  if (!databaseUrl && databaseReplicaUrl) {
    // Rather than read from a server that the embedded database's writes never reach.
    settings.problem(
      "DATABASE_REPLICA_URL needs DATABASE_URL: a read replica is a copy of a PostgreSQL primary, and the embedded database has none",
    );
  }
  const databasePoolSize = settings.integer("DATABASE_POOL_SIZE", DEFAULT_POOL_SIZE, 1, 10_000);
  const gatewayUser = databaseUrl ? settings.userOf("DATABASE_URL", databaseUrl) : "";
  const migrationUser = databaseMigrationUrl ? settings.userOf("DATABASE_MIGRATION_URL", databaseMigrationUrl) : gatewayUser;
  const databaseAppRole = explicitAppRole ?? (gatewayUser !== migrationUser ? gatewayUser || null : null);
  const config: Config = {
    port: settings.integer("PORT", 4000, 0, 65_535),
    databaseUrl,
    databasePoolSize,
    databaseReplicaUrl,
    databaseReplicaPoolSize: settings.integer("DATABASE_REPLICA_POOL_SIZE", databasePoolSize, 1, 10_000),
    databaseMigrationUrl,
    databaseAppRole,
    databaseConnectTimeoutMs: settings.integer("DATABASE_CONNECT_TIMEOUT_MS", 30_000, 0, 3_600_000),
    dataDir: path.resolve(env.DATA_DIR?.trim() || "data"),
    expirySweepSeconds: settings.integer("EXPIRY_SWEEP_SECONDS", 60, 0, 86_400),
    jobPollSeconds: settings.decimal("JOB_POLL_SECONDS", 5, 0, 3_600),
    eventFollowerPollMs: settings.integer("EVENT_FOLLOWER_POLL_MS", 1_000, 10, 3_600_000),
    eventFollowerBatch: settings.integer("EVENT_FOLLOWER_BATCH", 100, 1, 10_000),
    tokenCacheSeconds: settings.integer("TOKEN_CACHE_SECONDS", 5, 0, 300),
    shutdownDrainMs: settings.integer("SHUTDOWN_DRAIN_MS", 5_000, 0, 3_600_000),
    shutdownTimeoutMs: settings.integer("SHUTDOWN_TIMEOUT_MS", 20_000, 0, 3_600_000),
    logLevel: settings.oneOf("LOG_LEVEL", LOG_LEVELS, "info"),
    metricsToken: settings.secret("METRICS_TOKEN", 16),
    balanceAlertsPerWallet: settings.integer("BALANCE_ALERTS_PER_WALLET", DEFAULT_BALANCE_ALERTS_PER_WALLET, 1, 1_000),
    debitBatches: {
      maxSize: settings.integer("DEBIT_BATCH_SIZE", DEFAULT_DEBIT_BATCH_LIMITS.maxSize, 1, 1_000),
      maxInFlight: settings.integer("DEBIT_BATCH_IN_FLIGHT", DEFAULT_DEBIT_BATCH_LIMITS.maxInFlight, 1, 10_000),
    },
    http: readHttpConfig(settings),
    webhooks: readWebhookConfig(settings),
  };
  settings.finish();
  return config;
}

export function loadHttpConfig(env: NodeJS.ProcessEnv = process.env): HttpConfig {
  const settings = new SettingsReader(env);
  const http = readHttpConfig(settings);
  settings.finish();
  return http;
}

export function loadWebhookConfig(env: NodeJS.ProcessEnv = process.env): WebhookConfig {
  const settings = new SettingsReader(env);
  const webhooks = readWebhookConfig(settings);
  settings.finish();
  return webhooks;
}

function readWebhookConfig(settings: SettingsReader): WebhookConfig {
  return {
    allowPrivate: settings.oneOf("WEBHOOK_ALLOW_PRIVATE", ["0", "1"], "0") === "1",
    timeoutMs: settings.integer("WEBHOOK_TIMEOUT_MS", 10_000, 100, 120_000),
    concurrency: settings.integer("WEBHOOK_CONCURRENCY", 16, 1, 1_000),
    pollMs: settings.integer("WEBHOOK_POLL_MS", 1_000, 10, 600_000),
    inFlightPerTenant: settings.integer("WEBHOOK_IN_FLIGHT_PER_TENANT", 8, 1, 1_000),
    endpointsPerTenant: settings.integer("WEBHOOK_ENDPOINTS_PER_TENANT", 16, 1, 1_000),
  };
}

function readHttpConfig(settings: SettingsReader): HttpConfig {
  const defaults = DEFAULT_HTTP_CONFIG;
  const perSecond = settings.decimal("RATE_LIMIT_PER_SECOND", defaults.rateLimit!.perSecond, 0, 1_000_000);
  const burst = settings.integer("RATE_LIMIT_BURST", defaults.rateLimit!.burst, 1, 1_000_000);
  const redisUrl = settings.matching("REDIS_URL", /^rediss?:\/\//, "a redis:// or rediss:// URL");
  return {
    maxBodyBytes: settings.integer("MAX_BODY_BYTES", defaults.maxBodyBytes, 1_024, 1_073_741_824),
    corsOrigins: settings.origins("CORS_ORIGINS"),
    rateLimit: perSecond === 0 ? null : { perSecond, burst },
    redisUrl,
    redisKeyPrefix: settings.text("REDIS_KEY_PREFIX") ?? defaults.redisKeyPrefix,
    graphql: {
      maxDepth: settings.integer("GRAPHQL_MAX_DEPTH", defaults.graphql.maxDepth, 1, 1_000),
      maxCost: settings.integer("GRAPHQL_MAX_COST", defaults.graphql.maxCost, 1, 100_000_000),
      maxAliases: settings.integer("GRAPHQL_MAX_ALIASES", defaults.graphql.maxAliases, 0, 10_000),
      maxTokens: settings.integer("GRAPHQL_MAX_TOKENS", defaults.graphql.maxTokens, 100, 1_000_000),
      streams: {
        perToken: settings.integer("STREAMS_PER_TOKEN", defaults.graphql.streams.perToken, 1, 10_000),
        perProcess: settings.integer("STREAMS_PER_PROCESS", defaults.graphql.streams.perProcess, 1, 1_000_000),
        stallSeconds: settings.integer("STREAM_STALL_SECONDS", defaults.graphql.streams.stallSeconds, 1, 3_600),
      },
    },
  };
}

/**
 * Reads settings through zod schemas, noting every one that is wrong instead of stopping at the
 * first; finish() then throws them all as one ConfigError. A value that may hold a password (a
 * URL) is quoted from after its credentials only.
 */
class SettingsReader {
  private readonly problems: string[] = [];
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  problem(line: string): void {
    this.problems.push(line);
  }

  finish(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }

  text(name: string): string | null {
    return this.env[name]?.trim() || null;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const schema = z
      .string()
      .regex(/^-?\d+$/)
      .transform(Number)
      .pipe(z.number().int().min(min).max(max));
    return this.read(name, schema, fallback, `an integer from ${min} to ${max}`);
  }

  decimal(name: string, fallback: number, min: number, max: number): number {
    const schema = z
      .string()
      .regex(/^\d+(\.\d+)?$/)
      .transform(Number)
      .pipe(z.number().min(min).max(max));
    return this.read(name, schema, fallback, `a number from ${min} to ${max}, e.g. 100 or 0.5`);
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    return this.read(name, z.enum(values as unknown as [T, ...T[]]), fallback, `one of ${values.join(", ")}`);
  }

  /** A shared secret: long enough that guessing it is hopeless. Never quoted back. */
  secret(name: string, minLength: number): string | null {
    const raw = this.text(name);
    if (raw === null) return null;
    if (!z.string().min(minLength).safeParse(raw).success) {
      this.problem(`${name} must be at least ${minLength} characters, or unset`);
      return null;
    }
    return raw;
  }

  matching(name: string, pattern: RegExp, expects: string): string | null {
    return this.read(name, z.string().regex(pattern), null, expects, true);
  }

  postgresUrl(name: string, otherwise: string): string | null {
    const url = this.text(name);
    if (
      url &&
      !z
        .string()
        .regex(/^postgres(ql)?:\/\//)
        .safeParse(url).success
    ) {
      // Only what follows the credentials: the value may hold a password.
      this.problem(`${name} must be a postgres:// URL (got "${afterCredentials(url)}"); ${otherwise}`);
      return null;
    }
    return url;
  }

  /** The role a postgres:// URL logs in as; "" when it names none (the driver's default then). */
  userOf(name: string, url: string): string {
    try {
      return decodeURIComponent(new URL(url).username);
    } catch {
      this.problem(`${name} is not a valid URL (got "${afterCredentials(url)}")`);
      return "";
    }
  }

  /** A comma-separated list of exact origins; a browser's Origin header is compared with these. */
  origins(name: string): string[] {
    const raw = this.text(name);
    if (!raw) return [];
    const origin = z.string().transform((entry, context) => {
      let url: URL | null = null;
      try {
        url = new URL(entry);
      } catch {
        // reported below
      }
      // An origin is scheme://host[:port] and nothing more; "*" or a path would be a mistake.
      if (!url || !/^https?:$/.test(url.protocol) || url.pathname !== "/" || url.search || url.hash || url.username) {
        context.addIssue({ code: "custom", message: "not an origin" });
        return z.NEVER;
      }
      return url.origin;
    });
    const entries = raw
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean);
    const parsed: string[] = [];
    for (const entry of entries) {
      const result = origin.safeParse(entry);
      if (result.success) parsed.push(result.data);
      else this.problem(`${name} must list origins such as https://app.example.com, separated by commas (got "${entry}")`);
    }
    return parsed;
  }

  private read<T>(name: string, schema: z.ZodType<T, string>, fallback: T, expects: string, mayHoldCredentials = false): T {
    const raw = this.text(name);
    if (raw === null) return fallback;
    const result = schema.safeParse(raw);
    if (result.success) return result.data;
    this.problem(`${name} must be ${expects} (got "${mayHoldCredentials ? afterCredentials(raw) : raw}")`);
    return fallback;
  }
}

function afterCredentials(url: string): string {
  return url.split("@").pop()!;
}

/** One environment variable as the documentation's settings table shows it. */
export interface SettingDescription {
  name: string;
  /** Markdown; links are relative to docs/. */
  meaning: string;
  /** Markdown: the value when unset, or what happens then. */
  default: string;
}

/**
 * Every setting the gateway reads (payments' STRIPE_* in src/payments/config.ts included), in the
 * order docs/operations.md lists them: `npm run docs:tables` writes the table from this list, and a
 * test fails when a setting read above is missing from it.
 */
export const SETTINGS: readonly SettingDescription[] = [
  {
    name: "PORT",
    meaning: "HTTP port; `0` lets the system pick a free one (the log line `Billing Gateway listening on …` names it)",
    default: "`4000`",
  },
  { name: "DATABASE_URL", meaning: "PostgreSQL connection string", default: "unset: embedded PGlite" },
  {
    name: "DATABASE_POOL_SIZE",
    meaning: "connections each gateway process may open to `DATABASE_URL` (see [Pool sizing](running-at-scale.md#pool-sizing))",
    default: "`10`",
  },
  {
    name: "DATABASE_REPLICA_URL",
    meaning:
      "PostgreSQL connection string of a read replica of `DATABASE_URL`: GraphQL queries and REST GETs read from it, everything else from the primary (see [Read replicas](running-at-scale.md#read-replicas)); refused without `DATABASE_URL`",
    default: "unset: every read from `DATABASE_URL`",
  },
  {
    name: "DATABASE_REPLICA_POOL_SIZE",
    meaning: "connections each gateway process may open to the replica",
    default: "`DATABASE_POOL_SIZE`",
  },
  {
    name: "DATABASE_CONNECT_TIMEOUT_MS",
    meaning:
      "how long a starting gateway keeps trying to reach PostgreSQL (retrying with backoff while nothing listens, the server starts up or the host name does not resolve yet) before it says why it cannot and exits 1; a missing database or role, or a wrong password, stops at once; `0` tries once",
    default: "`30000`",
  },
  {
    name: "DATA_DIR",
    meaning:
      "where the embedded database lives; the process that has it open serves it to local tools (the CLI, `psql -h $DATA_DIR -U postgres postgres`) on `$DATA_DIR/.s.PGSQL.5432`",
    default: "`./data`",
  },
  {
    name: "TOKEN_CACHE_SECONDS",
    meaning:
      "how long a gateway trusts a token check without asking the database: a token revoked elsewhere (another gateway, the CLI) is refused within this time; `0` reads the database on every request",
    default: "`5`",
  },
  {
    name: "EXPIRY_SWEEP_SECONDS",
    meaning:
      "how often expired credits and holds are swept, and due top-ups retried or completed (see [Jobs](running-at-scale.md#jobs)); `0` turns both off",
    default: "`60`",
  },
  {
    name: "JOB_POLL_SECONDS",
    meaning:
      "how often this process looks for due jobs (decimals allowed); `0`: this process runs no jobs (others on the database still do)",
    default: "`5`",
  },
  {
    name: "EVENT_FOLLOWER_POLL_MS",
    meaning:
      "how often this process looks at the event log for changes to check for auto top-ups when no commit of its own wakes it (see [Auto top-ups](payments.md#auto-top-ups)); 10 to 3600000",
    default: "`1000`",
  },
  {
    name: "EVENT_FOLLOWER_BATCH",
    meaning: "events the auto top-ups' follower reads and checks in one transaction; 1 to 10000",
    default: "`100`",
  },
  {
    name: "DATABASE_MIGRATION_URL",
    meaning: "PostgreSQL URL of the role that owns the tables; used only by `npm run db:migrate`, never by the gateway",
    default: "unset: `DATABASE_URL` migrates",
  },
  {
    name: "DATABASE_APP_ROLE",
    meaning: "the role `npm run db:migrate` grants the gateway's privileges to",
    default: "`DATABASE_URL`'s user, when it differs from `DATABASE_MIGRATION_URL`'s",
  },
  {
    name: "SHUTDOWN_DRAIN_MS",
    meaning:
      "how long a gateway sent SIGTERM keeps serving, with `/readyz` answering 503, before it refuses new requests: the time load balancers take to stop sending to it (see [Shutdown](#shutdown)); SIGINT skips it; `0` refuses at once",
    default: "`5000`",
  },
  {
    name: "SHUTDOWN_TIMEOUT_MS",
    meaning:
      "how long a stopping gateway (SIGTERM, SIGINT) lets requests in flight finish, once it refuses new ones, before it closes their connections (see [Shutdown](#shutdown))",
    default: "`20000`",
  },
  { name: "LOG_LEVEL", meaning: "`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`", default: "`info`" },
  {
    name: "METRICS_TOKEN",
    meaning: "when set (16 characters or more), `GET /metrics` wants `Authorization: Bearer <METRICS_TOKEN>`",
    default: "unset: `/metrics` is open",
  },
  { name: "MAX_BODY_BYTES", meaning: "largest request body on any route, in bytes", default: "`1048576` (1 MiB)" },
  {
    name: "RATE_LIMIT_PER_SECOND",
    meaning: "sustained requests per second per API token (decimals allowed, e.g. `0.5`); `0` turns rate limiting off",
    default: "`100`",
  },
  { name: "RATE_LIMIT_BURST", meaning: "requests a token that has been quiet may send at once", default: "`200`" },
  {
    name: "REDIS_URL",
    meaning:
      "`redis://…`: rate limits shared by every gateway process; allowed without limits (one warning logged) while Redis is unreachable. Also carries the `walletUpdated` feed between gateways (see [Events](events-and-webhooks.md#events))",
    default: "unset: in memory, per process",
  },
  { name: "REDIS_KEY_PREFIX", meaning: "put before every Redis key, so deployments can share one Redis", default: "`billing-gateway:`" },
  {
    name: "CORS_ORIGINS",
    meaning: "comma-separated origins (`https://app.example.com`) whose browsers may call the gateway",
    default: "unset: no cross-origin access",
  },
  { name: "GRAPHQL_MAX_DEPTH", meaning: "deepest selection in one GraphQL operation", default: "`12`" },
  { name: "GRAPHQL_MAX_COST", meaning: "cost of one GraphQL operation (see [Limits](security-and-limits.md#limits))", default: "`50000`" },
  { name: "GRAPHQL_MAX_ALIASES", meaning: "aliases in one GraphQL document", default: "`30`" },
  { name: "GRAPHQL_MAX_TOKENS", meaning: "tokens in one GraphQL document", default: "`5000`" },
  {
    name: "STREAMS_PER_TOKEN",
    meaning: "`walletUpdated` streams one token may hold open in a gateway process; one more is refused with `TOO_MANY_STREAMS`",
    default: "`10`",
  },
  {
    name: "STREAMS_PER_PROCESS",
    meaning: "`walletUpdated` streams a gateway process holds open, all tokens together; one more is refused with `TOO_MANY_STREAMS`",
    default: "`1000`",
  },
  {
    name: "STREAM_STALL_SECONDS",
    meaning:
      "a `walletUpdated` stream whose client has left an update untaken this long is ended (the client, reading again, finds it complete and resumes with `afterSequence`); any answer whose client has not read from it for this long has its connection closed",
    default: "`30`",
  },
  {
    name: "BALANCE_ALERTS_PER_WALLET",
    meaning:
      "balance alerts one wallet may have (removed ones do not count); one more is refused with `LIMIT_EXCEEDED` (see [Balance alerts](events-and-webhooks.md#balance-alerts))",
    default: "`25`",
  },
  {
    name: "DEBIT_BATCH_SIZE",
    meaning:
      "debits one statement and one commit may carry when they arrive together while the database is busy; `1` sends each alone (see [Debits in batches](running-at-scale.md#debits-in-batches))",
    default: "`16`",
  },
  {
    name: "DEBIT_BATCH_IN_FLIGHT",
    meaning:
      "debit statements a gateway process has at the database at once; a debit that finds them all busy waits to go in the next batch (see [Debits in batches](running-at-scale.md#debits-in-batches))",
    default: "`1`",
  },
  {
    name: "STRIPE_SECRET_KEY",
    meaning: "enables payments (see [Payments](payments.md#payments-stripe)); test tokens only ever use a `sk_test_` key",
    default: 'unset: top-ups answer "payments not configured"',
  },
  { name: "STRIPE_API_BASE", meaning: "where Stripe's API is; the tests point it at a local fake", default: "`https://api.stripe.com`" },
  {
    name: "STRIPE_WEBHOOK_SECRET",
    meaning: "the webhook endpoint's signing secret (`whsec_…`)",
    default: "unset: `POST /webhooks/stripe` answers 503",
  },
  { name: "STRIPE_TIMEOUT_MS", meaning: "how long one Stripe request may take before its outcome counts as unknown", default: "`20000`" },
  {
    name: "WEBHOOK_ALLOW_PRIVATE",
    meaning: "`1` lets webhook endpoints use `http` and private, loopback and link-local addresses (local development and tests only)",
    default: "`0`",
  },
  { name: "WEBHOOK_TIMEOUT_MS", meaning: "how long a webhook attempt may take before it counts as failed", default: "`10000`" },
  { name: "WEBHOOK_CONCURRENCY", meaning: "webhook attempts one gateway process makes at once", default: "`16`" },
  {
    name: "WEBHOOK_POLL_MS",
    meaning: "how often a process looks for webhook deliveries due (retries, events other processes wrote)",
    default: "`1000`",
  },
  {
    name: "WEBHOOK_IN_FLIGHT_PER_TENANT",
    meaning:
      "webhook attempts one tenant's deliveries may have in flight at once, across all gateways (never all of one gateway's `WEBHOOK_CONCURRENCY`); one endpoint gets at most half of it, 4 at most",
    default: "`8`",
  },
  {
    name: "WEBHOOK_ENDPOINTS_PER_TENANT",
    meaning: "webhook endpoints a tenant may have in each mode (live, test); one more is `LimitExceededError`",
    default: "`16`",
  },
];

// The environment, read once at start-up. A bad value stops the gateway with a message that
// names the variable, instead of failing later in the middle of a request.
import path from "node:path";
import { z } from "zod";
import { DEFAULT_BALANCE_ALERTS_PER_WALLET } from "./ledger/index.ts";
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
  /** When set, GET /metrics wants `Authorization: Bearer <it>`; unset, /metrics is open (see README). */
  metricsToken: string | null;
  /** Balance alerts one wallet may have (removed ones do not count); one more is refused with LIMIT_EXCEEDED. */
  balanceAlertsPerWallet: number;
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

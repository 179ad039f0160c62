// The environment, read once at start-up. A bad value stops the gateway with a message that
// names the variable, instead of failing later in the middle of a request.
import path from "node:path";

export interface Config {
  port: number;
  /** postgres://… for PostgreSQL; unset for the embedded database under `dataDir`. */
  databaseUrl: string | null;
  /** Connections each gateway process keeps open to `databaseUrl` (PostgreSQL only). */
  databasePoolSize: number;
  /**
   * postgres://… of a read replica of `databaseUrl`, which standalone reads go to (see
   * src/http/read-routing.ts); null: every read goes to `databaseUrl`. Needs `databaseUrl`.
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
  dataDir: string;
  /** Seconds between expiry sweeps (expiration entries and lapsed holds) and top-up sweeps; 0 turns them off. */
  expirySweepSeconds: number;
  /** Seconds between this process's looks for due jobs (src/jobs/runner.ts); 0: it runs none. */
  jobPollSeconds: number;
  /** Seconds a token's check is trusted without the database: how late a revocation elsewhere may be. 0: never. */
  tokenCacheSeconds: number;
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
}

export class ConfigError extends Error {}

/** Connections per process to each database, unless DATABASE_POOL_SIZE says otherwise. */
export const DEFAULT_POOL_SIZE = 10;

export const DEFAULT_HTTP_CONFIG: HttpConfig = {
  maxBodyBytes: 1_048_576,
  corsOrigins: [],
  rateLimit: { perSecond: 100, burst: 200 },
  redisUrl: null,
  redisKeyPrefix: "billing-gateway:",
  graphql: { maxDepth: 12, maxCost: 50_000, maxAliases: 30, maxTokens: 5_000 },
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = postgresUrl(env, "DATABASE_URL", "unset it to use the embedded database");
  const databaseMigrationUrl = postgresUrl(env, "DATABASE_MIGRATION_URL", "unset it to migrate with DATABASE_URL");
  const databaseReplicaUrl = postgresUrl(env, "DATABASE_REPLICA_URL", "unset it to read from DATABASE_URL");
  const explicitAppRole = env.DATABASE_APP_ROLE?.trim() || null;
  if (!databaseUrl && (databaseMigrationUrl || explicitAppRole)) {
    // Rather than migrate a server while the gateway would run on the embedded database.
    throw new ConfigError(`${databaseMigrationUrl ? "DATABASE_MIGRATION_URL" : "DATABASE_APP_ROLE"} needs DATABASE_URL, the gateway's own PostgreSQL URL`);
  }
  if (!databaseUrl && databaseReplicaUrl) {
    // Rather than read from a server that the embedded database's writes never reach.
    throw new ConfigError("DATABASE_REPLICA_URL needs DATABASE_URL: a read replica is a copy of a PostgreSQL primary, and the embedded database has none");
  }
  const databasePoolSize = integer(env, "DATABASE_POOL_SIZE", DEFAULT_POOL_SIZE, 1, 10_000);
  const gatewayUser = databaseUrl ? userOf("DATABASE_URL", databaseUrl) : "";
  const migrationUser = databaseMigrationUrl ? userOf("DATABASE_MIGRATION_URL", databaseMigrationUrl) : gatewayUser;
  const databaseAppRole = explicitAppRole ?? (gatewayUser !== migrationUser ? gatewayUser || null : null);
  return {
    port: integer(env, "PORT", 4000, 0, 65_535),
    databaseUrl,
    databasePoolSize,
    databaseReplicaUrl,
    databaseReplicaPoolSize: integer(env, "DATABASE_REPLICA_POOL_SIZE", databasePoolSize, 1, 10_000),
    databaseMigrationUrl,
    databaseAppRole,
    dataDir: path.resolve(env.DATA_DIR?.trim() || "data"),
    expirySweepSeconds: integer(env, "EXPIRY_SWEEP_SECONDS", 60, 0, 86_400),
    jobPollSeconds: decimal(env, "JOB_POLL_SECONDS", 5, 0, 3_600),
    tokenCacheSeconds: integer(env, "TOKEN_CACHE_SECONDS", 5, 0, 300),
    http: loadHttpConfig(env),
    webhooks: loadWebhookConfig(env),
  };
}

export function loadWebhookConfig(env: NodeJS.ProcessEnv = process.env): WebhookConfig {
  const allowPrivate = env.WEBHOOK_ALLOW_PRIVATE?.trim() || "0";
  if (allowPrivate !== "0" && allowPrivate !== "1") throw new ConfigError(`WEBHOOK_ALLOW_PRIVATE must be 0 or 1 (got "${allowPrivate}")`);
  return {
    allowPrivate: allowPrivate === "1",
    timeoutMs: integer(env, "WEBHOOK_TIMEOUT_MS", 10_000, 100, 120_000),
    concurrency: integer(env, "WEBHOOK_CONCURRENCY", 16, 1, 1_000),
    pollMs: integer(env, "WEBHOOK_POLL_MS", 1_000, 10, 600_000),
  };
}

export function loadHttpConfig(env: NodeJS.ProcessEnv = process.env): HttpConfig {
  const defaults = DEFAULT_HTTP_CONFIG;
  const perSecond = decimal(env, "RATE_LIMIT_PER_SECOND", defaults.rateLimit!.perSecond, 0, 1_000_000);
  const burst = integer(env, "RATE_LIMIT_BURST", defaults.rateLimit!.burst, 1, 1_000_000);
  const redisUrl = env.REDIS_URL?.trim() || null;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) throw new ConfigError(`REDIS_URL must be a redis:// or rediss:// URL (got "${redisUrl.split("@").pop()}")`);
  return {
    maxBodyBytes: integer(env, "MAX_BODY_BYTES", defaults.maxBodyBytes, 1_024, 1_073_741_824),
    corsOrigins: origins(env, "CORS_ORIGINS"),
    rateLimit: perSecond === 0 ? null : { perSecond, burst },
    redisUrl,
    redisKeyPrefix: env.REDIS_KEY_PREFIX?.trim() || defaults.redisKeyPrefix,
    graphql: {
      maxDepth: integer(env, "GRAPHQL_MAX_DEPTH", defaults.graphql.maxDepth, 1, 1_000),
      maxCost: integer(env, "GRAPHQL_MAX_COST", defaults.graphql.maxCost, 1, 100_000_000),
      maxAliases: integer(env, "GRAPHQL_MAX_ALIASES", defaults.graphql.maxAliases, 0, 10_000),
      maxTokens: integer(env, "GRAPHQL_MAX_TOKENS", defaults.graphql.maxTokens, 100, 1_000_000),
    },
  };
}

function postgresUrl(env: NodeJS.ProcessEnv, name: string, otherwise: string): string | null {
  const url = env[name]?.trim() || null;
  if (url && !/^postgres(ql)?:\/\//.test(url)) {
    // Only what follows the credentials: the value may hold a password.
    throw new ConfigError(`${name} must be a postgres:// URL (got "${url.split("@").pop()}"); ${otherwise}`);
  }
  return url;
}

/** The role a postgres:// URL logs in as; "" when it names none (the driver's default then). */
function userOf(name: string, url: string): string {
  try {
    return decodeURIComponent(new URL(url).username);
  } catch {
    throw new ConfigError(`${name} is not a valid URL (got "${url.split("@").pop()}")`);
  }
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

function decimal(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || value < min || value > max) {
    throw new ConfigError(`${name} must be a number from ${min} to ${max}, e.g. 100 or 0.5 (got "${raw}")`);
  }
  return value;
}

/** A comma-separated list of exact origins; a browser's Origin header is compared with these. */
function origins(env: NodeJS.ProcessEnv, name: string): string[] {
  const raw = env[name]?.trim();
  if (!raw) return [];
  return raw
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      let url: URL | null = null;
      try {
        url = new URL(entry);
      } catch {
        // reported below
      }
      // An origin is scheme://host[:port] and nothing more; "*" or a path would be a mistake.
      if (!url || !/^https?:$/.test(url.protocol) || url.pathname !== "/" || url.search || url.hash || url.username) {
        throw new ConfigError(`${name} must list origins such as https://app.example.com, separated by commas (got "${entry}")`);
      }
      return url.origin;
    });
}

// The environment, read once at start-up. A bad value stops the gateway with a message that
// names the variable, instead of failing later in the middle of a request.
import path from "node:path";

export interface Config {
  port: number;
  /** postgres://… for PostgreSQL; unset for the embedded database under `dataDir`. */
  databaseUrl: string | null;
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
  /** Seconds between expiry sweeps (expiration entries and lapsed holds); 0 turns them off. */
  expirySweepSeconds: number;
  /** Seconds a token's check is trusted without the database: how late a revocation elsewhere may be. 0: never. */
  tokenCacheSeconds: number;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = postgresUrl(env, "DATABASE_URL", "unset it to use the embedded database");
  const databaseMigrationUrl = postgresUrl(env, "DATABASE_MIGRATION_URL", "unset it to migrate with DATABASE_URL");
  const explicitAppRole = env.DATABASE_APP_ROLE?.trim() || null;
  if (!databaseUrl && (databaseMigrationUrl || explicitAppRole)) {
    // Rather than migrate a server while the gateway would run on the embedded database.
    throw new ConfigError(`${databaseMigrationUrl ? "DATABASE_MIGRATION_URL" : "DATABASE_APP_ROLE"} needs DATABASE_URL, the gateway's own PostgreSQL URL`);
  }
  const gatewayUser = databaseUrl ? userOf("DATABASE_URL", databaseUrl) : "";
  const migrationUser = databaseMigrationUrl ? userOf("DATABASE_MIGRATION_URL", databaseMigrationUrl) : gatewayUser;
  const databaseAppRole = explicitAppRole ?? (gatewayUser !== migrationUser ? gatewayUser || null : null);
  return {
    port: integer(env, "PORT", 4000, 0, 65_535),
    databaseUrl,
    databaseMigrationUrl,
    databaseAppRole,
    dataDir: path.resolve(env.DATA_DIR?.trim() || "data"),
    expirySweepSeconds: integer(env, "EXPIRY_SWEEP_SECONDS", 60, 0, 86_400),
    tokenCacheSeconds: integer(env, "TOKEN_CACHE_SECONDS", 5, 0, 300),
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

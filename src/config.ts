// The environment, read once at start-up. A bad value stops the gateway with a message that
// names the variable, instead of failing later in the middle of a request.
import path from "node:path";

export interface Config {
  port: number;
  /** postgres://… for PostgreSQL; unset for the embedded database under `dataDir`. */
  databaseUrl: string | null;
  dataDir: string;
  /** Seconds between expiry sweeps (expiration entries and lapsed holds); 0 turns them off. */
  expirySweepSeconds: number;
  /** Seconds a token's check is trusted without the database: how late a revocation elsewhere may be. 0: never. */
  tokenCacheSeconds: number;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must be a postgres:// URL (got "${databaseUrl.split("@").pop()}"); unset it to use the embedded database`);
  }
  return {
    port: integer(env, "PORT", 4000, 0, 65_535),
    databaseUrl,
    dataDir: path.resolve(env.DATA_DIR?.trim() || "data"),
    expirySweepSeconds: integer(env, "EXPIRY_SWEEP_SECONDS", 60, 0, 86_400),
    tokenCacheSeconds: integer(env, "TOKEN_CACHE_SECONDS", 5, 0, 300),
  };
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

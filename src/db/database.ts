// The one Prisma client: PostgreSQL through @prisma/adapter-pg when a URL is given, otherwise
// PGlite, an embedded PostgreSQL kept in a directory. Migrations are applied on open.
import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "./generated/client.ts";
import { applyMigrations } from "./migrations.ts";

export interface Database {
  prisma: PrismaClient;
  kind: "postgres" | "pglite";
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… ; without it the embedded database in `dataDir` is used. */
  databaseUrl?: string;
  /** Where the embedded database lives; "memory://" keeps it in memory (tests). */
  dataDir?: string;
  /** Connections in the PostgreSQL pool. */
  poolSize?: number;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
}

/** Serialises migrations when several gateway processes start against one PostgreSQL at once. */
const MIGRATION_LOCK_KEY = 7_406_951_122;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options) : openPGlite(options.dataDir ?? "memory://", options);
}

async function openPostgres(url: string, options: DatabaseOptions): Promise<Database> {
  const adapter = new PrismaPg({ connectionString: url, max: options.poolSize ?? 10 });
  if (options.migrate !== false) {
    const lock = new pg.Client({ connectionString: url });
    await lock.connect();
    try {
      await lock.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
      await applyMigrations(wholeScriptMigrations(adapter));
    } finally {
      await lock.end();
    }
  }
  const prisma = new PrismaClient({ adapter });
  return { prisma, kind: "postgres", close: () => prisma.$disconnect() };
}

async function openPGlite(dataDir: string, options: DatabaseOptions): Promise<Database> {
  const inMemory = dataDir === "memory://";
  const releaseLock = inMemory ? () => {} : lockDataDir(dataDir);
  try {
    const pglite = inMemory ? new PGlite() : new PGlite(path.join(dataDir, "pglite"));
    await pglite.waitReady;
    const adapter = new PrismaPGlite(pglite);
    if (options.migrate !== false) await applyMigrations(adapter);
    const prisma = new PrismaClient({ adapter });
    return {
      prisma,
      kind: "pglite",
      close: async () => {
        await prisma.$disconnect();
        await pglite.close();
        releaseLock();
      },
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}

/**
 * @prisma/adapter-pg runs a migration script by splitting it on every ";", which breaks
 * PL/pgSQL bodies (triggers, functions). PostgreSQL's simple query protocol runs a whole
 * multi-statement script, atomically, so migrations are sent that way.
 */
function wholeScriptMigrations(factory: PrismaPg): SqlMigrationAwareDriverAdapterFactory {
  type PgAdapter = Awaited<ReturnType<PrismaPg["connect"]>> & { client: pg.PoolClient | pg.Pool; onError(error: unknown): never };
  const connect = async (adapter: PgAdapter) => {
    adapter.executeScript = async (script: string) => {
      try {
        await adapter.client.query(script);
      } catch (error) {
        adapter.onError(error);
      }
    };
    return adapter;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => connect((await factory.connect()) as PgAdapter),
    connectToShadowDb: async () => connect((await factory.connectToShadowDb()) as PgAdapter),
  };
}

export class DataDirInUseError extends Error {}

/**
 * PGlite allows one process per directory, so the gateway, the CLI and the migration tools take
 * a lock file first and say clearly who holds it. A lock left by a dead process is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, "gateway.lock");
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: "wx" });
      return () => fs.rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(fs.readFileSync(lockPath, "utf8").trim());
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new DataDirInUseError(
          `The embedded database in ${dataDir} is in use by process ${holder} (probably a running gateway). ` +
            "Stop that process, or set DATABASE_URL to use PostgreSQL, which any number of processes can share.",
        );
      }
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new DataDirInUseError(`could not lock the embedded database in ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

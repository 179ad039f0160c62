// A database for a gateway spawned as `npm start` (spawned-gateway.ts), of the kind the test
// project runs on, and how the test opens it afterwards to look at what the gateway did.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { issueToken } from "../../src/auth/tokens.ts";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { migratePostgres } from "../../src/db/postgres.ts";
import { createScratchPostgresDatabase, testDatabaseKind } from "./database.ts";

export interface GatewayDatabase {
  /** The gateway's settings for it. */
  env: Record<string, string>;
  /** A live token of tenant "acme" on PostgreSQL; null on the embedded database, whose first start prints a demo token. */
  token: string | null;
  /** Opens the same data (once the gateway has exited, on the embedded database). */
  open(): Promise<Database>;
  /** Drops the scratch database, or removes the data directory. */
  remove(): Promise<void>;
}

export async function gatewayDatabase(): Promise<GatewayDatabase> {
  if (testDatabaseKind === "postgres") {
    const scratch = await createScratchPostgresDatabase();
    await migratePostgres(scratch.ownerUrl, { appRole: scratch.appRole });
    const db = await openDatabase({ databaseUrl: scratch.appUrl, poolSize: 1 });
    const token = await issueToken(db.prisma, { tenantSlug: "acme", test: false });
    await db.close();
    return {
      env: { DATABASE_URL: scratch.appUrl, DATABASE_POOL_SIZE: "8" },
      token,
      open: () => openDatabase({ databaseUrl: scratch.ownerUrl, poolSize: 1 }),
      remove: scratch.drop,
    };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bg-gateway-"));
  return {
    env: { DATA_DIR: dataDir, DATABASE_URL: "" },
    token: null,
    open: () => openDatabase({ dataDir }),
    remove: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
}

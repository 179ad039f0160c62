// Which database the CLI works on, told in a line, and whether DATA_DIR holds one at all.
import fs from "node:fs";
import path from "node:path";

/** Whether `dataDir` holds an embedded database (PGlite keeps PostgreSQL's files in `pglite/`). */
export function embeddedDatabaseExists(dataDir: string): boolean {
  return fs.existsSync(path.join(dataDir, "pglite", "PG_VERSION"));
}

/** "PostgreSQL at host:port/name" (never the password), or "the embedded database in <dir>". */
export function describeDatabase(config: { databaseUrl: string | null; dataDir: string }): string {
  if (!config.databaseUrl) return `the embedded database in ${config.dataDir} (through the running gateway, if one has it open)`;
  try {
    const url = new URL(config.databaseUrl);
    return `PostgreSQL at ${url.host}${url.pathname}${url.username ? ` as ${decodeURIComponent(url.username)}` : ""}`;
  } catch {
    return "PostgreSQL (DATABASE_URL)";
  }
}

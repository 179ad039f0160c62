// Gateways in processes of their own (gateway-process.ts) sharing one PostgreSQL database, as in
// production: for tests of what must hold across processes (locks, Redis pub/sub).
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { issueToken } from "../../src/auth/tokens.ts";
import { openDatabase } from "../../src/db/database.ts";
import { createScratchPostgresDatabase } from "./database.ts";

export interface GatewayProcesses {
  /** http://127.0.0.1:<port> of each process. */
  urls: string[];
  /** A team token of tenant "acme" (live), valid on every process. */
  token: string;
  /** The database they share, for checks made directly on it. */
  databaseUrl: string;
  stop(): Promise<void>;
}

/** Starts `count` gateways on a new PostgreSQL database (TEST_DATABASE_URL's server), with `env` added. */
export async function startGatewayProcesses(count: number, env: Record<string, string>): Promise<GatewayProcesses> {
  const scratch = await createScratchPostgresDatabase();
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise((resolve) => (child.exitCode !== null ? resolve(null) : (child.once("exit", resolve), child.kill("SIGTERM")))),
      ),
    );
    await scratch.drop();
  };
  try {
    const db = await openDatabase({ databaseUrl: scratch.url, poolSize: 1 });
    const token = await issueToken(db.prisma, { tenantSlug: "acme", test: false });
    await db.close();
    const urls: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const child = spawn(process.execPath, ["--import", "tsx", "test/support/gateway-process.ts"], {
        env: { ...process.env, RATE_LIMIT_PER_SECOND: "0", ...env, DATABASE_URL: scratch.url },
        stdio: ["ignore", "pipe", "inherit"],
      });
      children.push(child);
      const { port } = JSON.parse(await firstLine(child)) as { port: number };
      urls.push(`http://127.0.0.1:${port}`);
    }
    return { urls, token, databaseUrl: scratch.url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The first line a gateway process prints, or its exit as an error; the rest of its output is drained. */
export function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => {
      lines.close();
      // The rest is the gateway's log: read and dropped, since a full pipe would block the gateway.
      child.stdout!.resume();
      resolve(line);
    });
    child.once("exit", (code) => reject(new Error(`the gateway process exited with ${code} before listening`)));
  });
}

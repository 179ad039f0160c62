// The embedded database of a running process (a gateway), reached through the socket it serves
// in the data directory (pglite-socket.ts) with the ordinary PostgreSQL adapter.
import net from "node:net";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import type { Database } from "./database.ts";
import { PrismaClient } from "./generated/client.ts";
import { socketPathIn } from "./pglite-socket.ts";

/** The served database, or null when nothing answers on the directory's socket. */
export async function connectToServedPGlite(dataDir: string, holder: number | null): Promise<Database | null> {
  const socketPath = socketPathIn(dataDir);
  if (!(await answers(socketPath))) return null;
  // One connection: the serving process runs one exchange at a time anyway.
  const prisma = new PrismaClient({
    adapter: new PrismaPg({ host: path.dirname(socketPath), port: 5432, user: "postgres", database: "postgres", max: 1 }),
  });
  return {
    prisma,
    replica: null,
    kind: "pglite",
    migrate: () =>
      Promise.reject(
        new Error(
          `The embedded database in ${dataDir} is migrated by the process that has it open (${holder ?? "another process"}), when it starts.`,
        ),
      ),
    close: () => prisma.$disconnect(),
  };
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createConnection(socketPath);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    // ENOENT: not served (yet); ECONNREFUSED: left behind by a process that died.
    probe.once("error", () => resolve(false));
  });
}

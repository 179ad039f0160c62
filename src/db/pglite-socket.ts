// The embedded database served to local tools (the CLI, psql) while a process has it open, on a
// Unix socket in the data directory named as PostgreSQL names its own, so that any PostgreSQL
// client reaches it with the directory as its host (`psql -h <DATA_DIR> -U postgres postgres`).
//
// PGlite is one PostgreSQL session, which the socket shares with the process's own Prisma client.
// So that nothing interleaves, a client's messages run while it holds PGlite's transaction lock
// (the lock PGlite's own query, exec and transaction take), from its first message until the
// session is idle again: after a Sync or a simple Query that leaves no transaction open. A client
// that keeps a transaction (or an unfinished exchange) open but sends nothing for
// IDLE_IN_TRANSACTION_MS is disconnected and its transaction rolled back, so a stuck tool stalls
// the process no longer than that. When a client leaves, what it set on the session (settings,
// prepared statements, cursors, listeners) is reset, so the process finds its session as it was.
// The socket is the owner's alone (mode 0600): whoever may use it may read the data files anyway.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { rootLogger } from "../observability/logger.ts";

/** PostgreSQL's own socket name for port 5432: a client given the directory as host finds it. */
export const SOCKET_FILE = ".s.PGSQL.5432";
export const IDLE_IN_TRANSACTION_MS = 10_000;
const MAX_CLIENTS = 8;
/** Larger messages than this are not a local tool's; the connection is dropped. */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

const PROTOCOL_3 = 3;
const SSL_REQUEST = 80_877_103;
const GSS_ENCRYPTION_REQUEST = 80_877_104;
const CANCEL_REQUEST = 80_877_102;
const SYNC = Buffer.from([0x53, 0, 0, 0, 4]);

export function socketPathIn(dataDir: string): string {
  return path.join(path.resolve(dataDir), SOCKET_FILE);
}

export interface PGliteSocketServer {
  path: string;
  /** Disconnects every client (rolling back what they left open), then stops listening. */
  close(): Promise<void>;
}

/**
 * Listens on `<dataDir>/.s.PGSQL.5432`. The caller holds the data directory's lock, so a socket
 * file already there was left by a process that died: it is replaced.
 */
export async function servePGlite(
  pglite: PGlite,
  dataDir: string,
  options: { idleInTransactionMs?: number } = {},
): Promise<PGliteSocketServer> {
  const idleInTransactionMs = options.idleInTransactionMs ?? IDLE_IN_TRANSACTION_MS;
  const socketPath = socketPathIn(dataDir);
  // Bound under another name first and renamed once private, so nobody connects before chmod.
  const staging = `${socketPath}.${process.pid}`;
  fs.rmSync(staging, { force: true });
  const clients = new Set<LocalClient>();
  const server = net.createServer((socket) => {
    if (clients.size >= MAX_CLIENTS) {
      socket.end(fatal("53300", `too many local connections to the embedded database (at most ${MAX_CLIENTS})`));
      return;
    }
    const client = new LocalClient(socket, pglite, idleInTransactionMs, () => clients.delete(client));
    clients.add(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(staging, () => {
      server.off("error", reject);
      resolve();
    });
  });
  try {
    fs.chmodSync(staging, 0o600);
    fs.renameSync(staging, socketPath);
  } catch (error) {
    server.close();
    fs.rmSync(staging, { force: true });
    throw error;
  }
  return {
    path: socketPath,
    close: async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...clients].map((client) => client.disconnect()));
      await stopped;
      fs.rmSync(socketPath, { force: true });
    },
  };
}

/** One connection: frames the client's messages and runs them on PGlite, one exchange at a time. */
class LocalClient {
  private received: Buffer = Buffer.alloc(0);
  private started = false;
  private readonly messages: Buffer[] = [];
  private wake: (() => void) | null = null;
  private closed = false;
  private cleanedUp = false;
  private running: Promise<void> | null = null;

  constructor(
    private readonly socket: net.Socket,
    private readonly pglite: PGlite,
    private readonly idleInTransactionMs: number,
    private readonly onGone: () => void,
  ) {
    socket.on("data", (chunk) => this.receive(chunk));
    // A reset or a write to a closed socket: "close" follows and does the cleaning up.
    socket.on("error", () => {});
    socket.on("close", () => {
      this.closed = true;
      this.wake?.();
      void this.run();
    });
  }

  disconnect(): Promise<void> {
    this.socket.destroy();
    this.closed = true;
    this.wake?.();
    return this.run();
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk]);
    for (;;) {
      // Before the startup message, messages have no type byte: a length, then a code.
      const headerBytes = this.started ? 5 : 8;
      if (this.received.length < headerBytes) break;
      const length = this.started ? 1 + this.received.readInt32BE(1) : this.received.readInt32BE(0);
      if (length < headerBytes - 1 || length > MAX_MESSAGE_BYTES) {
        this.socket.end(fatal("08P01", "invalid message length"));
        this.closed = true;
        break;
      }
      if (this.received.length < length) break;
      const message = this.received.subarray(0, length);
      this.received = this.received.subarray(length);
      if (!this.started && !this.beforeStartup(message)) continue;
      this.messages.push(Buffer.from(message));
    }
    this.wake?.();
    void this.run();
  }

  /** Answers what precedes the startup message here; true for the startup message itself. */
  private beforeStartup(message: Buffer): boolean {
    const code = message.readInt32BE(4);
    if (code === SSL_REQUEST || code === GSS_ENCRYPTION_REQUEST) {
      // No encryption on a local socket: the client carries on in the clear.
      this.socket.write("N");
      return false;
    }
    if (code === CANCEL_REQUEST || code >>> 16 !== PROTOCOL_3) {
      // PGlite cannot cancel a running query, and speaks protocol 3 only.
      if (code === CANCEL_REQUEST) this.socket.end();
      else this.socket.end(fatal("0A000", "unsupported frontend protocol"));
      this.closed = true;
      return false;
    }
    this.started = true;
    return true;
  }

  /** Serves queued messages (one exchange per turn of the lock), then cleans up once closed. */
  private run(): Promise<void> {
    if (this.running) return this.running;
    // Assigned before it can settle: `finally` runs later, even when there is nothing to do.
    const running = this.serveQueued().finally(() => {
      this.running = null;
      if (this.closed) this.onGone();
      // Messages that arrived while the last turn was ending.
      else if (this.messages.length > 0) void this.run();
    });
    this.running = running;
    return running;
  }

  private async serveQueued(): Promise<void> {
    while (!this.closed && this.messages.length > 0) await this.exclusively(() => this.serveTurn());
    if (this.closed && !this.cleanedUp) await this.exclusively(() => this.cleanUp());
  }

  /** One exchange; a failure drops the client, its leftovers undone before the lock is let go. */
  private async serveTurn(): Promise<void> {
    try {
      await this.serveExchange();
    } catch (error) {
      rootLogger.error({ err: error }, "a local connection to the embedded database failed");
      this.closed = true;
      this.socket.destroy();
      await this.cleanUp(true);
    }
  }

  private exclusively<T>(work: () => Promise<T>): Promise<T> {
    return this.pglite._runExclusiveTransaction(() => this.pglite._runExclusiveQuery(work));
  }

  /** Runs messages until the session is idle between exchanges, or the client is gone. */
  private async serveExchange(): Promise<void> {
    for (;;) {
      const message = this.messages.shift() ?? (await this.nextMessage());
      if (!message) {
        // Gone, or idle inside a transaction for too long: undone before anyone else runs.
        if (!this.closed) {
          this.socket.end(fatal("25P03", "terminating connection due to idle-in-transaction timeout"));
          this.closed = true;
        }
        await this.cleanUp(true);
        return;
      }
      const type = message[0];
      // Terminate: PGlite's session is not the client's to end.
      if (type === 0x58) {
        this.socket.end();
        this.closed = true;
        await this.cleanUp(true);
        return;
      }
      const reply = await this.pglite.execProtocolRaw(message);
      if (reply.length > 0 && !this.closed) this.socket.write(reply);
      // A startup message (type 0: its length's first byte), a simple Query or a Sync ends an
      // exchange; the session is free once that leaves no transaction open.
      const endsExchange = !type || type === 0x51 || type === 0x53;
      if (endsExchange && !this.pglite.isInTransaction()) return;
    }
  }

  /** The next message, or null when the client is gone or stayed idle too long. */
  private nextMessage(): Promise<Buffer | null> {
    return new Promise((resolve) => {
      const finish = (message: Buffer | null) => {
        clearTimeout(timer);
        this.wake = null;
        resolve(message);
      };
      const timer = setTimeout(() => finish(null), this.idleInTransactionMs);
      // Woken by every chunk received; a chunk may hold only part of a message.
      const check = () => {
        if (this.closed) finish(null);
        else if (this.messages.length > 0) finish(this.messages.shift()!);
      };
      this.wake = check;
      check();
    });
  }

  /**
   * Leaves the session as the process had it: ends an unfinished exchange, rolls back an open
   * transaction, and resets what the client set. Runs under the lock.
   */
  private async cleanUp(midExchange = false): Promise<void> {
    if (this.cleanedUp) return;
    this.cleanedUp = true;
    if (!this.started) return;
    try {
      if (midExchange) await this.pglite.execProtocolRaw(SYNC);
      const rollback = this.pglite.isInTransaction() ? "ROLLBACK; " : "";
      await this.pglite.execProtocolRaw(simpleQuery(`${rollback}RESET ALL; DEALLOCATE ALL; CLOSE ALL; UNLISTEN *`));
    } catch (error) {
      rootLogger.error({ err: error }, "could not reset the embedded database's session after a local client left");
    }
  }
}

function simpleQuery(sql: string): Buffer {
  const text = Buffer.from(`${sql}\0`);
  const header = Buffer.alloc(5);
  header.write("Q", 0);
  header.writeInt32BE(4 + text.length, 1);
  return Buffer.concat([header, text]);
}

/** An ErrorResponse of severity FATAL: the client reports it, then the connection closes. */
function fatal(sqlState: string, message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${sqlState}\0M${message}\0\0`);
  const header = Buffer.alloc(5);
  header.write("E", 0);
  header.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([header, fields]);
}

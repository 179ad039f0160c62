// The embedded database served to local tools while a process has it open: a PostgreSQL client
// on the directory's socket shares PGlite's one session with that process, one exchange at a
// time, and leaves the session as it found it.
import { once } from "node:events";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { servePGlite, socketPathIn, type PGliteSocketServer } from "../../src/db/pglite-socket.ts";
import { testDatabaseKind } from "../support/database.ts";

// PGlite alone has a data directory to serve; the PostgreSQL project has nothing to add here.
describe.skipIf(testDatabaseKind === "postgres")("the embedded database served to local tools", () => {
  let dataDir: string;
  let db: Database;
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bg-served-"));
    db = await openDatabase({ dataDir });
  });
  afterAll(async () => {
    await db?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function connect(directory = dataDir): Promise<pg.Client> {
    const client = new pg.Client({ host: directory, port: 5432, user: "postgres", database: "postgres" });
    client.on("error", () => {});
    await client.connect();
    return client;
  }

  it("listens on the directory's PostgreSQL-named socket, for its owner only, and stops with the database", async () => {
    const stat = fs.statSync(socketPathIn(dataDir));
    expect(stat.isSocket()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o600);
    const other = fs.mkdtempSync(path.join(os.tmpdir(), "bg-served-"));
    const second = await openDatabase({ dataDir: other });
    expect(fs.existsSync(socketPathIn(other))).toBe(true);
    await second.close();
    expect(fs.existsSync(socketPathIn(other))).toBe(false);
    fs.rmSync(other, { recursive: true, force: true });
  });

  it("answers a PostgreSQL client, which sees the process's data and writes to it", async () => {
    await db.prisma.tenant.create({ data: { slug: "seen-by-client", name: "Seen" } });
    const client = await connect();
    try {
      const { rows } = await client.query("SELECT name FROM tenant WHERE slug = $1", ["seen-by-client"]);
      expect(rows).toEqual([{ name: "Seen" }]);
      await client.query("INSERT INTO tenant (id, slug, name) VALUES (gen_random_uuid(), 'written-by-client', 'Written')");
    } finally {
      await client.end();
    }
    expect(await db.prisma.tenant.findUnique({ where: { slug: "written-by-client" }, select: { name: true } })).toEqual({
      name: "Written",
    });
  });

  it("lets a tool open the database through the socket while the process holds the directory", async () => {
    await db.prisma.tenant.create({ data: { slug: "through-the-socket", name: "Socket" } });
    const tool = await openDatabase({ dataDir, connectWhenInUse: true });
    try {
      expect(tool.kind).toBe("pglite");
      expect(await tool.prisma.tenant.findUnique({ where: { slug: "through-the-socket" }, select: { name: true } })).toEqual({
        name: "Socket",
      });
      // An interactive transaction, as Prisma runs them over the PostgreSQL adapter.
      const created = await tool.prisma.$transaction(async (tx) => {
        await tx.tenant.create({ data: { slug: "in-a-transaction", name: "Tx" } });
        return tx.tenant.count({ where: { slug: "in-a-transaction" } });
      });
      expect(created).toBe(1);
      await expect(tool.migrate()).rejects.toThrow(/migrated by the process that has it open/);
    } finally {
      await tool.close();
    }
    expect(await db.prisma.tenant.count({ where: { slug: "in-a-transaction" } })).toBe(1);
    // Without asking to connect, a second opener is still told who holds the directory.
    await expect(openDatabase({ dataDir })).rejects.toThrow(`is in use by process ${process.pid}`);
  });
});

describe.skipIf(testDatabaseKind === "postgres")("a local client's turn on the shared session", () => {
  let socketDir: string;
  let pglite: PGlite;
  let server: PGliteSocketServer;
  beforeAll(async () => {
    socketDir = fs.mkdtempSync(path.join(os.tmpdir(), "bg-served-"));
    pglite = new PGlite();
    server = await servePGlite(pglite, socketDir, { idleInTransactionMs: 1_000 });
    await pglite.exec("CREATE TABLE note (text text)");
  });
  afterAll(async () => {
    await server?.close();
    await pglite?.close();
    fs.rmSync(socketDir, { recursive: true, force: true });
  });

  async function connect(): Promise<pg.Client> {
    const client = new pg.Client({ host: socketDir, port: 5432, user: "postgres", database: "postgres" });
    client.on("error", () => {});
    await client.connect();
    return client;
  }

  /**
   * Starts a query of the process's own, and gives it the chance to run: had the client not held
   * the session, it would have run inside the client's open transaction and seen its note.
   */
  async function countNotesMeanwhile(): Promise<{ counted: Promise<number> }> {
    const counted = pglite.query<{ notes: number }>("SELECT count(*)::int AS notes FROM note").then(({ rows }) => rows[0]!.notes);
    await new Promise((resolve) => setImmediate(resolve));
    // Wrapped: an async function returning the promise itself would wait for it.
    return { counted };
  }

  it("keeps the process's queries out of a client's transaction: they wait for it to end", async () => {
    const client = await connect();
    try {
      await client.query("BEGIN");
      await client.query("INSERT INTO note VALUES ('uncommitted')");
      const { counted } = await countNotesMeanwhile();
      await client.query("ROLLBACK");
      expect(await counted).toBe(0);
    } finally {
      await client.end();
    }
  });

  it("rolls back what a client left open when it disconnects, and resets what it set on the session", async () => {
    const applicationName = async () =>
      (await pglite.query<{ application_name: string }>("SHOW application_name")).rows[0]!.application_name;
    const processSetting = await applicationName();
    const client = await connect();
    // Set outside any transaction: it stays for the session (the process's too) until reset.
    await client.query("SET application_name = 'left-by-a-tool'");
    await client.query("BEGIN");
    await client.query("INSERT INTO note VALUES ('abandoned')");
    const { counted } = await countNotesMeanwhile();
    await client.end();
    expect(await counted).toBe(0);
    expect(await applicationName()).toBe(processSetting);
  });

  it("ends a client's transaction when it stays idle inside it, and lets the process go on", async () => {
    const client = await connect();
    await client.query("BEGIN");
    await client.query("INSERT INTO note VALUES ('left open')");
    // Waits behind the idle client until the server gives up on it.
    const { counted } = await countNotesMeanwhile();
    expect(await counted).toBe(0);
    await expect(client.query("COMMIT")).rejects.toThrow();
    expect(pglite.isInTransaction()).toBe(false);
  });

  it("puts together messages that arrive in pieces", async () => {
    const socket = net.createConnection(socketPathIn(socketDir));
    await once(socket, "connect");
    let received = Buffer.alloc(0);
    socket.on("data", (chunk) => (received = Buffer.concat([received, chunk])));
    /** Waits for the ReadyForQuery that ends the server's answer (Z, length 5, status). */
    const answered = async () => {
      while (!/Z\0\0\0\x05[ITE]$/.test(received.toString("latin1"))) await once(socket, "data");
      const text = received.toString("latin1");
      received = Buffer.alloc(0);
      return text;
    };
    const startup = Buffer.from("\0\0\0\0\0\x03\0\0user\0postgres\0database\0postgres\0\0", "latin1");
    startup.writeInt32BE(startup.length, 0);
    socket.write(startup.subarray(0, 3));
    await new Promise((resolve) => setImmediate(resolve));
    socket.write(startup.subarray(3));
    expect(await answered()).toContain("server_version");
    const query = Buffer.from("Q\0\0\0\0SELECT 'in pieces' AS said\0", "latin1");
    query.writeInt32BE(query.length - 1, 1);
    for (const piece of [query.subarray(0, 2), query.subarray(2, 9), query.subarray(9)]) {
      socket.write(piece);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await answered()).toContain("in pieces");
    socket.end(Buffer.from("X\0\0\0\x04", "latin1"));
    await once(socket, "close");
  });

  it("serves several clients, each exchange whole", async () => {
    const clients = await Promise.all([connect(), connect(), connect()]);
    try {
      await Promise.all(
        clients.map(async (client, index) => {
          await client.query("BEGIN");
          await client.query("INSERT INTO note VALUES ($1)", [`client ${index}`]);
          await client.query("INSERT INTO note VALUES ($1)", [`client ${index} again`]);
          await client.query("COMMIT");
        }),
      );
      const { rows } = await pglite.query<{ notes: number }>("SELECT count(*)::int AS notes FROM note WHERE text LIKE 'client %'");
      expect(rows).toEqual([{ notes: 6 }]);
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
  });
});

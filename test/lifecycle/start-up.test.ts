// Starting the gateway as an operator does: a mistake is told in a sentence (which setting, what
// it expects; which database problem; which port), exit code 1 and no stack trace; `npm start`
// stops on SIGTERM with nothing left running; the demo token is shown once, and again on the
// next start if it never was; every start names the console and GraphiQL, and how to get a token.
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createScratchPostgresDatabase, testDatabaseKind } from "../support/database.ts";
import { demoTokenIn, processesLeftIn, spawnGateway, type SpawnedGateway } from "../support/spawned-gateway.ts";

const dataDirs: string[] = [];
afterAll(() => {
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
});
function newDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bg-start-"));
  dataDirs.push(dir);
  return dir;
}

/** What a failed start wrote, once it has exited. */
async function failedStart(gateway: SpawnedGateway) {
  const { code } = await gateway.exited;
  const fatal = gateway.lines.filter((line) => line.level === "fatal").map((line) => line.msg);
  const everything = [...gateway.lines.map((line) => JSON.stringify(line)), ...gateway.otherOutput].join("\n");
  return { code, fatal, everything };
}

const NO_STACK = /\n\s+at |\.ts:\d+/;

// The embedded database's start-ups are the same in both projects; the PostgreSQL ones need a server.
describe.skipIf(testDatabaseKind === "postgres")("starting on the embedded database", () => {
  it("names every bad setting on a line of its own, and exits 1 without a stack trace", async () => {
    const gateway = spawnGateway({
      DATA_DIR: newDataDir(),
      DATABASE_URL: "",
      PORT: "eighty",
      LOG_LEVEL: "loud",
      SHUTDOWN_TIMEOUT_MS: "-1",
      DATABASE_REPLICA_URL: "postgres://r/db",
    });
    const { code, fatal, everything } = await failedStart(gateway);
    expect(code).toBe(1);
    expect(fatal).toEqual([
      "Configuration: DATABASE_REPLICA_URL needs DATABASE_URL: a read replica is a copy of a PostgreSQL primary, and the embedded database has none",
      'Configuration: PORT must be an integer from 0 to 65535 (got "eighty")',
      'Configuration: SHUTDOWN_TIMEOUT_MS must be an integer from 0 to 3600000 (got "-1")',
      'Configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ]);
    expect(everything).not.toMatch(NO_STACK);
  });

  it("says plainly that the port is taken, and the next start shows the demo token the failed one never did", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const dataDir = newDataDir();
    try {
      const first = await failedStart(spawnGateway({ DATA_DIR: dataDir, DATABASE_URL: "", PORT: String(port) }));
      expect(first.code).toBe(1);
      expect(first.fatal).toEqual([`Port ${port} is in use by another program: stop it, or set PORT to a free port (PORT=0 picks one).`]);
      expect(first.everything).not.toMatch(NO_STACK);
      expect(first.everything).not.toMatch(/bg_test_/);
    } finally {
      blocker.close();
    }

    const second = spawnGateway({ DATA_DIR: dataDir, DATABASE_URL: "" });
    const listeningOn = await second.listening();
    expect(listeningOn).toBeGreaterThan(0);
    const token = demoTokenIn([await second.waitForLine((line) => demoTokenIn([line]) !== null)]);
    const viewer = await fetch(`http://127.0.0.1:${listeningOn}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: "{ viewer { livemode tenant { slug } } }" }),
    });
    expect(await viewer.json()).toEqual({ data: { viewer: { livemode: false, tenant: { slug: "demo" } } } });
    second.child.kill("SIGTERM");
    expect((await second.exited).code).toBe(0);

    // Shown now: a third start has none to show, and says how to get one, beside the console and GraphiQL.
    const third = spawnGateway({ DATA_DIR: dataDir, DATABASE_URL: "" });
    const thirdPort = await third.listening();
    await third.waitForLine((line) => /^API tokens:/.test(line.msg));
    third.child.kill("SIGTERM");
    expect((await third.exited).code).toBe(0);
    expect(demoTokenIn(third.lines)).toBeNull();
    const said = third.lines.map((line) => line.msg);
    expect(said).toContain(`Console: http://localhost:${thirdPort}/console`);
    expect(said).toContain(`GraphiQL: http://localhost:${thirdPort}/graphql`);
    expect(said).toContainEqual(
      expect.stringMatching(/^API tokens: npm run --silent cli -- token create --tenant <slug> \[--test\] \(the demo tenant's is "demo"/),
    );
  }, 240_000);

  it("`npm start` stops on SIGTERM: the server drains and exits, nothing is left running, the data directory is free", async () => {
    const dataDir = newDataDir();
    const gateway = spawnGateway({ DATA_DIR: dataDir, DATABASE_URL: "" }, { npm: true });
    const port = await gateway.listening();
    expect(fs.existsSync(path.join(dataDir, "gateway.lock"))).toBe(true);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    // To npm alone, as a process manager sends it, not to the whole group.
    gateway.child.kill("SIGTERM");
    const { code } = await gateway.exited;
    expect(code).toBe(0);
    expect(processesLeftIn(gateway.child.pid!)).toEqual([]);
    expect(gateway.lines.map((line) => line.msg)).toContain("stopped");
    expect(fs.existsSync(path.join(dataDir, "gateway.lock"))).toBe(false);
    // No Prisma banner on start: the client is generated already.
    expect(gateway.otherOutput.join("\n")).not.toMatch(/Prisma/);
  }, 120_000);
});

describe("when the database cannot be reached", () => {
  it("retries while nothing listens, then says so and exits 1", async () => {
    const gateway = spawnGateway({ DATABASE_URL: "postgres://gateway@127.0.0.1:1/billing", DATABASE_CONNECT_TIMEOUT_MS: "1500" });
    const { code, fatal, everything } = await failedStart(gateway);
    expect(code).toBe(1);
    expect(fatal).toEqual([
      "Nothing accepts connections at 127.0.0.1:1: is PostgreSQL running there? Gave up after 2 s (DATABASE_CONNECT_TIMEOUT_MS).",
    ]);
    expect(gateway.lines.filter((line) => line.level === "warn" && /Trying again/.test(line.msg)).length).toBeGreaterThan(0);
    expect(everything).not.toMatch(NO_STACK);
  });

  it("names an unknown host", async () => {
    const gateway = spawnGateway({ DATABASE_URL: "postgres://gateway@no-such-host.invalid/billing", DATABASE_CONNECT_TIMEOUT_MS: "0" });
    const { code, fatal } = await failedStart(gateway);
    expect(code).toBe(1);
    expect(fatal).toEqual(['The host "no-such-host.invalid" in DATABASE_URL is unknown: no address was found for it.']);
  });

  describe.skipIf(testDatabaseKind !== "postgres")("on a PostgreSQL server", () => {
    it("names a missing database and a missing role at once, without waiting", async () => {
      const scratch = await createScratchPostgresDatabase();
      try {
        const missingDatabase = new URL(scratch.url);
        missingDatabase.pathname = "/no_such_database";
        const gateway = spawnGateway({ DATABASE_URL: missingDatabase.toString(), DATABASE_CONNECT_TIMEOUT_MS: "60000" });
        const { code, fatal } = await failedStart(gateway);
        expect(code).toBe(1);
        expect(fatal).toEqual([
          expect.stringMatching(/has no database "no_such_database": create it \(createdb no_such_database\) or correct DATABASE_URL\.$/),
        ]);

        const missingRole = new URL(scratch.url);
        missingRole.username = "no_such_role";
        const roleless = await failedStart(spawnGateway({ DATABASE_URL: missingRole.toString(), DATABASE_CONNECT_TIMEOUT_MS: "60000" }));
        expect(roleless.code).toBe(1);
        expect(roleless.fatal).toEqual([
          expect.stringMatching(
            /has no role "no_such_role"|does not let role "no_such_role" connect|refused the password of role "no_such_role"/,
          ),
        ]);
      } finally {
        await scratch.drop();
      }
    });
  });
});

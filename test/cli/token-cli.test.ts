// `npm run cli -- token …` against a running gateway, both as real processes: on PGlite the CLI
// reaches the gateway's embedded database through the socket it serves (and opens the directory
// itself once the gateway is gone); on PostgreSQL both share the server. Tokens the CLI creates
// work over HTTP at once, and one it revokes is refused (the gateway runs with
// TOKEN_CACHE_SECONDS=0 here; the default bound is tested in test/auth/authenticator.test.ts).
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScratchPostgresDatabase, testDatabaseKind } from "../support/database.ts";
import { freePort } from "../support/free-port.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSX = path.join(ROOT, "node_modules/tsx/dist/cli.mjs");
const STARTUP_MS = 120_000;

let database: { env: Record<string, string>; drop(): Promise<void> };
let gateway: ChildProcess | null = null;
let baseUrl: string;

/** Runs `npm run --silent cli -- <args>` as the user would (without npm's own start-up). */
function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [TSX, "src/cli/main.ts", ...args],
      { cwd: ROOT, env: environment(), timeout: STARTUP_MS },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

function environment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { DATABASE_URL: _url, DATA_DIR: _dir, ...rest } = process.env;
  return { ...rest, ...database.env, ...extra };
}

async function graphql(token: string, query: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: await response.json() };
}

async function startGateway(): Promise<void> {
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [TSX, "src/server.ts"], {
    cwd: ROOT,
    env: environment({ PORT: String(port), EXPIRY_SWEEP_SECONDS: "0", TOKEN_CACHE_SECONDS: "0" }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  gateway = child;
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("listening on")) resolve();
    };
    child.stdout!.on("data", read);
    child.stderr!.on("data", read);
    child.once("exit", (code) => reject(new Error(`the gateway exited (${code}) before listening:\n${output}`)));
  });
}

async function stopGateway(): Promise<void> {
  const child = gateway;
  gateway = null;
  if (!child || child.exitCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  await exited;
}

beforeAll(async () => {
  if (testDatabaseKind === "postgres") {
    const scratch = await createScratchPostgresDatabase();
    database = { env: { DATABASE_URL: scratch.url }, drop: scratch.drop };
  } else {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bg-cli-"));
    database = { env: { DATA_DIR: dataDir }, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  await startGateway();
}, STARTUP_MS);

afterAll(async () => {
  await stopGateway();
  await database?.drop();
}, STARTUP_MS);

describe(`the token CLI while the gateway runs (${testDatabaseKind})`, () => {
  let admin: string;
  let personal: string;

  it(
    "creates tokens that the running gateway accepts at once",
    async () => {
      const [live, test] = await Promise.all([
        cli("token", "create", "--tenant", "cli-corp", "--name", "ops"),
        cli("token", "create", "--tenant", "cli-corp", "--test", "--customer", "alice", "--role", "read"),
      ]);
      expect(live, live.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/^bg_live_[0-9a-f-]{36}\n$/) });
      expect(test, test.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/^bg_test_[0-9a-f-]{36}\n$/) });
      admin = live.stdout.trim();
      personal = test.stdout.trim();

      expect(await graphql(admin, "{ viewer { role livemode tenant { slug } } }")).toEqual({
        status: 200,
        body: { data: { viewer: { role: "admin", livemode: true, tenant: { slug: "cli-corp" } } } },
      });
      expect(await graphql(personal, "{ viewer { role livemode customer { externalId } } }")).toEqual({
        status: 200,
        body: { data: { viewer: { role: "read", livemode: false, customer: { externalId: "alice" } } } },
      });
    },
    STARTUP_MS,
  );

  it(
    "lists a tenant's live or test tokens",
    async () => {
      const [live, test] = await Promise.all([
        cli("token", "list", "--tenant", "cli-corp"),
        cli("token", "list", "--tenant", "cli-corp", "--test"),
      ]);
      expect(live.code, live.stderr).toBe(0);
      const liveRows = live.stdout.trim().split("\n");
      expect(liveRows[0]).toMatch(/^ID\s+PREFIX\s+ROLE\s+CUSTOMER\s+NAME\s+CREATED\s+LAST USED\s+REVOKED$/);
      expect(liveRows.slice(1)).toEqual([
        expect.stringMatching(new RegExp(`^[0-9a-f-]{36}\\s+${admin.slice(0, 12)}\\s+admin\\s+-\\s+ops\\s`)),
      ]);
      expect(test.stdout).toMatch(new RegExp(`${personal.slice(0, 12)}\\s+read\\s+alice\\s`));
      expect(test.stdout).not.toContain(admin.slice(0, 12));
      expect(await cli("token", "list", "--tenant", "nobody")).toMatchObject({
        code: 1,
        stderr: expect.stringContaining('There is no tenant "nobody"'),
      });
    },
    STARTUP_MS,
  );

  it(
    "revokes a token, which the running gateway then refuses",
    async () => {
      const listed = await cli("token", "list", "--tenant", "cli-corp", "--test");
      const id = listed.stdout.trim().split("\n")[1]!.split(/\s+/)[0]!;
      const revoked = await cli("token", "revoke", id);
      expect(revoked, revoked.stderr).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(new RegExp(`^revoked ${personal.slice(0, 12)}… \\(${id}\\) of cli-corp, test`)),
      });

      const refused = await graphql(personal, "{ viewer { livemode } }");
      expect(refused.status).toBe(403);
      expect((await graphql(admin, "{ viewer { livemode } }")).status).toBe(200);

      const [again, unknown, shown] = await Promise.all([
        cli("token", "revoke", id),
        cli("token", "revoke", "00000000-0000-0000-0000-000000000000"),
        cli("token", "list", "--tenant", "cli-corp", "--test", "--include-revoked"),
      ]);
      expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining("was already revoked at") });
      expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining("There is no API token") });
      expect(shown.stdout).toMatch(new RegExp(`${id}.*\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z$`, "m"));
    },
    STARTUP_MS,
  );

  it(
    "explains its usage, and refuses a role it does not know",
    async () => {
      expect(await cli("token", "create", "--tenant", "cli-corp", "--role", "owner")).toMatchObject({
        code: 2,
        stderr: expect.stringContaining("--role must be one of admin, write, read, customer"),
      });
      expect(await cli("token", "frobnicate")).toMatchObject({ code: 2, stderr: expect.stringContaining("token revoke <id>") });
    },
    STARTUP_MS,
  );

  it(
    "prints its usage on --help and exits 0, and says which database it uses",
    async () => {
      for (const help of ["--help", "-h", "help"]) {
        const shown = await cli(help);
        expect(shown, help).toMatchObject({ code: 0, stdout: expect.stringContaining("token create --tenant <slug>") });
        expect(shown.stdout).toContain("verify");
      }
      expect(await cli()).toMatchObject({ code: 2, stderr: expect.stringContaining("usage:") });
      const listed = await cli("token", "list", "--tenant", "cli-corp");
      expect(listed.stderr).toMatch(
        testDatabaseKind === "postgres" ? /^Using PostgreSQL at \S+/m : /^Using the embedded database in \S*bg-cli-/m,
      );
    },
    STARTUP_MS,
  );

  it(
    "refuses a DATA_DIR that holds no database, creating none, rather than working on a database the gateway never reads",
    async () => {
      const empty = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bg-cli-empty-")), "data");
      try {
        const { DATABASE_URL: _url, DATA_DIR: _dir, ...rest } = environment();
        const refused = await new Promise<{ code: number; stderr: string }>((resolve) =>
          execFile(
            process.execPath,
            [TSX, "src/cli/main.ts", "token", "create", "--tenant", "nowhere"],
            { cwd: ROOT, env: { ...rest, DATA_DIR: empty } },
            (error, _stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr }),
          ),
        );
        expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining(`There is no database in ${empty}`) });
        expect(refused.stderr).toContain("Start the gateway first");
        expect(fs.existsSync(empty)).toBe(false);
      } finally {
        fs.rmSync(path.dirname(empty), { recursive: true, force: true });
      }
    },
    STARTUP_MS,
  );

  it.skipIf(testDatabaseKind === "postgres")(
    "opens the embedded database itself once the gateway is gone",
    async () => {
      await stopGateway();
      const listed = await cli("token", "list", "--tenant", "cli-corp");
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toContain(admin.slice(0, 12));
    },
    STARTUP_MS,
  );
});

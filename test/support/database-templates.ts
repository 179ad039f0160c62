// Vitest globalSetup of the projects that open databases (test/vitest.config.ts): migrates one
// database per run, before any test file starts, and tells the files where it is
// (`inject("databaseTemplates")`), so that each file copies it (test/support/database.ts) instead
// of migrating a database of its own. Migrating costs a file seconds on PGlite (initdb, then every
// migration through the schema engine) and half a second on PostgreSQL; a copy, a fraction of it.
//
// - PGlite: a database just initialised and a migrated one, each dumped (PGlite's `dumpDataDir`,
//   an uncompressed tar) to a file in a temporary directory; a file loads one with
//   `new PGlite({ loadDataDir })`.
// - PostgreSQL: a database on TEST_DATABASE_URL's server, migrated as production is (an owner role
//   migrates, a second role gets the gateway's grants), then closed to connections so that
//   `CREATE DATABASE … TEMPLATE` may copy it. Its copies share its two roles.
//
// The migrating is done in a process of its own (database-template-builder.ts). Everything is
// removed when the run ends, copies a crashed file left behind included; what a run that was
// killed left behind (named after its process) is removed by the next run on the same machine.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import type { TestProject } from "vitest/node";

export interface PGliteTemplates {
  /** Dump of a database just initialised: nothing migrated. */
  empty: string;
  /** Dump of a database with every migration applied. */
  migrated: string;
}

export interface PostgresTemplate {
  /** The migrated database to copy (it accepts no connections). */
  database: string;
  ownerRole: string;
  ownerPassword: string;
  appRole: string;
  appPassword: string;
}

export interface DatabaseTemplates {
  pglite?: PGliteTemplates;
  postgres?: PostgresTemplate;
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseTemplates: DatabaseTemplates;
  }
}

type Kind = "pglite" | "postgres";

interface Built<T> {
  template: Promise<T>;
  remove(): Promise<void>;
  users: number;
}

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BUILDER = "test/support/database-template-builder.ts";
const PGLITE_PREFIX = "bg-test-templates-";
const POSTGRES_PREFIX = "bg_template_";

// Several projects run on one kind of database (database and process tests): one template per
// kind and run, shared, removed once the last project using it is done. Global setups all run in
// vitest's main process, so a global variable is enough to share it.
const built: Map<Kind, Built<unknown>> = ((
  globalThis as { __billingGatewayTemplates?: Map<Kind, Built<unknown>> }
).__billingGatewayTemplates ??= new Map());

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const kind: Kind = project.config.env?.TEST_DATABASE_KIND === "postgres" ? "postgres" : "pglite";
  let entry = built.get(kind);
  if (!entry) {
    entry = kind === "pglite" ? buildPGliteTemplates() : buildPostgresTemplate(postgresServerUrl());
    built.set(kind, entry);
  }
  entry.users += 1;
  const used = entry;
  const teardown = async () => {
    used.users -= 1;
    if (used.users > 0) return;
    built.delete(kind);
    await used.remove();
  };
  try {
    const template = await entry.template;
    project.provide(
      "databaseTemplates",
      kind === "pglite" ? { pglite: template as PGliteTemplates } : { postgres: template as PostgresTemplate },
    );
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}

function postgresServerUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("the postgres test projects need TEST_DATABASE_URL");
  return url;
}

async function runBuilder(...args: string[]): Promise<void> {
  try {
    await promisify(execFile)(process.execPath, ["--import", "tsx", BUILDER, ...args], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    throw new Error(`the test database template could not be migrated (${args[0]}):\n${(stderr || message).slice(-4000)}`);
  }
}

/** Whether a process of this machine with that id is running. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function buildPGliteTemplates(): Built<PGliteTemplates> {
  for (const name of fs.readdirSync(os.tmpdir())) {
    const pid = Number(new RegExp(`^${PGLITE_PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (pid && !running(pid)) fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), `${PGLITE_PREFIX}${process.pid}-`));
  const template = runBuilder("pglite", directory).then(() => ({
    empty: path.join(directory, "empty.tar"),
    migrated: path.join(directory, "migrated.tar"),
  }));
  return { template, users: 0, remove: async () => fs.rmSync(directory, { recursive: true, force: true }) };
}

interface TemplateOwner {
  host: string;
  pid: number;
}

function buildPostgresTemplate(serverUrl: string): Built<PostgresTemplate> {
  const name = `${POSTGRES_PREFIX}${randomBytes(6).toString("hex")}`;
  const [ownerRole, appRole] = [`${name}_owner`, `${name}_app`];
  const [ownerPassword, appPassword] = [randomBytes(12).toString("hex"), randomBytes(12).toString("hex")];
  const owner: TemplateOwner = { host: os.hostname(), pid: process.pid };
  const template = (async () => {
    await asAdmin(serverUrl, async (admin) => {
      await removeAbandonedTemplates(admin);
      await admin.query(`CREATE ROLE ${ownerRole} LOGIN PASSWORD '${ownerPassword}'`);
      await admin.query(`CREATE ROLE ${appRole} LOGIN PASSWORD '${appPassword}'`);
      await admin.query(`CREATE DATABASE ${name} OWNER ${ownerRole}`);
      await admin.query(`COMMENT ON DATABASE ${name} IS ${pg.escapeLiteral(JSON.stringify(owner))}`);
    });
    const ownerUrl = new URL(serverUrl);
    ownerUrl.pathname = `/${name}`;
    [ownerUrl.username, ownerUrl.password] = [ownerRole, ownerPassword];
    await runBuilder("postgres", ownerUrl.toString(), appRole);
    // No one may connect from now on: a copy fails while anyone is connected to its template.
    await asAdmin(serverUrl, (admin) => admin.query(`ALTER DATABASE ${name} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`));
    return { database: name, ownerRole, ownerPassword, appRole, appPassword };
  })();
  return { template, users: 0, remove: () => asAdmin(serverUrl, (admin) => removeTemplate(admin, name)) };
}

/** The template, the copies of it no file dropped, and its two roles. */
async function removeTemplate(admin: pg.Client, name: string): Promise<void> {
  const [ownerRole, appRole] = [`${name}_owner`, `${name}_app`];
  const { rows } = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datdba = (SELECT oid FROM pg_roles WHERE rolname = $1)`,
    [ownerRole],
  );
  for (const { datname } of rows) {
    if (datname === name) await admin.query(`ALTER DATABASE ${name} WITH IS_TEMPLATE false`);
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
  }
  await admin.query(`DROP ROLE IF EXISTS ${appRole}`);
  await admin.query(`DROP ROLE IF EXISTS ${ownerRole}`);
}

/** Templates made on this machine by runs whose process is gone (killed before their teardown). */
async function removeAbandonedTemplates(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string; comment: string | null }>(
    `SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname LIKE '${POSTGRES_PREFIX}%'`,
  );
  for (const { datname, comment } of rows) {
    let owner: TemplateOwner;
    try {
      owner = JSON.parse(comment ?? "") as TemplateOwner;
    } catch {
      continue;
    }
    if (owner.host === os.hostname() && !running(owner.pid)) await removeTemplate(admin, datname);
  }
}

async function asAdmin(serverUrl: string, run: (admin: pg.Client) => Promise<unknown>): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await run(admin);
  } finally {
    await admin.end();
  }
}

// Wallets with long histories for a bench, kept on the server between runs. Seeding a million
// entries through the ledger (seed-history.ts) takes longer than the rest of `npm run bench`
// several times over, about 15 minutes on 2 busy cores: each `ledger_debit` costs the database
// some half a millisecond of CPU, and one wallet's debits cannot run side by side. So the seeded
// database (some 600 MB for a million) is kept as a template named after what made it (the
// seeding code and the wallets it holds), and each run clones it: a file copy of seconds. A
// template of the same sizes whose name no longer matches is dropped and seeded afresh (one of
// other sizes is kept); a run stopped while seeding leaves nothing that could be taken for a
// template; `reseed` forces a seed. Drop the bg_bench_history_* databases by hand to reclaim disk.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { openDatabase } from "../../../src/db/database.ts";
import { teamScope } from "../../support/ledger.ts";
import { seedHistory } from "./seed-history.ts";

const PREFIX = "bg_bench_history_";
const SEEDING = `${PREFIX}seeding`;

export interface HistoriesToClone {
  serverUrl: string;
  /** The database to (re)create from the template. */
  clone: string;
  tenantSlug: string;
  /** One wallet per size, each with that many entries. */
  sizes: number[];
  reseed?: boolean;
}

export interface SeededWallet {
  entries: number;
  walletId: string;
  seedSeconds: number;
}

export interface ClonedHistories {
  url: string;
  template: string;
  /** Whether an earlier run seeded the template. */
  reused: boolean;
  seededAt: string;
  wallets: SeededWallet[];
}

/** Recreates `clone` from the template for these wallets, seeding the template first when missing. */
export async function cloneHistories({ serverUrl, clone, tenantSlug, sizes, reseed = false }: HistoriesToClone): Promise<ClonedHistories> {
  const template = templateName(tenantSlug, sizes);
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    let described = reseed ? undefined : await description(admin, template);
    const reused = described !== undefined;
    if (!described) {
      // Stale templates of these sizes first (seeded by older code): they hold as much disk as the
      // new one is about to. Templates of other sizes stay: a run with BENCH_GROWTH_ENTRIES=1000
      // must not cost the next default run its million entries.
      const { rows } = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1", [`${PREFIX}%`]);
      for (const { datname } of rows) {
        const seeded = await description(admin, datname);
        const sameSizes = seeded !== undefined && seeded.wallets.map((wallet) => wallet.entries).join() === sizes.join();
        if (sameSizes || seeded === undefined) await admin.query(`DROP DATABASE ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
      }
      described = await seedTemplate(admin, serverUrl, tenantSlug, sizes);
      await admin.query(`ALTER DATABASE ${SEEDING} RENAME TO ${template}`);
      await admin.query(`COMMENT ON DATABASE ${template} IS ${pg.escapeLiteral(JSON.stringify(described))}`);
    }
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(clone)} WITH (FORCE)`);
    // A file copy (PostgreSQL 15 would otherwise write the whole template to the WAL, and the
    // checkpoints that follow would land in the measurements); older servers copy files anyway.
    const version = Number((await admin.query<{ server_version_num: string }>("SHOW server_version_num")).rows[0]!.server_version_num);
    await admin.query(
      `CREATE DATABASE ${pg.escapeIdentifier(clone)} TEMPLATE ${template}${version >= 150_000 ? " STRATEGY FILE_COPY" : ""}`,
    );
    return { url: databaseUrl(serverUrl, clone), template, reused, ...described };
  } finally {
    await admin.end();
  }
}

type Described = Pick<ClonedHistories, "seededAt" | "wallets">;

async function seedTemplate(admin: pg.Client, serverUrl: string, tenantSlug: string, sizes: number[]): Promise<Described> {
  await admin.query(`DROP DATABASE IF EXISTS ${SEEDING} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${SEEDING}`);
  const db = await openDatabase({ databaseUrl: databaseUrl(serverUrl, SEEDING), poolSize: 4 });
  try {
    const tenant = await db.prisma.tenant.create({ data: { slug: tenantSlug, name: tenantSlug } });
    const wallets: SeededWallet[] = [];
    for (const entries of sizes) {
      console.log(`seeding a wallet of ${entries} entries through ledger_debit`);
      const { walletId, seconds } = await seedHistory(db, {
        scope: teamScope(tenant.id, true),
        externalId: customerOf(entries),
        entries,
        onProgress: (written, elapsed) => console.log(`  … ${written} entries, ${elapsed.toFixed(0)} s`),
      });
      wallets.push({ entries, walletId, seedSeconds: Math.round(seconds * 10) / 10 });
    }
    return { seededAt: new Date().toISOString(), wallets };
  } finally {
    await db.close();
  }
}

async function description(admin: pg.Client, template: string): Promise<Described | undefined> {
  const { rows } = await admin.query<{ comment: string | null }>(
    "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1",
    [template],
  );
  return rows[0]?.comment ? (JSON.parse(rows[0].comment) as Described) : undefined;
}

/** Named after everything that decides its contents, so that a change to any of them reseeds. */
function templateName(tenantSlug: string, sizes: number[]): string {
  // Not the migrations: a clone takes those newer than its template when it is opened, as any
  // production database does, so a new migration costs no fresh seed.
  const hash = createHash("sha256").update(JSON.stringify({ tenantSlug, livemode: true, customers: sizes.map(customerOf) }));
  hash.update(readFileSync(path.join(import.meta.dirname, "seed-history.ts")));
  return `${PREFIX}${hash.digest("hex").slice(0, 12)}`;
}

function customerOf(entries: number): string {
  return `history-${entries}`;
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

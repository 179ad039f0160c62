// With DATABASE_REPLICA_URL, standalone reads (GraphQL queries, REST GETs) go to the replica, and
// everything that must see the caller's own write to the primary. Proved without streaming
// replication: two databases on one server, each migrated, the gateway's primary on one and its
// replica on the other, so a row that only one side has shows which side a read went to. The
// replica's side is filled through a gateway of its own, as replication would fill it.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app.ts";
import { issueToken } from "../../src/auth/tokens.ts";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { migratePostgres } from "../../src/db/postgres.ts";
import { systemClock } from "../../src/ledger/context.ts";
import { verifyLedger } from "../../src/ledger/verify.ts";
import type { GatewayFixture } from "../support/app.ts";
import { createScratchPostgresDatabase, testDatabaseKind, type ScratchPostgres } from "../support/database.ts";
import { useHttp, type HttpFixture } from "../support/http.ts";
import { captureLogs } from "../support/logs.ts";

describe("read replica settings", () => {
  const primary = "postgres://gateway:secret@db-primary.internal:5432/billing";
  const replica = "postgres://gateway:secret@db-replica.internal:5432/billing";

  it("refuse DATABASE_REPLICA_URL without DATABASE_URL: the embedded database has no replica", () => {
    expect(() => loadConfig({ DATABASE_REPLICA_URL: replica })).toThrow(
      new ConfigError(
        "DATABASE_REPLICA_URL needs DATABASE_URL: a read replica is a copy of a PostgreSQL primary, and the embedded database has none",
      ),
    );
  });

  it("refuse a replica URL that is not postgres://, without echoing its password", () => {
    expect(() => loadConfig({ DATABASE_URL: primary, DATABASE_REPLICA_URL: "mysql://root:hunter2@db/billing" })).toThrow(
      new ConfigError('DATABASE_REPLICA_URL must be a postgres:// URL (got "db/billing"); unset it to read from DATABASE_URL'),
    );
  });

  it("size the replica's pool like the primary's unless told otherwise", () => {
    expect(loadConfig({})).toMatchObject({ databaseReplicaUrl: null, databasePoolSize: 10, databaseReplicaPoolSize: 10 });
    expect(loadConfig({ DATABASE_URL: primary, DATABASE_REPLICA_URL: replica, DATABASE_POOL_SIZE: "20" })).toMatchObject({
      databaseReplicaUrl: replica,
      databasePoolSize: 20,
      databaseReplicaPoolSize: 20,
    });
    expect(loadConfig({ DATABASE_URL: primary, DATABASE_REPLICA_URL: replica, DATABASE_REPLICA_POOL_SIZE: "40" })).toMatchObject({
      databasePoolSize: 10,
      databaseReplicaPoolSize: 40,
    });
    expect(() => loadConfig({ DATABASE_POOL_SIZE: "0" })).toThrow(
      new ConfigError('DATABASE_POOL_SIZE must be an integer from 1 to 10000 (got "0")'),
    );
  });

  it("are refused beside the embedded database when opening it too", async () => {
    await expect(openDatabase({ dataDir: "memory://", replicaUrl: replica })).rejects.toThrow(
      "a read replica (replicaUrl) needs a PostgreSQL primary (databaseUrl)",
    );
  });
});

if (testDatabaseKind === "pglite") {
  describe("a gateway with a read replica", () => {
    const reason = "PGlite has no replicas: set TEST_DATABASE_URL to run this file's PostgreSQL half";
    it(`is proved on PostgreSQL only (${reason})`, ({ skip }) => skip(reason));
  });
} else {
  describe("a gateway with a read replica", () => {
    const sides: ScratchPostgres[] = [];
    let db: Database;
    let replicaAlone: Database;
    // Filled in before useHttp starts its servers: the gateway under test, and one on the replica's database alone.
    const gateway = {} as GatewayFixture;
    const replicaGateway = {} as GatewayFixture;

    beforeAll(async () => {
      sides.push(await createScratchPostgresDatabase(), await createScratchPostgresDatabase());
      const [primarySide, replicaSide] = sides as [ScratchPostgres, ScratchPostgres];
      for (const side of sides) await migratePostgres(side.ownerUrl, { appRole: side.appRole });
      db = await openDatabase({ databaseUrl: primarySide.appUrl, replicaUrl: replicaSide.appUrl, poolSize: 2, replicaPoolSize: 2 });
      replicaAlone = await openDatabase({ databaseUrl: replicaSide.appUrl, poolSize: 2 });
      // One tenant, under one id on both sides, as replication would have it.
      const tenant = await db.prisma.tenant.create({ data: { slug: "acme", name: "Acme" } });
      await replicaAlone.prisma.tenant.create({ data: { id: tenant.id, slug: tenant.slug, name: tenant.name } });
      // The gateway's token is on the primary only: every request it authenticates was checked there.
      gateway.token = await issueToken(db.prisma, { tenantSlug: "acme", test: false });
      gateway.app = createApp({ db, ledger: { prisma: db.prisma, now: systemClock } });
      replicaGateway.token = await issueToken(replicaAlone.prisma, { tenantSlug: "acme", test: false });
      replicaGateway.app = createApp({ db: replicaAlone, ledger: { prisma: replicaAlone.prisma, now: systemClock } });
    });
    const http = useHttp(gateway);
    const onReplica = useHttp(replicaGateway);
    afterEach(async () => {
      expect(await verifyLedger(db.prisma)).toEqual([]);
      expect(await verifyLedger(replicaAlone.prisma)).toEqual([]);
    });
    afterAll(async () => {
      await db?.close();
      await replicaAlone?.close();
      for (const side of sides) await side.drop();
    });

    it("opens the replica with a pool of its own", () => {
      expect(db.replica).not.toBeNull();
      expect(db.replica).not.toBe(db.prisma);
    });

    it("answers GraphQL queries from the replica: what only the replica has is found, what only the primary has is not", async () => {
      const onlyOnReplica = await graphqlWallet(onReplica, "replica-only", "300");
      const onlyOnPrimary = await graphqlWallet(http, "primary-only", "500");

      const listed = await graphql(
        http,
        `
          {
            wallets(first: 10) {
              totalCount
              edges {
                node {
                  id
                  balance {
                    available
                  }
                }
              }
            }
          }
        `,
      );
      expect(listed.data.wallets).toEqual({ totalCount: 1, edges: [{ node: { id: onlyOnReplica, balance: { available: "300" } } }] });
      const found = await graphql(
        http,
        `
          query ($a: ID!, $b: ID!) {
            a: wallet(id: $a) {
              id
            }
            b: wallet(id: $b) {
              id
            }
          }
        `,
        { a: onlyOnReplica, b: onlyOnPrimary },
      );
      expect(found.data).toEqual({ a: { id: onlyOnReplica }, b: null });
      const nodes = await graphql(
        http,
        `
          query ($ids: [ID!]!) {
            nodes(ids: $ids) {
              id
            }
          }
        `,
        { ids: [onlyOnReplica, onlyOnPrimary] },
      );
      expect(nodes.data.nodes).toEqual([{ id: onlyOnReplica }, null]);
    });

    it("runs a mutation on the primary, the balance its payload returns and its replays included", async () => {
      const onlyOnReplica = await graphqlWallet(onReplica, "replica-only-2", "0");
      const onlyOnPrimary = await graphqlWallet(http, "primary-only-2", "0");
      const deposit = (walletId: string) =>
        graphql(
          http,
          `
            mutation ($input: DepositInput!) {
              deposit(input: $input) {
                __typename
                ... on DepositPayload {
                  replayed
                  wallet {
                    id
                    balance {
                      available
                    }
                  }
                }
                ... on Error {
                  code
                }
              }
            }
          `,
          { input: { walletId, amount: "700", idempotencyKey: `deposit-${walletId}` } },
        );

      expect((await deposit(onlyOnPrimary)).data.deposit).toEqual({
        __typename: "DepositPayload",
        replayed: false,
        wallet: { id: onlyOnPrimary, balance: { available: "700" } },
      });
      expect((await deposit(onlyOnPrimary)).data.deposit).toEqual({
        __typename: "DepositPayload",
        replayed: true,
        wallet: { id: onlyOnPrimary, balance: { available: "700" } },
      });
      expect((await deposit(onlyOnReplica)).data.deposit).toEqual({ __typename: "NotFoundError", code: "NOT_FOUND" });
    });

    it("answers REST GETs from the replica, and POSTs, with what they wrote, from the primary", async () => {
      const seeded = await onReplica.send("POST", "/v1/commerce/billing/wallets", { json: commerceWallet("rest-replica-only", "10") });
      expect(seeded.status, JSON.stringify(seeded.body)).toBe(201);

      const created = await http.send("POST", "/v1/commerce/billing/wallets", { json: commerceWallet("rest-primary-only", "25") });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body).toMatchObject({ external_customer_id: "rest-primary-only", available_credits: "25" });

      expect(await http.send("GET", `/v1/commerce/billing/wallets/${seeded.body.id}`)).toEqual({ status: 200, body: seeded.body });
      expect((await http.send("GET", `/v1/commerce/billing/wallets/${created.body.id}`)).status).toBe(404);
      const listed = await http.send("GET", "/v1/commerce/billing/wallets");
      expect(listed.body.wallets.map((wallet: { id: string }) => wallet.id)).toEqual([seeded.body.id]);
    });

    describe("when the replica cannot be reached", () => {
      let withReplicaDown: Database;
      const downGateway = {} as GatewayFixture;
      // The outage is logged; kept out of the test's output.
      captureLogs();
      beforeAll(async () => {
        // The same primary; a replica on a port where nothing listens.
        withReplicaDown = await openDatabase({
          databaseUrl: sides[0]!.appUrl,
          replicaUrl: "postgres://postgres@127.0.0.1:1/replica",
          poolSize: 1,
          replicaPoolSize: 1,
        });
        downGateway.token = gateway.token;
        downGateway.app = createApp({ db: withReplicaDown, ledger: { prisma: withReplicaDown.prisma, now: systemClock } });
      });
      const down = useHttp(downGateway);
      afterAll(async () => {
        await withReplicaDown?.close();
      });

      it("answers reads 503, and goes on writing on the primary", async () => {
        const query = await down.send("POST", "/graphql", { json: { query: "{ wallets(first: 1) { totalCount } }" } });
        expect(query.status).toBe(503);
        expect(query.body.errors[0].extensions.code).toBe("SERVICE_UNAVAILABLE");
        expect((await down.send("GET", "/v1/commerce/billing/wallets")).status).toBe(503);
        const created = await down.send("POST", "/v1/commerce/billing/wallets", {
          json: commerceWallet("written-while-replica-down", "5"),
        });
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        expect(created.body.available_credits).toBe("5");
      });
    });
  });
}

function commerceWallet(customer: string, paidCredits: string) {
  return { external_customer_id: customer, currency: "USD", rate_amount: "1.00", paid_credits: paidCredits };
}

async function graphql(http: HttpFixture, query: string, variables: Record<string, unknown> = {}) {
  const reply = await http.send("POST", "/graphql", { json: { query, variables } });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  expect(reply.body.errors, JSON.stringify(reply.body)).toBeUndefined();
  return reply.body as { data: Record<string, any> };
}

/** A new wallet through a gateway's GraphQL mutations, funded with `amount` unless "0"; returns its id. */
async function graphqlWallet(http: HttpFixture, customerExternalId: string, amount: string): Promise<string> {
  const created = await graphql(
    http,
    `
      mutation ($input: CreateWalletInput!) {
        createWallet(input: $input) {
          __typename
          ... on CreateWalletPayload {
            wallet {
              id
              balance {
                available
              }
            }
          }
        }
      }
    `,
    { input: { customerExternalId, currency: "USD" } },
  );
  expect(created.data.createWallet).toMatchObject({ __typename: "CreateWalletPayload", wallet: { balance: { available: "0" } } });
  const walletId: string = created.data.createWallet.wallet.id;
  if (amount !== "0") {
    const funded = await graphql(
      http,
      `
        mutation ($input: DepositInput!) {
          deposit(input: $input) {
            __typename
          }
        }
      `,
      { input: { walletId, amount } },
    );
    expect(funded.data.deposit.__typename).toBe("DepositPayload");
  }
  return walletId;
}

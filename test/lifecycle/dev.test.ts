// `npm run dev` as a developer runs it: the gateway under `node --watch`, on the embedded database,
// with a local fake Stripe, so that top-ups work without a Stripe account: a test card that
// succeeds credits the wallet, one that is declined credits nothing and says why.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { testDatabaseKind } from "../support/database.ts";
import { demoTokenIn, processesLeftIn, spawnGateway, type SpawnedGateway } from "../support/spawned-gateway.ts";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bg-dev-"));
let gateway: SpawnedGateway | null = null;
afterAll(async () => {
  if (gateway && gateway.child.exitCode === null) {
    process.kill(-gateway.child.pid!, "SIGTERM");
    await gateway.exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const TOP_UP = `mutation($input: TopUpInput!) {
  topUp(input: $input) { __typename ... on TopUpPayload { wallet { balance { available } } } ... on Error { code message } }
}`;

describe.skipIf(testDatabaseKind === "postgres")("npm run dev", () => {
  it("runs the gateway with a local fake Stripe: a succeeding test card tops up, a declined one says why", async () => {
    gateway = spawnGateway(
      { DATA_DIR: dataDir, DATABASE_URL: "", STRIPE_SECRET_KEY: "", STRIPE_API_BASE: "" },
      { npm: true, script: "dev" },
    );
    const port = await gateway.listening();
    expect(gateway.lines.map((line) => line.msg)).toContainEqual(
      expect.stringMatching(/^Payments: a local fake Stripe on http:\/\/127\.0\.0\.1:\d+ \(test cards: pm_card_visa succeeds/),
    );
    const token = demoTokenIn([await gateway.waitForLine((line) => demoTokenIn([line]) !== null)])!;
    const graphql = async (query: string, variables: Record<string, unknown> = {}) =>
      (
        (await (
          await fetch(`http://127.0.0.1:${port}/graphql`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
            body: JSON.stringify({ query, variables }),
          })
        ).json()) as { data: any }
      ).data;
    const opened = await graphql(`
      mutation {
        createWallet(input: { customerExternalId: "__team__", currency: "USD" }) {
          ... on CreateWalletPayload {
            wallet {
              id
            }
          }
        }
      }
    `);
    const walletId = opened.createWallet.wallet.id;
    const setCard = (card: string) =>
      graphql(
        `
          mutation ($card: String!) {
            setPaymentMethod(input: { paymentMethodId: $card }) {
              __typename
            }
          }
        `,
        { card },
      );

    expect(await setCard("pm_card_visa")).toEqual({ setPaymentMethod: { __typename: "SetPaymentMethodPayload" } });
    expect(await graphql(TOP_UP, { input: { walletId, amount: "2000" } })).toEqual({
      topUp: { __typename: "TopUpPayload", wallet: { balance: { available: "2000" } } },
    });
    await setCard("pm_card_chargeDeclined");
    expect(await graphql(TOP_UP, { input: { walletId, amount: "2000" } })).toEqual({
      topUp: { __typename: "PaymentFailedError", code: "PAYMENT_FAILED", message: expect.stringMatching(/declined/) },
    });

    // Ctrl-C stops the watcher and the gateway: nothing is left running.
    process.kill(-gateway.child.pid!, "SIGINT");
    await gateway.exited;
    expect(processesLeftIn(gateway.child.pid!)).toEqual([]);
  }, 240_000);

  it("is the gateway under node --watch, which restarts it when a source file changes", () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "../../package.json"), "utf8")).scripts;
    expect(scripts.dev).toBe("exec node --watch --import tsx src/dev.ts");
  });
});

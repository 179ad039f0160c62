// What one token can hold open through `walletUpdated`, over real HTTP: a bounded number of
// streams per token and per process, refused beyond with TOO_MANY_STREAMS (never a 5xx), a slot
// freed when its client hangs up; and a stream whose token is revoked ends within
// TOKEN_CACHE_SECONDS (plus the second between checks), telling the client why, and hears of no
// later commit.
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { TokenAuthenticator } from "../../src/auth/authenticator.ts";
import { revokeApiToken } from "../../src/auth/token-management.ts";
import { hashToken } from "../../src/auth/tokens.ts";
import { DEFAULT_HTTP_CONFIG } from "../../src/config.ts";
import { systemClock } from "../../src/ledger/context.ts";
import { createWalletVia, depositVia, useGateway } from "../support/app.ts";
import { useHttp } from "../support/http.ts";
import { fetchOverHttp, subscribe, type Subscription } from "../support/sse.ts";

const gateway = useGateway();
const http = useHttp(gateway);

const PER_TOKEN = 2;
const PER_PROCESS = 3;
const TOKEN_CACHE_SECONDS = 2;

const WALLET_UPDATED = `subscription($walletId: ID!) { walletUpdated(walletId: $walletId) { sequence wallet { balance { available } } } }`;

let walletId: string;

beforeAll(async () => {
  // A gateway with small limits, its token checks trusted TOKEN_CACHE_SECONDS on the real clock.
  gateway.app = createApp({
    db: gateway.db,
    ledger: gateway.ledger,
    tokens: new TokenAuthenticator(gateway.db.prisma, { cacheSeconds: TOKEN_CACHE_SECONDS, now: systemClock }),
    http: { graphql: { ...DEFAULT_HTTP_CONFIG.graphql, streams: { perToken: PER_TOKEN, perProcess: PER_PROCESS, stallSeconds: 30 } } },
  });
  walletId = await createWalletVia(gateway, "streamed");
  await depositVia(gateway, walletId, "1000");
});

const open = (token: string, wallet = walletId) =>
  subscribe<{ walletUpdated: any }>(fetchOverHttp, `${http.baseUrl}/graphql`, token, WALLET_UPDATED, { walletId: wallet });

async function debit(amount: string) {
  const reply = await gateway.graphql(`mutation($input: DebitInput!) { debit(input: $input) { __typename } }`, {
    input: { walletId, amount },
  });
  expect(reply.data.debit.__typename).toBe("DebitPayload");
}

/** A stream asked for and refused: its HTTP status and the errors it told before it ended. */
async function refused(token: string) {
  const response = await fetch(`${http.baseUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: WALLET_UPDATED, variables: { walletId } }),
  });
  const text = await response.text();
  const errors = [...text.matchAll(/^data: (\{.*\})$/gm)].flatMap(
    (match) => (JSON.parse(match[1]!) as { errors?: { message: string; extensions: Record<string, unknown> }[] }).errors ?? [],
  );
  return { status: response.status, errors };
}

/**
 * A stream that is open and live (a debit reaches it), tried again while refused: a closed
 * connection frees its slot as soon as the server sees it close, a moment after the client.
 */
async function live(token: string): Promise<Subscription<{ walletUpdated: any }>> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const updates = await open(token);
    await debit("1");
    try {
      await updates.next(5_000);
      return updates;
    } catch (error) {
      updates.close();
      if (!/TOO_MANY_STREAMS/.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error("no slot was freed within 50 tries");
}

describe("walletUpdated streams", () => {
  it("on a wallet outside the token's scope are refused as not found, not as a server failure", async () => {
    const outsider = await gateway.issue("globex");
    const response = await fetch(`${http.baseUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${outsider}` },
      body: JSON.stringify({ query: WALLET_UPDATED, variables: { walletId } }),
    });
    const text = await response.text();
    expect(response.status).toBeLessThan(500);
    expect(text).toMatch(/"code":"NOT_FOUND"/);
  });

  it("are limited per token: the next one is refused with TOO_MANY_STREAMS, and closing one frees its slot", async () => {
    const token = await gateway.issue("acme");
    const streams = [await live(token), await live(token)];
    try {
      const refusal = await refused(token);
      expect(refusal.status).toBe(200);
      expect(refusal.errors).toEqual([
        expect.objectContaining({ extensions: { code: "TOO_MANY_STREAMS", limit: PER_TOKEN, per: "token" } }),
      ]);
      expect(refusal.errors[0]!.message).toMatch(/this token has 2 walletUpdated streams open/);
      // Another token is not held back by this one's streams.
      const other = await live(await gateway.issue("acme"));
      other.close();

      streams.shift()!.close();
      streams.push(await live(token));
    } finally {
      for (const stream of streams) stream.close();
    }
  });

  it("are limited per process, whatever the tokens", async () => {
    const tokens = await Promise.all([1, 2, 3, 4].map(() => gateway.issue("acme")));
    const streams: Subscription<{ walletUpdated: any }>[] = [];
    try {
      // Slots freed by the previous test's streams may take a moment to be seen free.
      streams.push(await live(tokens[0]!));
      for (const token of tokens.slice(1, PER_PROCESS)) streams.push(await live(token));
      const refusal = await refused(tokens[PER_PROCESS]!);
      expect(refusal.status).toBe(200);
      expect(refusal.errors).toEqual([
        expect.objectContaining({ extensions: { code: "TOO_MANY_STREAMS", limit: PER_PROCESS, per: "process" } }),
      ]);

      streams.shift()!.close();
      streams.push(await live(tokens[PER_PROCESS]!));
    } finally {
      for (const stream of streams) stream.close();
    }
  });
});

describe("a revoked token's stream", () => {
  async function personalToken(): Promise<{ token: string; id: string }> {
    const token = await gateway.issue("acme");
    const row = await gateway.db.prisma.apiToken.findUniqueOrThrow({ where: { tokenHash: hashToken(token) } });
    return { token, id: row.id };
  }

  /** Waits for the stream to end; answers how long it took and what it told. */
  async function endOf(updates: Subscription<{ walletUpdated: any }>, since: number) {
    const ended = await Promise.race([updates.ended, new Promise<null>((resolve) => setTimeout(() => resolve(null), 15_000))]);
    return { ended, afterMs: performance.now() - since };
  }

  it("ends at once when revoked through this gateway, with a FORBIDDEN error, and hears no later debit", async () => {
    const { token, id } = await personalToken();
    const updates = await live(token);
    const revoked = await gateway.graphql(`mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { __typename } }`, {
      input: { id: globalId("ApiToken", id) },
    });
    expect(revoked.data.revokeApiToken.__typename).toBe("RevokeApiTokenPayload");
    const { ended, afterMs } = await endOf(updates, performance.now());
    expect(ended, "the stream did not end").not.toBeNull();
    // The process forgets the token at once; streams are checked every second.
    expect(afterMs).toBeLessThan(1_000 + 1_500);
    expect(ended!.errors).toEqual([expect.objectContaining({ extensions: { code: "FORBIDDEN" } })]);

    await debit("1");
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(updates.next(500)).rejects.toThrow(/FORBIDDEN/);
    expect(ended!.updates).toEqual([]);
  });

  it("ends within TOKEN_CACHE_SECONDS when revoked elsewhere (another gateway, the CLI)", async () => {
    const { token, id } = await personalToken();
    const updates = await live(token);
    // Revoked in the database without telling this gateway's authenticator.
    await revokeApiToken(
      { prisma: gateway.db.prisma, now: systemClock },
      { tenantId: (await tenantOf(id)).tenantId, livemode: true, customerId: null, role: "admin" },
      id,
    );
    const { ended, afterMs } = await endOf(updates, performance.now());
    expect(ended, "the stream did not end").not.toBeNull();
    expect(afterMs).toBeLessThan(TOKEN_CACHE_SECONDS * 1000 + 1_000 + 1_500);
    expect(ended!.errors).toEqual([expect.objectContaining({ extensions: { code: "FORBIDDEN" } })]);
    await debit("1");
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(updates.next(500)).rejects.toThrow(/FORBIDDEN/);
    expect(ended!.updates).toEqual([]);
  });
});

function globalId(type: string, id: string): string {
  return Buffer.from(`${type}:${id}`).toString("base64");
}

function tenantOf(tokenId: string) {
  return gateway.db.prisma.apiToken.findUniqueOrThrow({ where: { id: tokenId }, select: { tenantId: true } });
}

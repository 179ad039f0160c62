// The `walletUpdated` streams of one wallet in one process share its reader: a commit costs the
// same database statements whether 1, 10 or 50 streams watch the wallet, and streams at
// different positions (replays from the start, from the middle, live) each still get exactly
// their events, in order, without gap or repeat.
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { DEFAULT_HTTP_CONFIG } from "../../src/config.ts";
import { createWalletVia, depositVia, useGateway } from "../support/app.ts";
import { countingSqlStatements } from "../support/sql-statements.ts";
import { subscribe, type Subscription } from "../support/sse.ts";

const gateway = useGateway();

const WALLET_UPDATED = `subscription($walletId: ID!, $afterSequence: Int) {
  walletUpdated(walletId: $walletId, afterSequence: $afterSequence) { sequence event { type } wallet { balance { available } } }
}`;

type Update = { walletUpdated: { sequence: number; event: { type: string }; wallet: { balance: { available: string } } } };

beforeAll(() => {
  // Room for 50 streams of one token.
  gateway.app = createApp({
    db: gateway.db,
    ledger: gateway.ledger,
    http: { graphql: { ...DEFAULT_HTTP_CONFIG.graphql, streams: { ...DEFAULT_HTTP_CONFIG.graphql.streams, perToken: 100 } } },
  });
});

const open = (walletId: string, afterSequence?: number) =>
  subscribe<Update>((request) => gateway.app.fetch(request), "http://gateway.test/graphql", gateway.token, WALLET_UPDATED, {
    walletId,
    afterSequence,
  });

async function debit(walletId: string, amount = "1") {
  const reply = await gateway.graphql(`mutation($input: DebitInput!) { debit(input: $input) { __typename } }`, {
    input: { walletId, amount },
  });
  expect(reply.data.debit.__typename).toBe("DebitPayload");
}

/** The statements one debit costs, with its update delivered to every stream (the least of three tries). */
async function statementsPerDebit(walletId: string, streams: Subscription<Update>[]): Promise<number> {
  const counts: number[] = [];
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const counting = countingSqlStatements();
    try {
      await debit(walletId);
      await Promise.all(streams.map((stream) => stream.next()));
      // Anything a stream would still read for this event has been asked for by now.
      await new Promise((resolve) => setTimeout(resolve, 50));
      counts.push(counting.statements());
    } finally {
      counting.stop();
    }
  }
  return Math.min(...counts);
}

describe("walletUpdated streams of one wallet", () => {
  it("cost the same statements per commit for 1, 10 or 50 streams", async () => {
    const perDebit: Record<number, number> = {};
    for (const watchers of [1, 10, 50]) {
      const walletId = await createWalletVia(gateway, `fan-out-${watchers}`);
      await depositVia(gateway, walletId, "1000");
      const streams = await Promise.all(Array.from({ length: watchers }, () => open(walletId)));
      try {
        // Every stream is live once a first debit reaches it.
        await debit(walletId);
        await Promise.all(streams.map((stream) => stream.next()));
        perDebit[watchers] = await statementsPerDebit(walletId, streams);
      } finally {
        for (const stream of streams) stream.close();
      }
    }
    console.log(`statements per debit, its update delivered: ${JSON.stringify(perDebit)} (by number of streams)`);
    expect(perDebit[10]).toBe(perDebit[1]);
    expect(perDebit[50]).toBe(perDebit[1]);
  });

  it("give each stream exactly its events, replays and live ones alike, while commits go on", async () => {
    const walletId = await createWalletVia(gateway, "fan-out-positions");
    await depositVia(gateway, walletId, "10000");
    // 251 events before anyone watches (the wallet's two, the deposit, 248 debits): more than a
    // page, and more than the reader keeps.
    for (let i = 0; i < 248; i += 1) await debit(walletId);
    const first = 251;
    const positions = [0, 1, 120, 250, undefined];
    const streams = await Promise.all(positions.map((after) => open(walletId, after)));
    try {
      // Commits go on while the replays read.
      const committing = (async () => {
        for (let i = 0; i < 30; i += 1) await debit(walletId);
      })();
      const received = await Promise.all(
        streams.map(async (stream, index) => {
          const from = (positions[index] ?? first) + 1;
          const sequences: number[] = [];
          for (let sequence = from; sequence <= first + 30; sequence += 1)
            sequences.push((await stream.next(30_000)).walletUpdated.sequence);
          return sequences;
        }),
      );
      await committing;
      for (const [index, sequences] of received.entries()) {
        const from = (positions[index] ?? first) + 1;
        expect(sequences, `the stream after ${positions[index] ?? "now"}`).toEqual(
          Array.from({ length: first + 30 - from + 1 }, (_, offset) => from + offset),
        );
      }
    } finally {
      for (const stream of streams) stream.close();
    }
  }, 120_000);
});

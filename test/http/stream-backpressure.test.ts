// `walletUpdated` streams under hostile clients, over real HTTP: streams replaying a long log to
// clients that never read their sockets are written only as fast as the sockets drain, do not
// slow /healthz, and are ended once their clients have left an update untaken for
// STREAM_STALL_SECONDS (the client, reading again, finds the stream complete); and 300 streams
// on one busy wallet slow debits on other wallets by a bounded factor.
import { connect, type Socket } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { DEFAULT_HTTP_CONFIG } from "../../src/config.ts";
import { createWalletVia, depositVia, useGateway } from "../support/app.ts";
import { useHttp } from "../support/http.ts";
import { fetchOverHttp, subscribe, type Subscription } from "../support/sse.ts";

const gateway = useGateway();
const http = useHttp(gateway);

const STALL_SECONDS = 2;

beforeAll(() => {
  gateway.app = createApp({
    db: gateway.db,
    ledger: gateway.ledger,
    http: { graphql: { ...DEFAULT_HTTP_CONFIG.graphql, streams: { perToken: 1_000, perProcess: 1_000, stallSeconds: STALL_SECONDS } } },
  });
});

async function debit(walletId: string) {
  const reply = await gateway.graphql(`mutation($input: DebitInput!) { debit(input: $input) { __typename } }`, {
    input: { walletId, amount: "1" },
  });
  expect(reply.data.debit.__typename).toBe("DebitPayload");
}

/** A client that sends its subscription and then reads nothing until told to. */
function nonReadingStream(walletId: string): Promise<{ socket: Socket; readAll(timeoutMs: number): Promise<string> }> {
  const body = JSON.stringify({
    query: `subscription($w: ID!) { walletUpdated(walletId: $w, afterSequence: 0) { sequence event { payload } } }`,
    variables: { w: walletId },
  });
  const { port } = new URL(http.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1", () => {
      socket.write(
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\nAuthorization: Bearer ${gateway.token}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      socket.pause();
      resolve({
        socket,
        readAll: (timeoutMs) =>
          new Promise<string>((done) => {
            const chunks: Buffer[] = [];
            const finish = () => {
              clearTimeout(timer);
              socket.destroy();
              done(Buffer.concat(chunks).toString());
            };
            const timer = setTimeout(finish, timeoutMs);
            socket.on("data", (chunk: Buffer) => {
              chunks.push(chunk);
              // The end of a chunked answer: the stream completed.
              if (Buffer.concat(chunks.slice(-2)).toString().endsWith("\r\n0\r\n\r\n")) finish();
            });
            socket.on("end", finish);
            socket.resume();
          }),
      });
    });
    socket.once("error", reject);
  });
}

async function healthzMs(): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${http.baseUrl}/healthz`);
  expect(response.status).toBe(200);
  await response.text();
  return performance.now() - started;
}

describe("walletUpdated streams whose clients do not read", () => {
  it("are written only as their sockets drain, leave /healthz fast, and end once stalled", async () => {
    const walletId = await createWalletVia(gateway, "flooded");
    // 3,000 events of 4 KB each (12 MB): more than any socket buffers.
    await gateway.db.prisma.$executeRawUnsafe(
      `SELECT append_event($1::uuid, 'wallet.updated', NULL, jsonb_build_object('pad', repeat('x', 4000)), now()) FROM generate_series(1, 3000)`,
      walletId,
    );
    const clients = await Promise.all(Array.from({ length: 20 }, () => nonReadingStream(walletId)));
    try {
      const latencies: number[] = [];
      for (let i = 0; i < 10; i += 1) {
        latencies.push(await healthzMs());
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      console.log(`/healthz with 20 non-reading replays: ${latencies.map((ms) => ms.toFixed(0)).join(", ")} ms`);
      // Generous: the first answer waits behind the streams' start and first pages on a loaded
      // 2-core machine (the embedded database answers one query at a time); the rest are quick.
      latencies.sort((a, b) => a - b);
      expect(latencies[Math.floor(latencies.length / 2)]).toBeLessThan(500);
      expect(latencies.at(-1)).toBeLessThan(8_000);

      // Past the stall bound (and the second between checks), each stream has been ended: its
      // client, reading again, gets what the socket held and then the stream's end.
      await new Promise((resolve) => setTimeout(resolve, (STALL_SECONDS + 2) * 1000));
      const answers = await Promise.all(clients.map((client) => client.readAll(20_000)));
      for (const answer of answers) {
        const sequences = [...answer.matchAll(/"sequence":(\d+)/g)].map((match) => Number(match[1]));
        expect(answer).toMatch(/event: complete/);
        expect(sequences.length).toBeGreaterThan(0);
        expect(sequences.length).toBeLessThan(3_000);
        expect(sequences).toEqual(Array.from({ length: sequences.length }, (_, index) => index + 1));
      }
    } finally {
      for (const client of clients) client.socket.destroy();
    }
  }, 120_000);
});

describe("300 streams on one busy wallet", () => {
  /** p50 of 40 debits on a wallet nobody watches, while another wallet is debited all along. */
  async function debitP50(busyWalletId: string): Promise<number> {
    const quietWalletId = await createWalletVia(gateway, `quiet-${Math.random()}`);
    await depositVia(gateway, quietWalletId, "1000");
    let busy = true;
    const busyDebits = (async () => {
      for (let i = 0; busy && i < 10_000; i += 1) await debit(busyWalletId);
    })();
    const latencies: number[] = [];
    try {
      for (let i = 0; i < 40; i += 1) {
        const started = performance.now();
        await debit(quietWalletId);
        latencies.push(performance.now() - started);
      }
    } finally {
      busy = false;
      await busyDebits;
    }
    latencies.sort((a, b) => a - b);
    return latencies[Math.floor(latencies.length / 2)]!;
  }

  it("leave debits on other wallets bounded, every stream's update costing no database read of its own", async () => {
    const busyWalletId = await createWalletVia(gateway, "busy");
    await depositVia(gateway, busyWalletId, "1000000");
    const without = await debitP50(busyWalletId);
    const streams: Subscription<{ walletUpdated: { sequence: number } }>[] = [];
    try {
      for (let i = 0; i < 300; i += 1) {
        streams.push(
          await subscribe(
            fetchOverHttp,
            `${http.baseUrl}/graphql`,
            gateway.token,
            `subscription($w: ID!) { walletUpdated(walletId: $w) { sequence } }`,
            { w: busyWalletId },
          ),
        );
      }
      const withStreams = await debitP50(busyWalletId);
      console.log(
        `debit p50 on an unwatched wallet: ${without.toFixed(1)} ms without streams, ${withStreams.toFixed(1)} ms with 300 streams on a busy wallet`,
      );
      // Here the busy wallet is debited back to back and the 300 clients parse in this same
      // process, so this is a loose guard against a gross regression only: the reads per event
      // are pinned by test/ledger/event-fan-out.test.ts, and the figure against a real gateway
      // is `npm run bench:streams` (README, Limits).
      expect(withStreams).toBeLessThan(30 * without + 100);
    } finally {
      for (const stream of streams) stream.close();
    }
  }, 180_000);
});

// The request body limit: on every route, in each route family's error shape, refused from a
// declared Content-Length before reading and from a streamed body at the first chunk past the
// limit, so a 200 MB body is never read, let alone held.
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { useGateway } from "../support/app.ts";

const gateway = useGateway();
const LIMIT = 1_048_576;
const CHUNK = 64 * 1024;
const HUGE = 200 * 1024 * 1024;

/** A POST on each route family, and how each answers 413. */
const FAMILIES: { name: string; path: string; token: boolean; shape(body: any): void }[] = [
  { name: "GraphQL", path: "/graphql", token: true, shape: (body) => expect(body.errors[0].extensions.code).toBe("PAYLOAD_TOO_LARGE") },
  {
    name: "Wren",
    path: "/api/credits/top-up",
    token: true,
    shape: (body) => expect(body.error).toMatch(/larger than the limit of \d+ bytes/),
  },
  {
    name: "customer deposits",
    path: "/v1/customers/deposit",
    token: true,
    shape: (body) => expect(body.error).toMatchObject({ type: "bad_request", code: "payload_too_large" }),
  },
  {
    name: "Orb",
    path: "/customers/external_customer_id/alice/credits/ledger_entry",
    token: true,
    shape: (body) =>
      expect(body).toMatchObject({
        status: 413,
        type: "https://docs.withorb.com/reference/error-responses#413-request-too-large",
        title: "Request too large",
      }),
  },
  {
    name: "commerce",
    path: "/v1/commerce/billing/wallets",
    token: true,
    shape: (body) => expect(body).toMatchObject({ name: "REQUEST_ENTITY_TOO_LARGE", details: [{ issue: "PAYLOAD_TOO_LARGE" }] }),
  },
  {
    name: "Stripe webhook",
    path: "/webhooks/stripe",
    token: false,
    shape: (body) => expect(body).toMatchObject({ code: "PAYLOAD_TOO_LARGE", error: expect.stringMatching(/larger than the limit/) }),
  },
];

/** A JSON body of exactly `size` bytes: an object padded with spaces. */
function jsonOfSize(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size).fill(0x20);
  bytes.set(new TextEncoder().encode('{"query":"{ viewer { livemode } }"}'));
  return bytes;
}

/** A body stream of up to `total` bytes in 64 KiB chunks, counting what was pulled from it. */
function countingStream(total: number) {
  const counter = { produced: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (counter.produced >= total) return controller.close();
      counter.produced += CHUNK;
      controller.enqueue(new Uint8Array(CHUNK).fill(0x20));
    },
  });
  return { stream, counter };
}

describe("request body limit, in process", () => {
  for (const family of FAMILIES) {
    it(`answers 413 in the ${family.name} shape for a body one byte over the limit`, async () => {
      const response = await gateway.app.fetch(
        new Request(`http://gateway.test${family.path}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...(family.token ? { authorization: `Bearer ${gateway.token}` } : {}) },
          body: jsonOfSize(LIMIT + 1),
        }),
      );
      expect(response.status).toBe(413);
      family.shape(await response.json());
    });
  }

  it("handles a body of exactly the limit", async () => {
    const response = await gateway.app.fetch(
      new Request("http://gateway.test/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${gateway.token}` },
        body: jsonOfSize(LIMIT),
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { viewer: { livemode: true } } });
  });

  it("stops pulling a 200 MB stream at the first chunk past the limit", async () => {
    const { stream, counter } = countingStream(HUGE);
    const response = await gateway.app.fetch(
      new Request("http://gateway.test/v1/customers/deposit", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${gateway.token}` },
        body: stream,
        duplex: "half",
      } as RequestInit),
    );
    expect(response.status).toBe(413);
    // The limit, the chunk that crossed it, and at most one the stream queued ahead.
    expect(counter.produced).toBeLessThanOrEqual(LIMIT + 2 * CHUNK);
  });

  it("takes its limit from the settings", async () => {
    const app = createApp({ db: gateway.db, ledger: gateway.ledger, http: { maxBodyBytes: 2048 } });
    const send = (size: number) =>
      app.fetch(
        new Request("http://gateway.test/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${gateway.token}` },
          body: jsonOfSize(size),
        }),
      );
    expect((await send(2048)).status).toBe(200);
    const refused = await send(2049);
    expect(refused.status).toBe(413);
    expect((await refused.json()).errors[0].message).toBe("the request body is larger than the limit of 2048 bytes");
  });
});

describe("request body limit, over HTTP", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((request, response) => gateway.app(request, response));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /**
   * Streams up to 200 MB as fast as the connection takes it, and stops when the answer arrives:
   * what was sent by then is bounded by the limit plus the sockets' buffers, never the body.
   */
  function sendHugeBody(path: string, options: { declareLength: boolean; token: boolean }) {
    return new Promise<{ status: number; headers: Record<string, unknown>; body: any; sent: number }>((resolve, reject) => {
      let sent = 0;
      let answered = false;
      const request = httpRequest({
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(options.token ? { authorization: `Bearer ${gateway.token}` } : {}),
          ...(options.declareLength ? { "content-length": String(HUGE) } : {}),
        },
      });
      request.on("response", (response) => {
        answered = true;
        const sentWhenAnswered = sent;
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (data) => (text += data));
        response.on("end", () =>
          resolve({ status: response.statusCode!, headers: response.headers, body: JSON.parse(text), sent: sentWhenAnswered }),
        );
      });
      // The server closes the connection after its answer, so writing may fail: expected.
      request.on("error", (error) => {
        if (!answered) reject(error);
      });
      const chunk = Buffer.alloc(CHUNK, 0x20);
      const pump = () => {
        while (!answered && sent < HUGE) {
          sent += CHUNK;
          if (!request.write(chunk)) return void request.once("drain", pump);
        }
        if (!answered) request.end();
      };
      pump();
    });
  }

  for (const declareLength of [false, true]) {
    const how = declareLength ? "a declared Content-Length of 200 MB" : "a chunked 200 MB body";
    for (const family of FAMILIES.filter(({ name }) => ["GraphQL", "customer deposits", "Stripe webhook"].includes(name))) {
      it(`answers ${how} to ${family.name} with 413 long before it is sent, and closes the connection`, async () => {
        const answer = await sendHugeBody(family.path, { declareLength, token: family.token });
        expect(answer.status).toBe(413);
        family.shape(answer.body);
        expect(answer.headers.connection).toBe("close");
        expect(answer.sent).toBeLessThan(32 * 1024 * 1024);
      });
    }
  }
});

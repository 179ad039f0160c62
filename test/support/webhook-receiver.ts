// A webhook receiver on a loopback port (node:http): it keeps every request as it arrived (raw
// body included) and answers as the test says: a status, no answer at all (a hang, until the
// receiver closes), or a hostile 200: a gzip bomb or a body with no end in sight.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import type { AddressInfo } from "node:net";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

export interface ReceivedDelivery {
  headers: IncomingHttpHeaders;
  body: string;
  event: { id: string; type: string; walletId: string; sequence: number; data: Record<string, unknown> };
}

export type Answer =
  | number
  | "hang"
  /** 200, `content-encoding: gzip`: 1 MiB of gzip that inflates to 1 GiB (1,024 gzip members of 1 MiB of zeros each). */
  | "gzip-bomb"
  /** 200 with a plain 1 GiB body, written as fast as the connection takes it. */
  | "endless"
  /** A status with this text as its body. */
  | { status: number; body: string };

const MIB = 1_048_576;
/** 1 MiB of zeros, gzipped: about 1 KiB. */
const GZIPPED_MIB = gzipSync(Buffer.alloc(MIB));

/** Writes `chunk` `times` times, waiting for the connection to drain; stops when the client goes away. */
function stream(response: ServerResponse, chunk: Buffer, times: number): void {
  let written = 0;
  const more = () => {
    while (written < times && !response.destroyed) {
      written += 1;
      if (!response.write(chunk)) return void response.once("drain", more);
    }
    if (!response.destroyed) response.end();
  };
  response.on("error", () => {});
  more();
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedDelivery[];
  /** How the next requests are answered, in turn; once used up, `otherwise`. */
  answers: Answer[];
  otherwise: Answer;
  /** Decides per request instead (before `answers`). */
  decide: ((delivery: ReceivedDelivery) => Answer | undefined) | null;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const hanging = new Set<ServerResponse>();
  const receiver: WebhookReceiver = {
    url: "",
    received: [],
    answers: [],
    otherwise: 200,
    decide: null,
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const delivery: ReceivedDelivery = { headers: request.headers, body, event: JSON.parse(body) };
      receiver.received.push(delivery);
      const answer = receiver.decide?.(delivery) ?? receiver.answers.shift() ?? receiver.otherwise;
      if (answer === "hang") {
        hanging.add(response);
        return;
      }
      if (answer === "gzip-bomb") {
        response.writeHead(200, { "content-type": "text/plain", "content-encoding": "gzip" });
        return stream(response, GZIPPED_MIB, 1_024);
      }
      if (answer === "endless") {
        response.writeHead(200, { "content-type": "text/plain" });
        return stream(response, Buffer.alloc(64 * 1_024, "x"), 16_384);
      }
      if (typeof answer === "object") {
        response.writeHead(answer.status, { "content-type": "text/plain" }).end(answer.body);
        return;
      }
      response.writeHead(answer, { "content-type": "text/plain" }).end(answer < 300 ? "ok" : "receiver failed");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/billing-events`;
  return receiver;
}

export type SignatureVerifier = (
  rawBody: string,
  signatureHeader: string | undefined,
  secret: string,
  toleranceSeconds?: number,
) => boolean;

/** The README's verification snippet, run as written: the ```js block under "Verifying a delivery". */
export async function readmeVerifier(): Promise<SignatureVerifier> {
  const readme = fs.readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("### Verifying a delivery"));
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error('README.md has no ```js block under "Verifying a delivery"');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "webhook-snippet-")), "verify.mjs");
  fs.writeFileSync(file, code);
  const module = (await import(pathToFileURL(file).href)) as { verifyBillingGatewaySignature: SignatureVerifier };
  return module.verifyBillingGatewaySignature;
}

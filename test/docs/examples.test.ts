// The documentation's examples, run as written against the gateway on a real HTTP port: every
// ```sh tested block of the README and of docs/, in page order, in one bash session (so a block
// uses the variables an earlier one set: WALLET, HOLD, SECRET), with GATEWAY, TOKEN and HOOK_URL
// set as the README tells the reader to. Each answer must be a success, unless the block's fence
// names the refusal it shows (```sh tested refuses=InsufficientCreditsError), and its output holds
// what the fence says it shows (shows="replayed":true); then the ledger is
// read back, and the webhook the README creates receives deliveries its snippet verifies.
import { spawn } from "node:child_process";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { deliverDueWebhooksOnce } from "../../src/webhooks/delivery.ts";
import { useGateway } from "../support/app.ts";
import { useHttp } from "../support/http.ts";
import { readmeVerifier, startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver.ts";

/** The pages whose examples run, in the order a reader meets them. */
const PAGES = ["README.md", "docs/graphql.md", "docs/rest.md"];

interface Example {
  where: string;
  code: string;
  /** The error types (`__typename`) the example means to show. */
  refuses: string[];
  /** Text its output must contain (```sh tested shows="replayed":true). */
  shows: string | null;
}

function examplesOf(page: string): Example[] {
  const text = fs.readFileSync(new URL(`../../${page}`, import.meta.url), "utf8");
  const examples: Example[] = [];
  for (const match of text.matchAll(/^```sh tested([^\n]*)\n([\s\S]*?)^```$/gm)) {
    const line = text.slice(0, match.index).split("\n").length;
    const refuses = /refuses=([\w,]+)/.exec(match[1]!)?.[1]?.split(",") ?? [];
    const shows = /shows=(\S+)/.exec(match[1]!)?.[1] ?? null;
    examples.push({ where: `${page}:${line}`, code: match[2]!, refuses, shows });
  }
  return examples;
}

/** Every JSON value printed on its own line (curl -w '\n', echo "$ANSWER"). */
function answersIn(output: string): unknown[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as unknown);
}

/** Each `__typename` in an answer, at any depth. */
function typenames(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(typenames);
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, inner]) => (key === "__typename" && typeof inner === "string" ? [inner] : typenames(inner)));
}

function runBash(script: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", script], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

const gateway = useGateway();
const http = useHttp(gateway);
let receiver: WebhookReceiver;
const examples = PAGES.flatMap(examplesOf);
const outputs = new Map<string, string>();
const variables: Record<string, string> = {};

beforeAll(async () => {
  gateway.app = createApp({ db: gateway.db, ledger: gateway.ledger, webhookUrlPolicy: { allowPrivate: true } });
  receiver = await startWebhookReceiver();
  const token = await gateway.issue("demo", { test: true });
  // The README tells readers to have these; so does this test, rather than fail on a missing tool later.
  const tools = await runBash("command -v curl && command -v jq", { PATH: process.env.PATH });
  if (tools.status !== 0) throw new Error("the documentation's examples need curl and jq on the PATH (e.g. apt-get install curl jq)");

  const MARK = "::example::";
  const script = [
    "set -euo pipefail",
    ...examples.flatMap((example) => [`echo '${MARK}${example.where}'`, example.code]),
    `echo '${MARK}variables'`,
    'printf \'{"WALLET":"%s","HOLD":"%s","SECRET":"%s"}\\n\' "$WALLET" "$HOLD" "$SECRET"',
  ].join("\n");
  // Asynchronously: the gateway answering the examples runs in this process.
  const run = await runBash(script, { PATH: process.env.PATH, HOME: process.env.HOME, GATEWAY: http.baseUrl, TOKEN: token, HOOK_URL: receiver.url });
  if (run.status !== 0) throw new Error(`the examples stopped (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  for (const part of run.stdout.split(MARK).slice(1)) {
    const [where, ...lines] = part.split("\n");
    outputs.set(where!, lines.join("\n"));
  }
  Object.assign(variables, JSON.parse(outputs.get("variables")!));
}, 120_000);
afterAll(() => receiver?.close());

describe("the documentation's examples", () => {
  it("are found on every page that has them", () => {
    for (const page of PAGES) expect(examples.some((example) => example.where.startsWith(`${page}:`)), page).toBe(true);
  });

  it.each(examples.map((example) => [example.where, example] as const))("%s answers as it says", (where, example) => {
    const output = outputs.get(where)!;
    const answers = answersIn(output);
    expect(answers.length, `${where} printed no JSON answer:\n${output}`).toBeGreaterThan(0);
    for (const answer of answers) {
      const shown = JSON.stringify(answer);
      expect(answer, `${where}: ${shown}`).not.toHaveProperty("errors");
      expect(answer, `${where}: ${shown}`).not.toHaveProperty("error");
      expect(answer, `${where}: ${shown}`).not.toHaveProperty("status");
      const refusals = typenames(answer).filter((name) => name.endsWith("Error"));
      expect(refusals, `${where}: ${shown}`).toEqual(refusals.filter((name) => example.refuses.includes(name)));
    }
    for (const refusal of example.refuses) expect(output, where).toContain(`"__typename":"${refusal}"`);
    if (example.shows) expect(output, where).toContain(example.shows);
  });

  it("leave alice's wallet as they tell: 2000 and 500 granted, 300 and 300 debited, 350 captured", async () => {
    const token = await gateway.issue("demo", { test: true });
    const reply = await gateway.graphql(`query($w: ID!) { wallet(id: $w) { balance { total used frozen available } } }`, { w: variables.WALLET }, token);
    expect(reply.data.wallet.balance).toEqual({ total: "2500", used: "950", frozen: "0", available: "1550" });
  });

  it("deliver to the README's webhook, signed so that its snippet verifies each delivery with the secret it kept", async () => {
    expect(variables.SECRET).toMatch(/^whsec_/);
    expect(await deliverDueWebhooksOnce({ prisma: gateway.db.prisma, now: () => new Date(), allowPrivate: true, timeoutMs: 5_000, concurrency: 4 })).toBeGreaterThan(0);
    const verify = await readmeVerifier();
    expect(receiver.received.map((delivery) => delivery.event.type)).toContain("operation.completed");
    for (const delivery of receiver.received) {
      expect(verify(delivery.body, delivery.headers["billing-gateway-signature"] as string, variables.SECRET!)).toBe(true);
    }
  });
});

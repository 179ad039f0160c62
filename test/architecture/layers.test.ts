// The layers the README describes ("Layout"), held in place by `npm run lint`: dependency-cruiser
// with the rules in .dependency-cruiser.cjs, run here as the real command over every folder of
// src/. One way into the ledger (src/ledger/index.ts; src/ledger/extension.ts for payments only),
// the ledger below everything that calls it, adapters on top, rows from the ledger rather than the
// generated Prisma client, and no import circles. A planted tree shows that each rule bites.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DEPCRUISE = path.join(ROOT, "node_modules/.bin/depcruise");
const CONFIG = path.join(ROOT, ".dependency-cruiser.cjs");

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
  cycle?: { name: string }[];
}

interface Cruise {
  modules: { source: string }[];
  summary: { violations: Violation[]; totalCruised: number };
}

/** depcruise over `src` in `cwd`, as `npm run lint` runs it, answering its JSON report whatever the exit code. */
async function cruise(cwd: string): Promise<Cruise> {
  const run = promisify(execFile)(DEPCRUISE, ["--config", CONFIG, "--output-type", "json", "src"], { cwd, maxBuffer: 64 * 1024 * 1024 });
  const { stdout } = await run.catch((failure: { stdout?: string }) => ({ stdout: failure.stdout ?? "" }));
  return JSON.parse(stdout) as Cruise;
}

function described(violation: Violation): string {
  const through = violation.cycle ? ` (${violation.cycle.map((step) => step.name).join(" → ")})` : "";
  return `${violation.rule.name}: ${violation.from} → ${violation.to}${through}`;
}

/** Every TypeScript file under src/ that runs in Node (src/browser has its own build; generated code is Prisma's). */
function sourceFiles(folder: string): string[] {
  return fs.readdirSync(path.join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(folder, entry.name);
    if (entry.isDirectory()) return relative === "src/browser" || relative === "src/db/generated" ? [] : sourceFiles(relative);
    return entry.name.endsWith(".ts") ? [relative] : [];
  });
}

describe("the layers of src/", () => {
  const report = cruise(ROOT);

  it("hold: no module breaks a rule of .dependency-cruiser.cjs", async () => {
    expect((await report).summary.violations.map(described)).toEqual([]);
  });

  it("are checked in every folder: each source file is one the linter looked at", async () => {
    const cruised = new Set((await report).modules.map((module) => module.source));
    const files = sourceFiles("src");
    expect(files.length).toBeGreaterThan(150);
    expect(files.filter((file) => !cruised.has(file))).toEqual([]);
    for (const folder of [
      "auth",
      "cli",
      "db",
      "events",
      "graphql",
      "http",
      "jobs",
      "ledger",
      "lifecycle",
      "observability",
      "payments",
      "rest",
      "webhooks",
    ]) {
      expect(
        files.some((file) => file.startsWith(`src/${folder}/`)),
        folder,
      ).toBe(true);
    }
  }, 120_000);
});

describe("the linter", () => {
  const planted = fs.mkdtempSync(path.join(os.tmpdir(), "layers-"));
  afterAll(() => fs.rmSync(planted, { recursive: true, force: true }));

  const files: Record<string, string> = {
    "tsconfig.json": JSON.stringify({
      compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", allowImportingTsExtensions: true, noEmit: true },
    }),
    "src/ledger/index.ts": 'export { deposit } from "./commands/deposit.ts";\n',
    "src/ledger/extension.ts": 'export { runOnce } from "./idempotency.ts";\n',
    "src/ledger/commands/deposit.ts": "export function deposit(): void {}\n",
    "src/ledger/idempotency.ts": "export function runOnce(): void {}\n",
    // A side door, the extension used outside payments, and the extension used by payments (allowed).
    "src/rest/side-door.ts": 'import { deposit } from "../ledger/commands/deposit.ts";\nexport const handler = deposit;\n',
    "src/webhooks/extension-user.ts": 'import { runOnce } from "../ledger/extension.ts";\nexport const send = runOnce;\n',
    "src/payments/top-up.ts":
      'import { runOnce } from "../ledger/extension.ts";\nimport { deposit } from "../ledger/index.ts";\nexport const topUp = [runOnce, deposit];\n',
    // The ledger calling up, a circle of type-only imports inside it, a job in a vendor shim.
    "src/ledger/calls-up.ts": 'import { handler } from "../rest/side-door.ts";\nexport const up = handler;\n',
    "src/ledger/a.ts": 'import type { B } from "./b.ts";\nexport type A = { b?: B };\n',
    "src/ledger/b.ts": 'import type { A } from "./a.ts";\nexport type B = { a?: A };\n',
    "src/jobs/schedule.ts": 'import { handler } from "../rest/side-door.ts";\nexport const job = handler;\n',
    // An adapter taking rows from the generated client.
    "src/db/generated/client.ts": "export type Wallet = { id: string };\n",
    "src/graphql/types/wallet.ts": 'import type { Wallet } from "../../db/generated/client.ts";\nexport type Shown = Wallet;\n',
  };
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(planted, file)), { recursive: true });
    fs.writeFileSync(path.join(planted, file), text);
  }

  it("names each kind of break, and nothing that keeps the rules", async () => {
    const found = (await cruise(planted)).summary.violations.map(
      (violation) => `${violation.rule.name}: ${violation.from} → ${violation.to}`,
    );
    expect(found.sort()).toEqual(
      [
        "adapters-on-top: src/jobs/schedule.ts → src/rest/side-door.ts",
        "adapters-on-top: src/ledger/calls-up.ts → src/rest/side-door.ts",
        "adapters-read-rows-from-the-ledger: src/graphql/types/wallet.ts → src/db/generated/client.ts",
        "ledger-extension-for-payments-only: src/webhooks/extension-user.ts → src/ledger/extension.ts",
        "ledger-one-way-in: src/rest/side-door.ts → src/ledger/commands/deposit.ts",
        "ledger-stays-below: src/ledger/calls-up.ts → src/rest/side-door.ts",
        "no-circular: src/ledger/a.ts → src/ledger/b.ts",
      ].sort(),
    );
  }, 120_000);
});

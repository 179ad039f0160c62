// The gateway as an operator runs it: `src/server.ts` (or `npm start`) in a process of its own,
// its settings from the environment, its JSON log lines on stdout read as they come. For tests of
// start-up, shutdown and signals, which need the real process.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface SpawnedGateway {
  child: ChildProcess;
  /** Every JSON line written so far. */
  lines: LogLine[];
  /** Whatever was written that is not a JSON line (npm's own lines, a stack trace). */
  otherOutput: string[];
  /** Resolves with the first line that `matches` (rejects if the process exits first). */
  waitForLine(matches: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** The port, once it listens. */
  listening(): Promise<number>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `node --import tsx src/server.ts`, or with `npm: true` the `npm start` script (`npm run
 * dev` with `script: "dev"`), in its own process group (so a test can tell whether anything of it
 * is left). PORT defaults to 0, and SHUTDOWN_DRAIN_MS to 0: no load balancer to wait for, unless a
 * test sets it.
 */
export function spawnGateway(
  env: Record<string, string | undefined>,
  options: { npm?: boolean; script?: "start" | "dev" } = {},
): SpawnedGateway {
  const [command, args] = options.npm
    ? ["npm", ["run", options.script ?? "start", "--silent"]]
    : [process.execPath, ["--import", "tsx", "src/server.ts"]];
  const child = spawn(command, args as string[], {
    cwd: ROOT,
    env: { ...process.env, PORT: "0", NODE_ENV: "production", SHUTDOWN_DRAIN_MS: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const lines: LogLine[] = [];
  const otherOutput: string[] = [];
  const waiters = new Set<{ matches: (line: LogLine) => boolean; resolve: (line: LogLine) => void }>();
  const exited = once(child, "exit").then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on("line", (text) => {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        otherOutput.push(text);
        return;
      }
      lines.push(line);
      for (const waiter of waiters) if (waiter.matches(line)) waiter.resolve(line);
    });
  }
  const waitForLine = (matches: (line: LogLine) => boolean, timeoutMs = 60_000) => {
    const seen = lines.find(matches);
    if (seen) return Promise.resolve(seen);
    return new Promise<LogLine>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no such log line within ${timeoutMs} ms; saw:\n${describeOutput()}`)), timeoutMs);
      const waiter = { matches, resolve: (line: LogLine) => (clearTimeout(timer), waiters.delete(waiter), resolve(line)) };
      waiters.add(waiter);
      void exited.then(({ code }) => {
        // Lines may still be arriving: give them a moment.
        setTimeout(() => {
          if (!waiters.has(waiter)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          reject(new Error(`the gateway exited (${code}) first; it wrote:\n${describeOutput()}`));
        }, 200);
      });
    });
  };
  const describeOutput = () => [...lines.map((line) => JSON.stringify(line)), ...otherOutput].join("\n");
  return {
    child,
    lines,
    otherOutput,
    waitForLine,
    listening: () => waitForLine((line) => typeof line.port === "number" && /listening/.test(line.msg)).then((line) => line.port as number),
    exited,
  };
}

/**
 * The processes of group `pgid` still running (zombies, which have exited and wait only to be
 * reaped by init, are not counted), as `ps` lines.
 */
export function processesLeftIn(pgid: number): string[] {
  const listed = spawnSync("ps", ["-o", "pid=,stat=,args=", "-g", String(pgid)], { encoding: "utf8" }).stdout;
  return listed
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !/^\d+\s+Z/.test(line));
}

/** The demo token a first start on the embedded database prints. */
export function demoTokenIn(lines: LogLine[]): string | null {
  for (const line of lines) {
    const found = /Its test token \(shown only now\): (bg_test_[0-9a-f-]+)/.exec(line.msg);
    if (found) return found[1]!;
  }
  return null;
}

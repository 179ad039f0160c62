// CPU time spent by processes, read from /proc (Linux): what a load cost the gateway and what it
// cost the database, in cores kept busy, to tell which side bounds a figure. Elsewhere: null.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";

const ticksPerSecond = existsSync("/proc/self/stat") ? Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) : 0;

/** CPU seconds the processes have used so far, their reaped children included; null without /proc. */
export function cpuSeconds(pids: number[]): number | null {
  if (!ticksPerSecond) return null;
  let ticks = 0;
  for (const pid of pids) {
    try {
      // Fields after the command name, which is in parentheses and may hold spaces.
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      // utime, stime, cutime, cstime: fields 14 to 17 of stat(5), 12 to 15 after the name.
      ticks += [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
    } catch {
      // gone meanwhile: its time is in its parent's cutime
    }
  }
  return ticks / ticksPerSecond;
}

/** The PostgreSQL server's processes on this machine (postmaster and backends). */
export function postgresPids(): number[] {
  if (!ticksPerSecond) return [];
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "postgres";
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * Starts counting; the returned function gives the cores kept busy since, or null. Processes that
 * start meanwhile (a pool's first connections) count from zero; those that exit are counted in
 * their parent's reaped children, so list the parent too (the postmaster, for backends).
 */
export function cpuMeter(pids: () => number[]): () => number | null {
  const started = performance.now();
  const before = new Map(pids().map((pid) => [pid, cpuSeconds([pid])]));
  return () => {
    const now = pids();
    let used = 0;
    for (const pid of new Set([...before.keys(), ...now])) {
      // One that exited: all its time, before the window too, is now in its parent's; take back the part before.
      const [was, is] = [before.get(pid) ?? 0, now.includes(pid) ? cpuSeconds([pid]) : 0];
      if (was === null || is === null) return null;
      used += is - was;
    }
    return Math.round((used / ((performance.now() - started) / 1000)) * 100) / 100;
  };
}

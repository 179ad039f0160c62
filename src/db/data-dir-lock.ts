// PGlite serves one process per data directory: a second one would corrupt it. The gateway, the
// CLI and the migration tools therefore take a lock file there first and say who holds it. The
// holder serves the database on a socket beside it (pglite-socket.ts), which the CLI then uses.
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export class DataDirInUseError extends Error {
  constructor(
    message: string,
    /** The process holding the directory, when one does. */
    readonly holder: number | null = null,
  ) {
    super(message);
  }
}

const LOCK_FILE = "gateway.lock";
/** A lock file still empty after this long was left by a process that died while writing it. */
const UNFINISHED_LOCK_MS = 10_000;
/** Lock files this process holds: its own pid in one means "open here", not "left by a previous run". */
const heldHere = new Set<string>();

/**
 * Takes `<dataDir>/gateway.lock` (created exclusively, holding our pid) and returns its release.
 * A lock whose process is gone is taken over; one held by a live process is a DataDirInUseError.
 */
export async function lockDataDir(dataDir: string): Promise<() => void> {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(path.resolve(dataDir), LOCK_FILE);
  if (heldHere.has(lockPath)) throw inUse(dataDir, process.pid);
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (tryCreate(lockPath)) return holding(lockPath);
    const holder = readHolder(lockPath);
    if (holder === "gone") continue;
    if (holder === "being written") {
      await sleep(20);
      continue;
    }
    // Our own pid here is a lock left by an earlier process that had it (pid 1 in a container).
    if (holder !== process.pid && isAlive(holder)) throw inUse(dataDir, holder);
    if (!takeOverStaleLock(lockPath, holder)) await sleep(20);
  }
  throw new DataDirInUseError(`Could not lock the embedded database in ${dataDir}: ${lockPath} keeps changing hands.`);
}

function tryCreate(lockPath: string): boolean {
  try {
    fs.writeFileSync(lockPath, `${process.pid}\n`, { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

function readHolder(lockPath: string): number | "gone" | "being written" {
  let content: string;
  try {
    content = fs.readFileSync(lockPath, "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw error;
  }
  const pid = Number(content);
  if (Number.isInteger(pid) && pid > 0) return pid;
  // Another process has just created it and not yet written its pid, unless that was long ago.
  const stat = fs.statSync(lockPath, { throwIfNoEntry: false });
  if (!stat) return "gone";
  return Date.now() - stat.mtimeMs < UNFINISHED_LOCK_MS ? "being written" : 0;
}

/**
 * Removes a stale lock, unless another process is taking it over at the same moment: removal
 * and re-creation are two steps, so a second guard file lets one process at a time do them.
 */
function takeOverStaleLock(lockPath: string, staleHolder: number): boolean {
  const guard = `${lockPath}.takeover`;
  if (!tryCreate(guard)) {
    const guardAge = Date.now() - (fs.statSync(guard, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (guardAge > UNFINISHED_LOCK_MS) fs.rmSync(guard, { force: true });
    return false;
  }
  try {
    if (readHolder(lockPath) === staleHolder) fs.rmSync(lockPath, { force: true });
    return true;
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

function holding(lockPath: string): () => void {
  heldHere.add(lockPath);
  // Also on a plain process.exit(), so that the next start finds no lock at all.
  const release = () => {
    process.removeListener("exit", release);
    if (!heldHere.delete(lockPath)) return;
    if (readHolder(lockPath) === process.pid) fs.rmSync(lockPath, { force: true });
  };
  process.on("exit", release);
  return release;
}

function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function inUse(dataDir: string, pid: number): DataDirInUseError {
  const who = pid === process.pid ? "this very process (close the other Database first)" : "probably a running gateway";
  return new DataDirInUseError(
    `The embedded database in ${dataDir} is in use by process ${pid} (${who}). ` +
      "Stop that process, or set DATABASE_URL to use PostgreSQL, which any number of processes can share.",
    pid,
  );
}

// Vitest setupFile of the projects whose files share their worker's process (`isolate: false` in
// test/vitest.config.ts). A file can end with something of its own still repeating on a timer: a
// wallet's event reader whose stream was left open rechecks its log every few seconds, on a
// database the file has closed. In a process of its own that ended with the file; here it would
// go on writing errors into the next files' logs. So every repeating timer a file starts is
// cleared once the file is done, as its process's end would have.
import { afterAll } from "vitest";

interface TimerTracking {
  started: Set<NodeJS.Timeout>;
}

const key = Symbol.for("billing-gateway.test.timers-per-file");
const global = globalThis as typeof globalThis & { [key]?: TimerTracking };

// Installed once per worker; each file then starts with an empty set.
let tracking = global[key];
if (!tracking) {
  const installed: TimerTracking = { started: new Set() };
  const realSetInterval = globalThis.setInterval;
  const realClearInterval = globalThis.clearInterval;
  globalThis.setInterval = ((...args: Parameters<typeof setInterval>) => {
    const timer = realSetInterval(...args);
    installed.started.add(timer);
    return timer;
  }) as typeof setInterval;
  globalThis.clearInterval = ((timer: Parameters<typeof clearInterval>[0]) => {
    if (timer) installed.started.delete(timer as NodeJS.Timeout);
    realClearInterval(timer);
  }) as typeof clearInterval;
  tracking = global[key] = installed;
}
const fileTimers = tracking;
fileTimers.started.clear();

afterAll(() => {
  for (const timer of fileTimers.started) clearInterval(timer);
  fileTimers.started.clear();
});

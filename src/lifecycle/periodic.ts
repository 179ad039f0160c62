// Work done every so often in the background (the expiry and top-up sweep). A run never overlaps
// the previous one, a failure is logged and the next run happens as usual, and stopping waits for
// the run in progress: the database must not close under it.
import { rootLogger } from "../observability/logger.ts";

export interface Periodic {
  stop(): Promise<void>;
}

export function every(name: string, intervalMs: number, run: () => Promise<void>): Periodic {
  let current: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (current) return;
    current = run()
      .catch((error: unknown) => rootLogger.error({ err: error, task: name }, `${name} failed`))
      .finally(() => (current = null));
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}

// What a stopping gateway undoes, in order. Each part of start-up that starts something (the
// database, the HTTP server, a sweep, a job runner) registers right after it how to stop it;
// stopping runs those steps last-registered first, so the HTTP server drains before the sweeps
// stop and the database closes after everything that uses it.
//
// One stop at a time: a second signal (a terminal sends SIGINT to npm and to the gateway, and npm
// forwards its own) does not start another. A step that fails is logged and the rest still run.
//
// The HTTP server's step begins with the drain delay (`drainDelay`): the time load balancers take
// to stop sending once /readyz fails. A stop asked for without it (SIGINT: a person at a terminal,
// with no load balancer in front) skips it, or cuts it short if it has begun.
import { setTimeout as sleep } from "node:timers/promises";
import { rootLogger } from "../observability/logger.ts";

export interface ShutdownStep {
  /** For the log: "HTTP server", "expiry sweep", … */
  name: string;
  stop(): Promise<void> | void;
}

export class Shutdown {
  private readonly steps: ShutdownStep[] = [];
  private stopping: Promise<boolean> | null = null;
  private readonly controller = new AbortController();
  private readonly noDrainDelay = new AbortController();

  /** Aborted once stopping has begun: start-up steps still running (a connection retry) give up. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get started(): boolean {
    return this.stopping !== null;
  }

  add(name: string, stop: ShutdownStep["stop"]): void {
    this.steps.push({ name, stop });
  }

  /**
   * Runs every step once, whatever the number of calls; true when every step succeeded. With
   * `drainDelay: false` the drain delay is skipped, or ends now if it is being waited out.
   */
  run(reason: string, options: { drainDelay?: boolean } = {}): Promise<boolean> {
    if (options.drainDelay === false) this.noDrainDelay.abort();
    this.stopping ??= this.stopAll(reason);
    return this.stopping;
  }

  /** Waits `ms` (while /readyz fails and everything else is still served), unless the stop skips the delay. */
  async drainDelay(ms: number): Promise<void> {
    if (ms === 0 || this.noDrainDelay.signal.aborted) return;
    rootLogger.info({ drainMs: ms }, "not ready: serving on while load balancers stop sending");
    await sleep(ms, undefined, { signal: this.noDrainDelay.signal }).catch(() => {});
  }

  private async stopAll(reason: string): Promise<boolean> {
    rootLogger.info({ reason }, "shutting down");
    this.controller.abort();
    let clean = true;
    // Steps added while stopping (a start-up step that finished meanwhile) are stopped too.
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await step.stop();
        rootLogger.debug({ step: step.name }, "stopped");
      } catch (error) {
        clean = false;
        rootLogger.error({ err: error, step: step.name }, `could not stop the ${step.name} cleanly`);
      }
    }
    return clean;
  }
}

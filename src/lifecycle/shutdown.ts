// What a stopping gateway undoes, in order. Each part of start-up that starts something (the
// database, the HTTP server, a sweep, a job runner) registers right after it how to stop it;
// stopping runs those steps last-registered first, so the HTTP server drains before the sweeps
// stop and the database closes after everything that uses it.
//
// One stop at a time: a second signal (a terminal sends SIGINT to npm and to the gateway, and npm
// forwards its own) does not start another. A step that fails is logged and the rest still run.
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

  /** Runs every step once, whatever the number of calls; true when every step succeeded. */
  run(reason: string): Promise<boolean> {
    this.stopping ??= this.stopAll(reason);
    return this.stopping;
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

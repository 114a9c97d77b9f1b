/**
 * Undo steps of a start sequence, run last-in first-out: on a failed start it tears down what was
 * already up (no half-started cloud holding ports or the data folder), and the same list is the
 * orderly shutdown. A failing step is logged and the others still run.
 *
 * @example
 * const cleanups = new CleanupStack(log);
 * const server = await start(); cleanups.push(() => server.close());
 * ...; await cleanups.run();
 */
export class CleanupStack {
  private steps: Array<() => Promise<unknown>> = [];
  private running: Promise<void> | undefined;

  constructor(private readonly log: (message: string) => void = () => undefined) {}

  push(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }

  /** Runs every step once, newest first; later calls wait for the same run. */
  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.splice(0).reverse()) {
        await step().catch((error: unknown) => this.log(`shutdown step failed: ${(error as Error).message}`));
      }
    })();
    return this.running;
  }
}

/**
 * What "idle" means for a simulated device (docs/scenarios.md `settle`: "every such device is idle"): no
 * work of its own running (an HTTP exchange, a command being applied, an enrollment) and nothing
 * it has decided to do next. Work is counted with `run()`; `want()` marks work that will start as
 * soon as the device can (a poll requested while another is running). Listeners hear `idle` each
 * time the count returns to zero.
 */
export class Activity {
  #running = 0;
  #wanted = 0;
  readonly #idleListeners = new Set<() => void>();

  isIdle(): boolean {
    return this.#running === 0 && this.#wanted === 0;
  }

  /** Counts `work` as activity until it settles. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    this.#running++;
    try {
      return await work();
    } finally {
      this.#running--;
      this.#notify();
    }
  }

  /** Marks one piece of work as due; call the returned function when it starts or is dropped. */
  want(): () => void {
    this.#wanted++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#wanted--;
      this.#notify();
    };
  }

  onIdle(listener: () => void): () => void {
    this.#idleListeners.add(listener);
    return () => this.#idleListeners.delete(listener);
  }

  /** Resolves when idle (at once if idle now); rejects after `timeoutMs`. */
  whenIdle(timeoutMs: number, what = 'device'): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`${what} not idle after ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onIdle(() => {
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  #notify(): void {
    if (!this.isIdle()) return;
    for (const listener of [...this.#idleListeners]) listener();
  }
}

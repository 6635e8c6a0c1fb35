/**
 * One-at-a-time section for an event-driven device: a command being applied, a user action on
 * the mail store and an enrollment never interleave, as on a real device where profiled applies
 * one change at a time. Not reentrant: a holder must not ask again.
 */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  lock<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(work, work);
    this.#tail = run.catch(() => undefined);
    return run;
  }
}

/**
 * Many delayed tasks on one timer: the simulated users' reactions (remove a blocking account after a
 * few seconds, install the work app) of thousands of devices would otherwise each hold a Node
 * timer. Tasks sit in a binary heap by due time; one setTimeout is armed for the earliest
 * (hawkBit's device simulator and Azure's device simulation drive all devices from a central
 * scheduler for the same reason).
 */
export class TimerPool {
  readonly #heap: { at: number; seq: number; run: () => void }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #armedFor = Infinity;
  #seq = 0;
  #closed = false;

  constructor(private readonly now: () => number = Date.now) {}

  /** Runs `task` after `delayMs` (a task that throws is its own business: wrap it). */
  after(delayMs: number, task: () => void): void {
    if (this.#closed) return;
    this.#push({ at: this.now() + Math.max(0, delayMs), seq: this.#seq++, run: task });
    this.#arm();
  }

  get size(): number {
    return this.#heap.length;
  }

  /** Drops every task; later `after` calls are ignored. */
  close(): void {
    this.#closed = true;
    this.#heap.length = 0;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    const first = this.#heap[0];
    if (!first || first.at >= this.#armedFor) return;
    clearTimeout(this.#timer);
    this.#armedFor = first.at;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, first.at - this.now()));
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    const now = this.now();
    while (this.#heap.length > 0 && this.#heap[0]!.at <= now) this.#pop().run();
    this.#arm();
  }

  #push(item: { at: number; seq: number; run: () => void }): void {
    const h = this.#heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  #pop(): { at: number; seq: number; run: () => void } {
    const h = this.#heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

const before = (a: { at: number; seq: number }, b: { at: number; seq: number }) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

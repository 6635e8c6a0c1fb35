import type { Worker } from 'node:worker_threads';
import type { SimulatedDevice } from '../device.js';
import { startThread } from '../runtime/thread-entry.js';
import type { DeviceFactoryInput } from './device-factory.js';
import { DeviceRunner, type CreateDevice, type ShareOptions } from './device-runner.js';
import { fleetDeviceFactory } from './device-factory.js';
import type { ShareFinal, ShareProgress } from './share-stats.js';

/**
 * The main thread's handle on one share of the fleet: in a worker thread (the default, one per
 * core: docs/fleet.md, "How it runs", `--workers`; `--shard` spreads a fleet over hosts) or on the
 * main thread itself (`--workers 0`, and benchmarks that reach into the devices).
 */
export interface ShareHandle {
  /** The latest live counters (undefined until the share first reported). */
  progress(): ShareProgress | undefined;
  /** Called once if the share's enrollments are refused again and again, or if the share broke. */
  onTrouble(listener: (message: string, kind: 'refusing' | 'failed') => void): void;
  /** Stops the share: its figures as they are now, then its devices let go (or are cut off after `graceMs`). */
  stop(graceMs: number): Promise<ShareFinal | undefined>;
}

export interface WorkerInput {
  share: ShareOptions;
  factory: DeviceFactoryInput;
  progressMs: number;
}

export type WorkerMessage =
  | { type: 'progress'; progress: ShareProgress }
  | { type: 'refusing'; message: string }
  | { type: 'failed'; message: string }
  | { type: 'final'; final: ShareFinal }
  | { type: 'stopped' };

export class WorkerShare implements ShareHandle {
  readonly #worker: Worker;
  #progress: ShareProgress | undefined;
  #final: ShareFinal | undefined;
  #exited = false;
  #trouble: ((message: string, kind: 'refusing' | 'failed') => void) | undefined;
  readonly #waiters: (() => void)[] = [];

  constructor(input: WorkerInput) {
    this.#worker = startThread(import.meta.url, 'fleet-worker', { workerData: input });
    this.#worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') this.#progress = m.progress;
      else if (m.type === 'final') this.#final = m.final;
      else if (m.type === 'refusing' || m.type === 'failed') this.#trouble?.(m.message, m.type);
      this.#wake();
    });
    this.#worker.on('error', (err) => this.#trouble?.(`a fleet worker thread failed: ${err.message}`, 'failed'));
    this.#worker.on('exit', () => {
      this.#exited = true;
      this.#wake();
    });
  }

  progress(): ShareProgress | undefined {
    return this.#progress;
  }

  onTrouble(listener: (message: string, kind: 'refusing' | 'failed') => void): void {
    this.#trouble = listener;
  }

  async stop(graceMs: number): Promise<ShareFinal | undefined> {
    if (!this.#exited) this.#worker.postMessage({ type: 'stop' });
    await this.#until(() => this.#final !== undefined || this.#exited, graceMs);
    const final = this.#final;
    await this.#until(() => this.#exited, graceMs);
    if (!this.#exited) await this.#worker.terminate();
    return final;
  }

  #until(done: () => boolean, ms: number): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      let over = false;
      const finish = () => {
        over = true;
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      const check = () => {
        if (over) return;
        if (done()) finish();
        else this.#waiters.push(check);
      };
      this.#waiters.push(check);
    });
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}

export class InThreadShare implements ShareHandle {
  readonly #runner: DeviceRunner;
  readonly started: Promise<void>;

  constructor(share: ShareOptions, create: CreateDevice | DeviceFactoryInput) {
    this.#runner = new DeviceRunner(share, typeof create === 'function' ? create : fleetDeviceFactory(create));
    this.started = this.#runner.start();
  }

  /** The share's devices (in-thread only: benchmarks reach into them). */
  get devices(): SimulatedDevice[] {
    return this.#runner.devices;
  }

  progress(): ShareProgress {
    return this.#runner.progress();
  }

  onTrouble(listener: (message: string, kind: 'refusing' | 'failed') => void): void {
    this.#runner.onRefusing((m) => listener(m, 'refusing'));
    this.started.catch((err: unknown) => listener(err instanceof Error ? err.message : String(err), 'failed'));
  }

  async stop(): Promise<ShareFinal> {
    const final = this.#runner.final();
    await this.#runner.stopDevices();
    return final;
  }
}

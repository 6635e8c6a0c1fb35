import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SeededRandom } from '../random/seeded-random.js';
import type { KeyPoolWorkerInput, KeyPoolWorkerMessage } from './key-pool-worker.js';

/**
 * A pool of RSA private keys on disk for simulated devices. RSA-2048 generation costs ~200 ms of
 * CPU (~5/s per core, measured on the project's 2-core machine), so 10,000 fresh device identities would take a quarter
 * of an hour; keys in a lab are not secrets, so devices draw them from a folder that outlives the
 * process and is filled by worker threads (one per core) only when it runs short.
 *
 * - Folder: `$MDMLAB_KEY_CACHE`, else `~/.cache/mdmlab/keys`; one PKCS#8 PEM file per key, 0600,
 *   named `rsa<bits>-<sha256 of the public key, 32 hex>.pem`.
 * - A pool object hands out each key once (`take`); another process using the same folder may
 *   hand out the same key (harmless in a lab: certificates, not keys, identify devices).
 * - Seeded: the keys on disk are sorted by name and shuffled with the seed, so the same seed and
 *   the same folder give the same keys in the same order. Keys generated because the folder ran
 *   short are appended (sorted by name, then shuffled with the seed).
 */

export interface KeyPoolOptions {
  dir?: string;
  /** Makes the order of `take` repeatable for a given folder content. */
  seed?: string | number;
  /** Worker threads used to fill (default: one per core). */
  workers?: number;
  /** RSA modulus length (default 2048). */
  bits?: number;
  /** When short, generate at least this many keys at once (default 2 per worker). */
  minFill?: number;
  /**
   * Hand out only every `of`-th key of the folder's (seeded) order, starting at `index` (0-based):
   * pools of several threads or processes over one folder then never hand out the same key twice
   * (a fleet's worker threads). Keys a pool generates when short are its own.
   */
  slice?: { index: number; of: number };
}

export interface PooledKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PKCS#8 PEM, as stored (a device persists it with its state). */
  pem: string;
  file: string;
}

export class KeyPoolError extends Error {
  readonly code: 'fillFailed';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeyPoolError';
    this.code = 'fillFailed';
  }
}

/** `$MDMLAB_KEY_CACHE`, else `~/.cache/mdmlab/keys`. */
export function defaultKeyCacheDir(): string {
  const fromEnv = process.env.MDMLAB_KEY_CACHE;
  return fromEnv ? resolve(fromEnv) : join(homedir(), '.cache', 'mdmlab', 'keys');
}

export class KeyPool {
  readonly dir: string;
  readonly bits: number;
  readonly #random: SeededRandom;
  readonly #workers: number;
  readonly #minFill: number;
  readonly #slice: { index: number; of: number } | undefined;
  #order: string[] | undefined;
  #cursor = 0;
  #lock: Promise<unknown> = Promise.resolve();
  #generated = 0;

  constructor(options: KeyPoolOptions = {}) {
    this.dir = resolve(options.dir ?? defaultKeyCacheDir());
    this.bits = options.bits ?? 2048;
    this.#random = new SeededRandom(options.seed);
    this.#workers = Math.max(1, options.workers ?? availableParallelism());
    this.#minFill = options.minFill ?? 2 * this.#workers;
    this.#slice = options.slice;
  }

  /** Keys in the folder now (of this pool's size). */
  size(): number {
    return this.#listFiles().length;
  }

  /** Keys this object has generated since it was created. */
  get generated(): number {
    return this.#generated;
  }

  /** Keys this object can still hand out without generating (undefined before the first take). */
  remaining(): number | undefined {
    return this.#order === undefined ? undefined : this.#order.length - this.#cursor;
  }

  /** Make sure the folder holds at least `n` keys (fleet runners fill ahead of a big run). */
  async ensure(n: number): Promise<void> {
    await this.#exclusive(async () => {
      const short = n - this.size();
      if (short > 0) this.#append(await this.#fill(short));
    });
  }

  /** `n` keys this pool has not handed out before, in seeded order, generating what is missing. */
  take(n: number): Promise<PooledKey[]> {
    return this.#exclusive(async () => {
      this.#order ??= this.#sliced(this.#random.shuffle(this.#listFiles()));
      const out: PooledKey[] = [];
      while (out.length < n) {
        const available = this.#order.length - this.#cursor;
        if (available === 0) this.#append(await this.#fill(Math.max(n - out.length, this.#minFill)));
        const file = this.#order[this.#cursor++]!;
        const key = this.#read(file);
        if (key) out.push(key);
      }
      return out;
    });
  }

  /** One key (a device's identity, a profile's SCEP payload). */
  async takeOne(): Promise<PooledKey> {
    return (await this.take(1))[0]!;
  }

  /** Generate `n` new keys into the folder with worker threads; returns their file names. */
  fill(n: number): Promise<string[]> {
    return this.#exclusive(() => this.#fill(n));
  }

  #exclusive<T>(f: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(f, f);
    this.#lock = run.catch(() => undefined);
    return run;
  }

  #sliced(files: string[]): string[] {
    const slice = this.#slice;
    return slice ? files.filter((_, i) => i % slice.of === slice.index) : files;
  }

  #append(files: string[]): void {
    if (this.#order) this.#order.push(...this.#random.shuffle([...files].sort()));
  }

  #listFiles(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    const prefix = `rsa${this.bits}-`;
    return names.filter((f) => f.startsWith(prefix) && f.endsWith('.pem')).sort();
  }

  #read(file: string): PooledKey | undefined {
    try {
      const pem = readFileSync(join(this.dir, file), 'utf8');
      const privateKey = createPrivateKey(pem);
      return { privateKey, publicKey: createPublicKey(privateKey), pem, file };
    } catch {
      return undefined; // unreadable or truncated by someone else: skip it
    }
  }

  async #fill(n: number): Promise<string[]> {
    if (n <= 0) return [];
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    const workers = Math.min(this.#workers, n);
    const shares = Array.from({ length: workers }, (_, i) => Math.floor(n / workers) + (i < n % workers ? 1 : 0));
    const results = await Promise.all(shares.map((count) => runWorker({ dir: this.dir, count, bits: this.bits })));
    const files = results.flat();
    this.#generated += files.length;
    return files;
  }
}

/**
 * How to start the worker from wherever this module runs. Compiled (dist/…/key-pool.js): the
 * sibling key-pool-worker.js. From TypeScript sources (tsx, vitest): Node 20 workers do not get
 * the `--import tsx` hooks of the parent (measured on 20.20: "Unknown file extension .ts"), so a
 * tiny evaluated bootstrap registers tsx in the worker and then imports the .ts worker.
 */
function workerEntry(): { entry: string | URL; eval: boolean } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { entry: new URL('./key-pool-worker.js', here), eval: false };
  const worker = new URL('./key-pool-worker.ts', here).href;
  const tsxApi = tsxEsmApiUrl(here);
  return {
    entry: `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(worker)}); })`,
    eval: true,
  };
}

/** tsx's ESM `register()` entry, found through its package.json (the CommonJS build cannot register from a worker). */
function tsxEsmApiUrl(from: string): string {
  const pkgPath = createRequire(from).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports?: Record<string, { import?: string | { default?: string } }> };
  const entry = pkg.exports?.['./esm/api']?.import;
  const file = typeof entry === 'string' ? entry : entry?.default;
  if (!file) throw new KeyPoolError('tsx has no ./esm/api export: cannot start the key worker from TypeScript sources');
  return pathToFileURL(join(dirname(pkgPath), file)).href;
}

function runWorker(input: KeyPoolWorkerInput): Promise<string[]> {
  const { entry, eval: isEval } = workerEntry();
  return new Promise((resolveFiles, reject) => {
    const files: string[] = [];
    const worker = new Worker(entry, { eval: isEval, workerData: input });
    worker.on('message', (m: KeyPoolWorkerMessage) => files.push(m.file));
    worker.on('error', (err) => reject(new KeyPoolError(`key generation worker failed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => {
      if (files.length === input.count) resolveFiles(files);
      else reject(new KeyPoolError(`key generation worker exited (code ${code}) after ${files.length} of ${input.count} keys`));
    });
  });
}

let shared: KeyPool | undefined;

/** The process-wide pool over the default folder (unseeded). */
export function sharedKeyPool(): KeyPool {
  return (shared ??= new KeyPool());
}

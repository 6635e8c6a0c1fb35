import { createHash, randomBytes } from 'node:crypto';

/**
 * A small seeded pseudo-random generator (sfc32, Chris Doty-Humphrey's "small fast counting"
 * generator) so that a scenario with a `seed` gets the same UDIDs, serial numbers, PushMagic
 * strings, key choices and timing jitter on every run (docs/scenarios.md, `seed`: "every generated
 * id, hardware id, key choice and timing repeats"). Not for secrets: it is predictable by design.
 *
 * The seed may be any string or number; it is hashed (SHA-256) into the 128-bit state, so
 * `fork(label)` gives an independent, equally repeatable stream (one per device of a fleet).
 */
export class SeededRandom {
  readonly seed: string;
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: string | number = randomBytes(16).toString('hex')) {
    this.seed = String(seed);
    const h = createHash('sha256').update(this.seed).digest();
    this.#a = h.readUInt32LE(0);
    this.#b = h.readUInt32LE(4);
    this.#c = h.readUInt32LE(8);
    this.#d = h.readUInt32LE(12);
    // Mix the state a little so similar seeds diverge at once (the sfc32 reference does 12 rounds).
    for (let i = 0; i < 12; i++) this.#next32();
  }

  /** An independent stream derived from this one's seed and `label` (not from its current position). */
  fork(label: string | number): SeededRandom {
    return new SeededRandom(`${this.seed}/${label}`);
  }

  #next32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.#next32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`int(n) needs a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.#next32();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
    }
    return out;
  }

  /** `n` upper-case hex digits. */
  hex(n: number): string {
    return this.bytes(Math.ceil(n / 2)).toString('hex').slice(0, n).toUpperCase();
  }

  /** `n` characters drawn from `alphabet`. */
  chars(n: number, alphabet: string): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }

  /** An upper-case RFC 9562 version 4 UUID made of this stream's bits. */
  uuid(): string {
    const b = this.bytes(16);
    b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
    b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
    const x = b.toString('hex').toUpperCase();
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() from an empty list');
    return items[this.int(items.length)]!;
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** `base` spread uniformly over ±`fraction` of itself (timer jitter). */
  jitter(base: number, fraction: number): number {
    return base * (1 - fraction + 2 * fraction * this.next());
  }
}

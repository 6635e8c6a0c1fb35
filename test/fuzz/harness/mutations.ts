import fc from 'fast-check';

/**
 * Byte-level mutation of a valid input, the way a mutation fuzzer works: start from something the
 * server takes, then flip, overwrite, insert, delete, truncate, repeat or splice in a token from
 * the protocol's own vocabulary (so the result often still gets past the first checks and reaches
 * the parser's deeper paths). Positions are fractions of the current length, so one description
 * applies to any base.
 */
type ByteOp =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Buffer }
  | { kind: 'delete'; at: number; to: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'repeat'; at: number; to: number; times: number }
  | { kind: 'token'; at: number; token: Buffer; replace: number };

const fraction = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

function byteOp(dictionary: readonly Buffer[]): fc.Arbitrary<ByteOp> {
  const ops: fc.Arbitrary<ByteOp>[] = [
    fc.record({ kind: fc.constant('flip' as const), at: fraction, bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('set' as const), at: fraction, value: fc.constantFrom(0x00, 0x0a, 0x0d, 0x20, 0x22, 0x26, 0x3c, 0x3e, 0x7f, 0x80, 0xc0, 0xef, 0xfe, 0xff).chain((v) => fc.constantFrom(v, v ^ 1)) }),
    fc.record({ kind: fc.constant('insert' as const), at: fraction, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }).map((b) => Buffer.from(b)) }),
    fc.record({ kind: fc.constant('delete' as const), at: fraction, to: fraction }),
    fc.record({ kind: fc.constant('truncate' as const), at: fraction }),
    fc.record({ kind: fc.constant('repeat' as const), at: fraction, to: fraction, times: fc.integer({ min: 2, max: 50 }) }),
  ];
  if (dictionary.length > 0) {
    ops.push(fc.record({ kind: fc.constant('token' as const), at: fraction, token: fc.constantFrom(...dictionary), replace: fc.integer({ min: 0, max: 8 }) }));
  }
  return fc.oneof(...ops);
}

function apply(base: Buffer, ops: readonly ByteOp[]): Buffer {
  let b = Buffer.from(base);
  const pos = (f: number, extra = 0) => Math.floor(f * (b.length + extra));
  for (const op of ops) {
    if (b.length === 0 && op.kind !== 'insert' && op.kind !== 'token') continue;
    switch (op.kind) {
      case 'flip': {
        const i = pos(op.at);
        b[i] = b[i]! ^ (1 << op.bit);
        break;
      }
      case 'set':
        b[pos(op.at)] = op.value;
        break;
      case 'insert': {
        const i = pos(op.at, 1);
        b = Buffer.concat([b.subarray(0, i), op.bytes, b.subarray(i)]);
        break;
      }
      case 'delete': {
        const [from, to] = [pos(op.at), pos(op.to)].sort((x, y) => x - y) as [number, number];
        b = Buffer.concat([b.subarray(0, from), b.subarray(Math.min(to, from + 4096))]);
        break;
      }
      case 'truncate':
        b = b.subarray(0, pos(op.at));
        break;
      case 'repeat': {
        const [from, to0] = [pos(op.at), pos(op.to)].sort((x, y) => x - y) as [number, number];
        const to = Math.min(to0 + 1, from + 256);
        const piece = b.subarray(from, to);
        b = Buffer.concat([b.subarray(0, to), ...Array.from({ length: op.times - 1 }, () => piece), b.subarray(to)]);
        break;
      }
      case 'token': {
        const i = pos(op.at, 1);
        b = Buffer.concat([b.subarray(0, i), op.token, b.subarray(Math.min(b.length, i + op.replace))]);
        break;
      }
    }
  }
  return b;
}

/**
 * One to four byte-level mutations, to apply (`applyMutations`) to a base known only when the input
 * is sent: a message built from the session's state at that time (its nonce, its MsgID).
 */
export type ByteMutations = readonly ByteOp[];
export function byteMutations(dictionary: readonly (string | Buffer)[] = []): fc.Arbitrary<ByteMutations> {
  const dict = dictionary.map((d) => (Buffer.isBuffer(d) ? d : Buffer.from(d, 'utf8')));
  return fc.array(byteOp(dict), { minLength: 1, maxLength: 4 });
}
export const applyMutations = (base: Buffer, mutations: ByteMutations): Buffer => apply(base, mutations);

/** `base` with one to four byte-level mutations. */
export function mutatedBytes(base: Buffer, dictionary: readonly (string | Buffer)[] = []): fc.Arbitrary<Buffer> {
  return byteMutations(dictionary).map((ops) => apply(base, ops));
}

/** One of the bases, mutated. */
export function mutatedFrom(bases: readonly Buffer[], dictionary: readonly (string | Buffer)[] = []): fc.Arbitrary<Buffer> {
  return fc.oneof(...bases.map((b) => mutatedBytes(b, dictionary)));
}

/** Text a hostile client likes: controls, NUL, lone surrogates, non-characters, bidi overrides, long runs. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\uFFFE', '\uFFFF', '\uD800', '\uDFFF', '\u202E', '\r\n', '../../etc/passwd', '%00', '%ZZ', '${x}', '{{upn}}', '<x/>', ']]>', '&amp;', '"\'`', 'null', 'true', '-1', '1e400', 'NaN'),
  fc.tuple(fc.constantFrom('a', '\u00e9', '\u{1F600}', '%', '<'), fc.integer({ min: 100, max: 70_000 })).map(([c, n]) => c.repeat(n)),
);

/** Percent-encoding of any string's UTF-8 bytes (encodeURIComponent throws on a lone surrogate). */
export function percentEncoded(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/** `length` lower-case hex digits (fast-check 4 has no hexaString). */
export const hexString = (length: number): fc.Arbitrary<string> => fc.uint8Array({ minLength: Math.ceil(length / 2), maxLength: Math.ceil(length / 2) }).map((b) => Buffer.from(b).toString('hex').slice(0, length));

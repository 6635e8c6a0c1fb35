import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { hexString } from './mutations.js';

/**
 * WebSocket frames at the byte level (RFC 6455 §5.2), to send what no client library sends:
 * reserved bits and opcodes, unmasked client frames, control frames too long or fragmented,
 * lengths that lie, continuation frames out of place, invalid UTF-8 and close codes.
 */
export interface FrameSpec {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Buffer;
  /** A length field that is not the payload's (a lie, or 2^63-1). */
  declaredLength?: bigint;
}

export function frameBytes(f: FrameSpec): Buffer {
  const len = f.declaredLength ?? BigInt(f.payload.length);
  const head: number[] = [(f.fin ? 0x80 : 0) | ((f.rsv & 7) << 4) | (f.opcode & 0x0f)];
  const mask = f.masked ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (len < 126n) head.push(mask | Number(len));
  else if (len < 65536n) {
    head.push(mask | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(Number(len));
  } else {
    head.push(mask | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(len);
  }
  if (!f.masked) return Buffer.concat([Buffer.from(head), ext, f.payload]);
  const key = randomBytes(4);
  const body = Buffer.from(f.payload.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([Buffer.from(head), ext, key, body]);
}

/** A close frame's payload (RFC 6455 §5.5.1): a code and a reason. */
export function closePayload(code: number, reason: Buffer | string = ''): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code & 0xffff);
  return Buffer.concat([b, Buffer.isBuffer(reason) ? reason : Buffer.from(reason)]);
}

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

/** The server's frames (unmasked, RFC 6455 §5.1), as far as they are complete. */
export function parseServerFrames(raw: Buffer): { frames: ServerFrame[]; problems: string[] } {
  const frames: ServerFrame[] = [];
  const problems: string[] = [];
  let at = 0;
  while (at + 2 <= raw.length) {
    const b0 = raw[at]!;
    const b1 = raw[at + 1]!;
    if (b1 & 0x80) problems.push('a masked frame from the server');
    let len = b1 & 0x7f;
    let head = 2;
    if (len === 126) {
      if (at + 4 > raw.length) break;
      len = raw.readUInt16BE(at + 2);
      head = 4;
    } else if (len === 127) {
      if (at + 10 > raw.length) break;
      len = Number(raw.readBigUInt64BE(at + 2));
      head = 10;
    }
    if (at + head + len > raw.length) break;
    frames.push({ opcode: b0 & 0x0f, payload: raw.subarray(at + head, at + head + len) });
    at += head + len;
  }
  return { frames, problems };
}

const jsonText = (v: unknown) => Buffer.from(JSON.stringify(v));

/** What a client may send after the handshake: mostly a `connect`, then anything RFC 6455 allows or forbids. */
export function clientFrames(tokens: { issued: readonly string[] }): fc.Arbitrary<FrameSpec[]> {
  const text = (payload: fc.Arbitrary<Buffer>) => payload.map((p): FrameSpec => ({ fin: true, rsv: 0, opcode: 1, masked: true, payload: p }));
  const token = fc.oneof(
    fc.constantFrom(...tokens.issued),
    fc.constantFrom(...tokens.issued).map((t) => `${t.slice(0, -1)}${t.endsWith('0') ? '1' : '0'}`),
    fc.constantFrom('0'.repeat(64), 'F'.repeat(64), 'g'.repeat(64), '', 'x'.repeat(5000)),
    hexString(64),
  );
  const connect = text(
    fc.oneof(
      fc.constant(jsonText({ type: 'connect' })),
      token.map((t) => jsonText({ type: 'connect', token: t })),
      fc.constantFrom<unknown>({ type: 'connect', token: 7 }, { type: 'connect', token: null }, { type: 'Connect' }, { type: 'notification', topic: 'x', payload: {} }, { type: 'token', token: 'x' }, [], 'connect', null).map(jsonText),
      fc.constantFrom('{"type":"connect","__proto__":{"token":"x"}}', '{"type":"connect","type":"other"}', '{"type":"connect"}{"type":"connect"}', ' {"type":"connect"} ').map((t) => Buffer.from(t)),
    ),
  );
  const junk: fc.Arbitrary<FrameSpec> = fc.oneof(
    text(fc.oneof(fc.string({ maxLength: 100 }).map((s) => Buffer.from(s)), fc.constantFrom(Buffer.from([0xc3, 0x28]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('{"type":"connect"'), Buffer.alloc(0)))),
    fc.uint8Array({ maxLength: 200 }).map((p): FrameSpec => ({ fin: true, rsv: 0, opcode: 2, masked: true, payload: Buffer.from(p) })),
    fc.record({ opcode: fc.constantFrom(9, 10), size: fc.constantFrom(0, 10, 125, 126, 300) }).map(({ opcode, size }): FrameSpec => ({ fin: true, rsv: 0, opcode, masked: true, payload: Buffer.alloc(size, 0x61) })),
    fc.record({ code: fc.constantFrom(1000, 1001, 1005, 1006, 1015, 999, 0, 2999, 3000, 4999, 5000, 65535), reason: fc.constantFrom(Buffer.alloc(0), Buffer.from('bye'), Buffer.from([0xff, 0xfe]), Buffer.alloc(200, 0x61)) }).map(({ code, reason }): FrameSpec => ({ fin: true, rsv: 0, opcode: 8, masked: true, payload: closePayload(code, reason) })),
    fc.constantFrom<FrameSpec>({ fin: true, rsv: 0, opcode: 8, masked: true, payload: Buffer.from([3]) }, { fin: true, rsv: 0, opcode: 0, masked: true, payload: Buffer.from('orphan continuation') }, { fin: false, rsv: 0, opcode: 1, masked: true, payload: Buffer.from('{"type":') }, { fin: false, rsv: 0, opcode: 9, masked: true, payload: Buffer.from('fragmented ping') }),
    fc.record({ rsv: fc.integer({ min: 1, max: 7 }), opcode: fc.constantFrom(1, 2, 3, 7, 11, 15) }).map(({ rsv, opcode }): FrameSpec => ({ fin: true, rsv, opcode, masked: true, payload: Buffer.from('x') })),
    fc.constant<FrameSpec>({ fin: true, rsv: 0, opcode: 1, masked: false, payload: jsonText({ type: 'connect' }) }),
    fc.integer({ min: 4097, max: 70_000 }).map((n): FrameSpec => ({ fin: true, rsv: 0, opcode: 1, masked: true, payload: Buffer.alloc(n, 0x20) })),
    fc.constantFrom(2n ** 63n - 1n, 2n ** 32n, 5000n, 10n).map((declaredLength): FrameSpec => ({ fin: true, rsv: 0, opcode: 1, masked: true, payload: Buffer.from('{}'), declaredLength })),
  );
  return fc.oneof(
    { arbitrary: fc.tuple(connect, fc.array(fc.oneof(connect, junk), { maxLength: 3 })).map(([c, rest]) => [c, ...rest]), weight: 3 },
    { arbitrary: fc.array(fc.oneof(connect, junk), { maxLength: 4 }), weight: 2 },
  );
}

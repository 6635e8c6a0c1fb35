import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { HeaderList } from './raw-http.js';

/**
 * The ways one body can travel (RFC 9110 §8.4 content codings, RFC 9112 §6 framing) and the
 * headers clients add, for every family: a body is sent as it is most of the time, and otherwise
 * compressed (correctly or not), chunked, or with a Content-Length that lies.
 */
export interface Carried {
  /** Content-Encoding and the framing headers (Content-Length, Transfer-Encoding): the request adds none of its own. */
  headers: HeaderList;
  body: Buffer;
}

type Coding = 'none' | 'gzip' | 'deflate' | 'br' | 'gzip-bogus' | 'deflate-bogus' | 'identity' | 'unknown' | 'stacked';
type Framing = 'length' | 'chunked' | 'short-length' | 'long-length' | 'two-lengths' | 'length-and-chunked';

const coding: fc.Arbitrary<Coding> = fc.oneof(
  { arbitrary: fc.constant('none' as const), weight: 12 },
  { arbitrary: fc.constantFrom<Coding>('gzip', 'deflate', 'br', 'gzip-bogus', 'deflate-bogus', 'identity', 'unknown', 'stacked'), weight: 3 },
);
const framing: fc.Arbitrary<Framing> = fc.oneof(
  { arbitrary: fc.constant('length' as const), weight: 12 },
  { arbitrary: fc.constantFrom<Framing>('chunked', 'short-length', 'long-length', 'two-lengths', 'length-and-chunked'), weight: 3 },
);

function encode(body: Buffer, c: Coding): { headers: [string, string][]; body: Buffer } {
  switch (c) {
    case 'none':
      return { headers: [], body };
    case 'gzip':
      return { headers: [['Content-Encoding', 'gzip']], body: gzipSync(body) };
    case 'deflate':
      return { headers: [['Content-Encoding', 'deflate']], body: deflateSync(body) };
    case 'br':
      return { headers: [['Content-Encoding', 'br']], body: brotliCompressSync(body) };
    case 'gzip-bogus':
      return { headers: [['Content-Encoding', 'gzip']], body: Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), body]) };
    case 'deflate-bogus':
      return { headers: [['Content-Encoding', 'deflate']], body };
    case 'identity':
      return { headers: [['Content-Encoding', 'identity']], body };
    case 'unknown':
      return { headers: [['Content-Encoding', 'x-fuzz']], body };
    case 'stacked':
      return { headers: [['Content-Encoding', 'gzip, gzip']], body: gzipSync(gzipSync(body)) };
  }
}

function frame(body: Buffer, f: Framing): { headers: [string, string][]; body: Buffer } {
  const chunked = () => Buffer.concat([...chunksOf(body).map((c) => Buffer.concat([Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n')])), Buffer.from('0\r\n\r\n')]);
  switch (f) {
    case 'length':
      return { headers: [['Content-Length', String(body.length)]], body };
    case 'chunked':
      return { headers: [['Transfer-Encoding', 'chunked']], body: chunked() };
    case 'short-length':
      return { headers: [['Content-Length', String(Math.max(0, body.length - 1 - Math.floor(body.length / 2)))]], body };
    case 'long-length':
      return { headers: [['Content-Length', String(body.length + 10)]], body };
    case 'two-lengths':
      return { headers: [['Content-Length', String(body.length)], ['Content-Length', String(body.length + 1)]], body };
    case 'length-and-chunked':
      return { headers: [['Content-Length', String(body.length)], ['Transfer-Encoding', 'chunked']], body: chunked() };
  }
}

function chunksOf(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += 1000) out.push(b.subarray(i, i + 1000));
  return out;
}

/** How a body travels: mostly plain with a Content-Length, sometimes coded or framed oddly. */
export interface Carriage {
  coding: Coding;
  framing: Framing;
}
export const carriage: fc.Arbitrary<Carriage> = fc.record({ coding, framing });

/** The framing promises more than is sent: the server would wait for the rest until the client ends. */
export const incomplete = (how: Carriage): boolean => how.framing === 'long-length';

/** `body` as `how` says it travels. */
export function carry(body: Buffer, how: Carriage): Carried {
  const coded = encode(body, how.coding);
  const framed = frame(coded.body, how.framing);
  return { headers: [...coded.headers, ...framed.headers], body: framed.body };
}

/** Headers any request may carry besides its own: mostly none, sometimes junk, repeats or a flood. */
export const extraHeaders: fc.Arbitrary<[string, string][]> = fc.oneof(
  { arbitrary: fc.constant<[string, string][]>([]), weight: 8 },
  {
    arbitrary: fc.array(
      fc.tuple(
        fc.constantFrom<string>('Accept', 'Accept-Encoding', 'Accept-Charset', 'X-Forwarded-For', 'Forwarded', 'Cookie', 'Range', 'If-None-Match', 'Expect', 'Origin', 'Referer', 'User-Agent', 'X-Http-Method-Override', 'Content-Language', 'Trailer', 'TE', 'Upgrade', 'X-Fuzz'),
        fc.oneof(fc.constantFrom<string>('*/*', 'gzip', 'bytes=0-1,5-', 'bytes=-1', '100-continue', 'h2c', 'DELETE', '1.2.3.4, unknown', 'a=b; c', ''), fc.string({ unit: 'grapheme-ascii', maxLength: 30 }), fc.string({ unit: 'binary-ascii', maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, ''))),
      ),
      { maxLength: 5 },
    ),
    weight: 3,
  },
  { arbitrary: fc.integer({ min: 50, max: 400 }).map((n) => Array.from({ length: n }, (_, i) => [`X-Flood-${i}`, 'x'.repeat(20)] as [string, string])), weight: 1 },
);

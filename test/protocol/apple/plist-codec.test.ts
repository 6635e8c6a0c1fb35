import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as plist from 'plist';
import { describe, expect, it } from 'vitest';
import { encodeCheckIn } from '../../../protocol/apple/checkin.js';
import { encodeReport } from '../../../protocol/apple/command-report.js';
import { AppleProtocolError, type AppleProtocolErrorCode } from '../../../protocol/apple/errors.js';
import { decodePlist, decodePlistValue, encodePlist } from '../../../protocol/apple/plist-codec.js';
import { DictReader } from '../../../protocol/apple/plist-read.js';
import { PlistReal, plistTypeOf, type PlistDict } from '../../../protocol/apple/plist-types.js';
import { bytes, tokenUpdate } from './fixtures.js';
import { appleSpecs } from './schema-checker.js';

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n';
const doc = (inner: string): string => `${HEAD}<plist version="1.0">${inner}</plist>`;

function codeOf(f: () => unknown): AppleProtocolErrorCode | 'no error' {
  try {
    f();
    return 'no error';
  } catch (err) {
    if (err instanceof AppleProtocolError) return err.code;
    throw err;
  }
}

function errorOf(f: () => unknown): AppleProtocolError {
  try {
    f();
  } catch (err) {
    if (err instanceof AppleProtocolError) return err;
    throw err;
  }
  throw new Error('expected an AppleProtocolError');
}

/** The plist package decodes <data> as Uint8Array; we decode it as Buffer. */
function buffers(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v);
  if (Array.isArray(v)) return v.map(buffers);
  if (v && typeof v === 'object' && !(v instanceof Date)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, buffers(x)]));
  return v;
}

const sample: PlistDict = {
  string: 'Grüße & <tags> "quotes" \'apos\' 🙂',
  empty: '',
  spaces: '  leading and trailing  ',
  multiline: 'line1\nline2',
  int: 42,
  negative: -7,
  zero: 0,
  big: Number.MAX_SAFE_INTEGER,
  small: Number.MIN_SAFE_INTEGER,
  real: 1.5,
  tiny: 1e-7,
  yes: true,
  no: false,
  date: new Date('2024-05-06T07:08:09Z'),
  data: bytes(100),
  emptyData: Buffer.alloc(0),
  list: [1, 'two', [3, [4]], { five: 5 }],
  emptyList: [],
  nested: { inner: { deeper: { value: 'x' } }, emptyDict: {} },
};

describe('encodePlist', () => {
  it('writes a standard Apple XML plist', () => {
    const xml = encodePlist({ a: 1, b: 'x' });
    expect(xml).toBe(`${HEAD}<plist version="1.0">\n<dict>\n\t<key>a</key>\n\t<integer>1</integer>\n\t<key>b</key>\n\t<string>x</string>\n</dict>\n</plist>\n`);
  });

  it('maps every value type', () => {
    const xml = encodePlist({
      d: new Date('2024-01-02T03:04:05.678Z'),
      b: Buffer.from('hello'),
      u: new Uint8Array([1, 2, 3]),
      r: 2.5,
      forced: new PlistReal(2),
      i: 3,
      t: true,
      f: false,
      s: 'a<b&c>',
      skipped: undefined,
    });
    expect(xml).toContain('<date>2024-01-02T03:04:05Z</date>');
    expect(xml).toContain('<data>aGVsbG8=</data>');
    expect(xml).toContain('<data>AQID</data>');
    expect(xml).toContain('<real>2.5</real>');
    expect(xml).toContain('<real>2.0</real>');
    expect(xml).toContain('<integer>3</integer>');
    expect(xml).toContain('<true/>');
    expect(xml).toContain('<false/>');
    expect(xml).toContain('<string>a&lt;b&amp;c&gt;</string>');
    expect(xml).not.toContain('skipped');
  });

  it.each([
    ['null', { a: null }],
    ['NaN', { a: Number.NaN }],
    ['Infinity', { a: Infinity }],
    ['an invalid Date', { a: new Date('nope') }],
    ['a control character', { a: 'bell\u0007' }],
    ['a lone surrogate', { a: 'x\uD800y' }],
    ['undefined in an array', { a: [1, undefined] }],
    ['a function', { a: () => 1 }],
  ])('refuses %s', (_name, value) => {
    expect(codeOf(() => encodePlist(value as never))).toBe('invalidValue');
  });

  it('keeps carriage returns through a round trip', () => {
    const xml = encodePlist({ s: 'a\r\nb\rc' });
    expect(xml).toContain('<string>a&#13;\nb&#13;c</string>');
    expect(decodePlist(xml)).toEqual({ s: 'a\r\nb\rc' });
  });

  it('names the path of a value it refuses', () => {
    expect(errorOf(() => encodePlist({ outer: { list: [1, null] } } as never)).key).toBe('outer.list[1]');
  });
});

describe('decodePlist', () => {
  it('round-trips every type', () => {
    expect(decodePlist(encodePlist(sample))).toEqual(sample);
  });

  it('reads what the plist package writes, and the plist package reads what we write', () => {
    expect(decodePlist(plist.build(sample as Parameters<typeof plist.build>[0]))).toEqual(sample);
    expect(buffers(plist.parse(encodePlist(sample)))).toEqual(sample);
  });

  it('agrees with the plist package on every Apple plist in the shared specs', () => {
    const files = readdirSync(appleSpecs).filter((f) => f.endsWith('.plist') || f.endsWith('.mobileconfig'));
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const f of files) {
      const body = readFileSync(path.join(appleSpecs, f));
      expect(decodePlist(body), f).toEqual(buffers(plist.parse(body.toString('utf8'))));
    }
  });

  it('accepts a BOM, comments, CDATA, character references, CRLF and a DOCTYPE without subset', () => {
    const body = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(
        '<?xml version="1.0" encoding="utf-8"?>\r\n<!-- c -->\r\n<!DOCTYPE plist SYSTEM "file:///etc/passwd">\r\n<plist version="1.0">\r\n<dict><!-- inside -->' +
          '<key>a</key><string>x<![CDATA[<raw & stuff>]]>y</string>' +
          '<key>b</key><string>&#65;&#x42;&lt;&amp;&gt;&quot;&apos;</string>' +
          '<key>c</key><string>one\r\ntwo\rthree&#13;</string>' +
          '<key>d</key><data>\n\taGVs\n\tbG8=\n</data><key/><string/><key>e</key><array/><key>f</key><dict/></dict></plist>\r\n',
      ),
    ]);
    expect(decodePlist(body)).toEqual({ a: 'x<raw & stuff>y', b: 'AB<&>"\'', c: 'one\ntwo\nthree\r', d: Buffer.from('hello'), '': '', e: [], f: {} });
  });

  it('decodes reals, dates and integers strictly', () => {
    const d = decodePlist(
      doc('<dict><key>r</key><real>-1.25e2</real><key>n</key><real>nan</real><key>i</key><real>-inf</real><key>z</key><integer>-0</integer>' +
        '<key>ms</key><date>2024-02-29T23:59:59.5Z</date><key>p</key><integer>+12</integer><key>y</key><date>0050-01-01T00:00:00Z</date></dict>'),
    );
    expect(d.r).toEqual(new PlistReal(-125));
    expect(d.n).toBeNaN();
    expect(d.i).toBe(-Infinity);
    expect(Object.is(d.z, 0)).toBe(true);
    expect((d.ms as Date).toISOString()).toBe('2024-02-29T23:59:59.500Z');
    expect(d.p).toBe(12);
    expect((d.y as Date).getUTCFullYear()).toBe(50);
  });

  it('keeps a whole-number <real> a <real> through decode → encode (DeviceCapacity 29.0, PayloadVersion 1.0)', () => {
    const xml = doc(
      '<dict><key>DeviceCapacity</key><real>29.0</real><key>PayloadVersion</key><real>1</real><key>Zero</key><real>0.0</real>' +
        '<key>Negative</key><real>-2.0E0</real><key>Big</key><real>1e300</real><key>Count</key><integer>29</integer><key>Half</key><real>0.5</real>' +
        '<key>Nested</key><array><dict><key>BatteryLevel</key><real>1.0</real></dict></array></dict>',
    );
    const decoded = decodePlist(xml);
    expect(plistTypeOf(decoded.DeviceCapacity)).toBe('real');
    expect(plistTypeOf(decoded.Count)).toBe('integer');
    const again = encodePlist(decoded);
    for (const real of ['29.0', '1.0', '0.0', '-2.0', '1e+300', '0.5']) expect(again).toContain(`<real>${real}</real>`);
    expect(again).toContain('<integer>29</integer>');
    expect(again.match(/<real>1\.0<\/real>/g)).toHaveLength(2);
    // And the same again: the distinction survives any number of round trips.
    expect(encodePlist(decodePlist(again))).toBe(again);
  });

  it('reads a whole-number <real> as a number wherever a number is read: value, JSON, integer keys', () => {
    const d = decodePlist(doc('<dict><key>DeviceCapacity</key><real>29.0</real><key>PayloadVersion</key><real>1.0</real></dict>'));
    expect(Number(d.DeviceCapacity)).toBe(29);
    expect(JSON.parse(JSON.stringify(d))).toEqual({ DeviceCapacity: 29, PayloadVersion: 1 });
    expect(new DictReader(d, '', 'test').integer('PayloadVersion')).toBe(1);
    expect(new DictReader(d, '', 'test').optNumber('DeviceCapacity')).toBe(29);
  });

  it('keeps a "__proto__" key as data without touching prototypes', () => {
    const d = decodePlist(doc('<dict><key>__proto__</key><dict><key>polluted</key><true/></dict><key>constructor</key><string>c</string></dict>'));
    expect(Object.keys(d)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(d)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(d.constructor).toBe('c');
  });

  it('decodePlistValue accepts any top-level value; decodePlist only a dict', () => {
    expect(decodePlistValue(doc('<array><integer>1</integer></array>'))).toEqual([1]);
    expect(codeOf(() => decodePlist(doc('<array><integer>1</integer></array>')))).toBe('notADict');
    expect(codeOf(() => decodePlist(doc('<string>x</string>')))).toBe('notADict');
  });
});

describe('decodePlist refuses', () => {
  it.each<[string, string | Buffer, AppleProtocolErrorCode]>([
    ['a binary plist (bytes)', Buffer.from(plist.buildBinary({ MessageType: 'TokenUpdate', UDID: 'u' })), 'binaryPlist'],
    ['a binary plist (text)', 'bplist00\u00d1\u0001\u0002', 'binaryPlist'],
    ['invalid UTF-8', Buffer.concat([Buffer.from(doc('<dict><key>a</key><string>')), Buffer.from([0xc3, 0x28]), Buffer.from('</string></dict>')]), 'notUtf8'],
    ['UTF-16 with BOM', Buffer.from(`\ufeff${doc('<dict/>')}`, 'utf16le'), 'notUtf8'],
    ['an XML declaration naming another encoding', `<?xml version="1.0" encoding="ISO-8859-1"?><plist><dict/></plist>`, 'notUtf8'],
    [
      'entity declarations (billion laughs)',
      '<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><plist><dict><key>k</key><string>&b;</string></dict></plist>',
      'entityDeclaration',
    ],
    ['an external entity declaration', '<!DOCTYPE plist [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><plist><dict><key>k</key><string>&xxe;</string></dict></plist>', 'entityDeclaration'],
    ['an entity declaration outside a DOCTYPE', '<!ENTITY x "y"><plist><dict/></plist>', 'entityDeclaration'],
    ['a DOCTYPE internal subset without entities', '<!DOCTYPE plist [<!ATTLIST dict a CDATA "x">]><plist><dict/></plist>', 'malformed'],
    ['an undeclared entity reference', doc('<dict><key>k</key><string>&xxe;</string></dict>'), 'malformed'],
    ['a bare ampersand', doc('<dict><key>k</key><string>a & b</string></dict>'), 'malformed'],
    ['a character reference to NUL', doc('<dict><key>k</key><string>&#0;</string></dict>'), 'malformed'],
    ['a forbidden control character', doc('<dict><key>k</key><string>\u0001</string></dict>'), 'malformed'],
    ['an unknown element', doc('<dict><key>k</key><foo>1</foo></dict>'), 'unknownElement'],
    ['an unknown element in an array', doc('<dict><key>k</key><array><uid>1</uid></array></dict>'), 'unknownElement'],
    ['a DOCTYPE for another root', '<!DOCTYPE html><plist><dict/></plist>', 'malformed'],
    ['a root that is not <plist>', '<?xml version="1.0"?><dict/>', 'malformed'],
    ['attributes on dict', doc('<dict id="x"/>'), 'malformed'],
    ['two root values', doc('<dict/><dict/>'), 'malformed'],
    ['content after </plist>', `${doc('<dict/>')}<dict/>`, 'malformed'],
    ['text after </plist>', `${doc('<dict/>')}junk`, 'malformed'],
    ['an empty <plist>', doc(''), 'malformed'],
    ['a key without value', doc('<dict><key>a</key></dict>'), 'malformed'],
    ['two keys in a row', doc('<dict><key>a</key><key>b</key><string/></dict>'), 'malformed'],
    ['a value without key', doc('<dict><string>x</string></dict>'), 'malformed'],
    ['a key in an array', doc('<array><key>a</key></array>'), 'malformed'],
    ['a duplicate key', doc('<dict><key>a</key><true/><key>a</key><false/></dict>'), 'malformed'],
    ['mismatched end tags', doc('<dict><key>a</key><string>x</integer></dict>'), 'malformed'],
    ['elements inside <string>', doc('<dict><key>a</key><string>x<b/>y</string></dict>'), 'malformed'],
    ['text inside <true>', doc('<dict><key>a</key><true>yes</true></dict>'), 'malformed'],
    ['a processing instruction', doc('<dict><?php echo 1 ?></dict>'), 'malformed'],
    ['a non-numeric integer', doc('<dict><key>a</key><integer>12a</integer></dict>'), 'malformed'],
    ['an empty integer', doc('<dict><key>a</key><integer/></dict>'), 'malformed'],
    ['an integer beyond the safe range', doc('<dict><key>a</key><integer>9007199254740993</integer></dict>'), 'invalidValue'],
    ['a hex real', doc('<dict><key>a</key><real>0x10</real></dict>'), 'malformed'],
    ['an impossible date', doc('<dict><key>a</key><date>2023-02-29T00:00:00Z</date></dict>'), 'malformed'],
    ['a date without zone', doc('<dict><key>a</key><date>2023-02-01T00:00:00</date></dict>'), 'malformed'],
    ['bad base64', doc('<dict><key>a</key><data>ab$d</data></dict>'), 'malformed'],
    ['misplaced base64 padding', doc('<dict><key>a</key><data>ab=cd===</data></dict>'), 'malformed'],
    ['nothing at all', '', 'truncated'],
  ])('%s', (_name, body, code) => {
    expect(codeOf(() => decodePlist(body))).toBe(code);
  });

  it('bodies over the limit, counted in bytes', () => {
    const body = encodePlist({ s: 'x'.repeat(2000) });
    expect(codeOf(() => decodePlist(Buffer.from(body), { maxBytes: 2000 }))).toBe('tooLarge');
    expect(codeOf(() => decodePlist(body, { maxBytes: 2000 }))).toBe('tooLarge');
    const multibyte = encodePlist({ s: 'é'.repeat(900) }); // under 2000 UTF-16 units, over 2000 bytes
    expect(multibyte.length).toBeLessThan(2000);
    expect(codeOf(() => decodePlist(multibyte, { maxBytes: 2000 }))).toBe('tooLarge');
    expect(codeOf(() => decodePlist(body, { maxBytes: 4000 }))).toBe('no error');
    expect(codeOf(() => decodePlist(Buffer.alloc(1024 * 1024 + 1, 0x20)))).toBe('tooLarge'); // default 1 MiB
  });

  it('nesting deeper than 64 (or the given limit)', () => {
    const nest = (n: number): string => `${'<array>'.repeat(n - 1)}<dict/>${'</array>'.repeat(n - 1)}`;
    const ok = doc(`<dict><key>k</key>${nest(63)}</dict>`); // 64 levels with the top dict
    expect(codeOf(() => decodePlist(ok))).toBe('no error');
    expect(codeOf(() => decodePlist(doc(`<dict><key>k</key>${nest(64)}</dict>`)))).toBe('tooDeep');
    expect(codeOf(() => decodePlist(ok, { maxDepth: 10 }))).toBe('tooDeep');
    // far beyond any stack: refused at the limit, not by a stack overflow
    expect(codeOf(() => decodePlist(doc(`<dict><key>k</key>${'<array>'.repeat(100_000)}`)))).toBe('tooDeep');
  });

  it('every truncation of a valid document, with a message saying where', () => {
    const body = encodeCheckIn(tokenUpdate);
    const end = body.indexOf('</plist>') + '</plist>'.length;
    for (let n = 0; n < end; n++) {
      const code = codeOf(() => decodePlist(body.slice(0, n)));
      expect(['truncated', 'malformed'], `prefix of ${n} chars`).toContain(code);
    }
    expect(errorOf(() => decodePlist(body.slice(0, end - 20))).message).toMatch(/document ends inside .*\(offset \d+\)/);
    expect(codeOf(() => decodePlist(body.slice(0, end)))).toBe('no error');
  });

  it('random corruption only ever yields a value or an AppleProtocolError', () => {
    const body = Buffer.from(encodeReport({ Status: 'Acknowledged', UDID: 'u', CommandUUID: 'c', ErrorChain: [{ ErrorCode: 1, ErrorDomain: 'd', LocalizedDescription: 'l' }] }));
    let seed = 12345;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const alphabet = Buffer.from('<>/&;!?[]-="\' abcdefkeystringdictarrayintegertruefalse\u00ff\n');
    let failures = 0;
    for (let i = 0; i < 3000; i++) {
      const copy = Buffer.from(body);
      for (let k = 0; k <= next(4); k++) copy[next(copy.length)] = alphabet[next(alphabet.length)] ?? 0x20;
      try {
        decodePlist(copy);
      } catch (err) {
        expect(err).toBeInstanceOf(AppleProtocolError);
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(1000);
  });
});

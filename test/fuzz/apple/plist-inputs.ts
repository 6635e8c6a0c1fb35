import fc from 'fast-check';
import { mutatedBytes, hostileString } from '../harness/mutations.js';

/**
 * Apple MDM bodies for fuzzing (Apple Device Management: check-in and command report plists):
 * a message is a dict, written by a permissive XML plist writer of our own (the project's encoder
 * refuses what XML cannot carry; a fuzzer must be able to send it), mutated at the level of its
 * keys and values, or at the level of its bytes, or replaced by one of the classic hostile
 * documents (DOCTYPE with entities, binary plists, deep and wide nesting, other encodings).
 */
export type Value = string | number | boolean | Date | Buffer | { real: number } | { raw: string } | Value[] | { [key: string]: Value };
export type Dict = { [key: string]: Value };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function write(v: Value): string {
  if (typeof v === 'string') return `<string>${esc(v)}</string>`;
  if (typeof v === 'number') return Number.isInteger(v) ? `<integer>${v}</integer>` : `<real>${v}</real>`;
  if (typeof v === 'boolean') return v ? '<true/>' : '<false/>';
  if (v instanceof Date) return `<date>${Number.isNaN(v.getTime()) ? 'not a date' : v.toISOString().replace(/\.\d{3}Z$/, 'Z')}</date>`;
  if (Buffer.isBuffer(v)) return `<data>${v.toString('base64')}</data>`;
  if (Array.isArray(v)) return `<array>${v.map(write).join('')}</array>`;
  if ('real' in v && typeof v.real === 'number') return `<real>${v.real}</real>`;
  if ('raw' in v && typeof v.raw === 'string') return v.raw;
  return `<dict>${Object.entries(v).map(([k, x]) => `<key>${esc(k)}</key>${write(x)}`).join('')}</dict>`;
}

export const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n';

export function plistDocument(d: Dict): Buffer {
  return Buffer.from(`${XML_HEAD}<plist version="1.0">${write(d)}</plist>\n`, 'utf8');
}

/** Values of every plist type, and of no type (raw markup), in sizes from nothing to the limit. */
export const hostileValue: fc.Arbitrary<Value> = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.constantFrom<Value>(0, -1, 1, 2 ** 53, 9223372036854775807, -9223372036854775808, { real: 0.5 }, { real: 1e308 }, { real: -0 }, true, false),
    fc.constantFrom<Value>({ raw: '<integer>99999999999999999999999</integer>' }, { raw: '<integer>0x10</integer>' }, { raw: '<real>nan</real>' }, { raw: '<real>inf</real>' }, { raw: '<integer></integer>' }, { raw: '<string/>' }, { raw: '<data>!!notbase64</data>' }, { raw: '<date>2024-13-45T99:99:99Z</date>' }, { raw: '<uid>1</uid>' }, { raw: '<true>' }, { raw: '' }),
    fc.date({ noInvalidDate: false }),
    fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
    fc.integer({ min: 1000, max: 60_000 }).map((n) => Buffer.alloc(n, 0x41)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileString, fc.constantFrom('UDID', 'Status', 'MessageType', 'ErrorCode', 'PayloadIdentifier')), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const DEVICE_KEYS = ['MessageType', 'Status', 'Topic', 'UDID', 'CommandUUID', 'Token', 'PushMagic', 'UnlockToken', 'AwaitingConfiguration', 'ErrorChain', 'ProfileList', 'OSVersion', 'BuildVersion', 'ProductName', 'SerialNumber', 'IMEI', 'MEID', 'DeviceName', 'Model', 'ModelName', 'EnrollmentID', 'EnrollmentUserID', 'UserID', 'UserShortName', 'UserLongName', 'NotOnConsole', 'QueryResponses', 'RequestType'];
const MESSAGE_TYPES = ['Authenticate', 'TokenUpdate', 'CheckOut', 'UserAuthenticate', 'SetBootstrapToken', 'GetBootstrapToken', 'DeclarativeManagement', 'GetToken', 'authenticate', 'Authenticate ', ''];
const STATUSES = ['Idle', 'Acknowledged', 'Error', 'CommandFormatError', 'NotNow', 'idle', 'Idle\u0000', ''];

/** One key-level change to a message: a key gone, renamed, retyped, or added; a value from the protocol's vocabulary. */
export function mutatedDict(base: Dict, vocabulary: { udids: readonly string[]; uuids: readonly string[] }): fc.Arbitrary<Dict> {
  const keys = Object.keys(base);
  const known = fc.oneof(
    fc.constantFrom(...MESSAGE_TYPES).map((v) => ['MessageType', v] as const),
    fc.constantFrom(...STATUSES).map((v) => ['Status', v] as const),
    fc.constantFrom(...vocabulary.udids, '', 'x'.repeat(5000), '../../etc').map((v) => ['UDID', v] as const),
    fc.constantFrom(...vocabulary.uuids, '', 'not-a-uuid').map((v) => ['CommandUUID', v] as const),
    fc.constantFrom(...DEVICE_KEYS).chain((k) => hostileValue.map((v) => [k, v] as const)),
    fc.constantFrom('ProductName', 'Model', 'ModelName').chain((k) => fc.constantFrom('MacBookPro18,1', 'Mac', 'iMac21,1', 'AppleTV', 'Watch6,1', 'iPhone14,2', 'iPad13,1', 'RealityDevice14,1').map((v) => [k, v] as const)),
  );
  const op = fc.oneof(
    fc.constantFrom(...keys).map((k) => (d: Dict) => void delete d[k]),
    known.map(([k, v]) => (d: Dict) => void (d[k] = v)),
    fc.tuple(fc.constantFrom(...keys), hostileValue).map(([k, v]) => (d: Dict) => void (d[k] = v)),
    fc.tuple(fc.constantFrom(...keys), fc.constantFrom((k: string) => k.toLowerCase(), (k: string) => ` ${k}`, (k: string) => `${k}\u0000`)).map(([k, f]) => (d: Dict) => {
      if (!(k in d)) return;
      d[f(k)] = d[k]!;
      delete d[k];
    }),
  );
  return fc.array(op, { minLength: 1, maxLength: 3 }).map((ops) => {
    const d: Dict = { ...base };
    for (const apply of ops) apply(d);
    return d;
  });
}

const PLIST_TOKENS = ['<dict>', '</dict>', '<array>', '</array>', '<key>', '</key>', '<string>', '<integer>', '<data>', '<true/>', '&amp;', '&lt;', '&#0;', '&#x110000;', '&unknown;', ']]>', '<![CDATA[', '<!--', '-->', '<?pi x?>', '<!ENTITY a "b">', '\u0000', '\uFEFF', '\uFFFE', '\uD800', '<plist version="1.0">', '</plist>', 'xmlns:p="urn:x"', '\r\n'];

/** Hostile documents around a message, sized against the endpoint's body `limit`. */
export function hostileDocuments(message: Dict, limit: number): fc.Arbitrary<Buffer> {
  const inner = write(message).slice('<dict>'.length, -'</dict>'.length);
  const wrap = (extra: string, head = XML_HEAD) => Buffer.from(`${head}<plist version="1.0"><dict>${inner}${extra}</dict></plist>`);
  return fc.oneof(
    // Entities: the "billion laughs" and external ones (file, URL) in an internal subset.
    fc.constantFrom(
      Buffer.from(`<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY a "${'a'.repeat(100)}"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><plist version="1.0"><dict><key>MessageType</key><string>&d;</string></dict></plist>`),
      Buffer.from(`<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY x SYSTEM "file:///etc/passwd">]><plist version="1.0"><dict><key>UDID</key><string>&x;</string>${inner}</dict></plist>`),
      Buffer.from(`<?xml version="1.0"?><!DOCTYPE plist SYSTEM "http://127.0.0.1:1/evil.dtd"><plist version="1.0"><dict>${inner}</dict></plist>`),
      Buffer.from(`<?xml version="1.0"?><!DOCTYPE plist [<!ELEMENT plist ANY><!ATTLIST plist version CDATA "1.0">]><plist><dict>${inner}</dict></plist>`),
      wrap('<key>X</key><string>&xxe;</string>'),
      wrap('', '<?xml version="1.0" encoding="ISO-8859-1"?>'),
      wrap('', '<?xml version="1.1"?>'),
      Buffer.from(`\uFEFF${wrap('').toString()}`),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(wrap('').toString(), 'utf16le')]),
      Buffer.from(`<p:plist xmlns:p="http://www.apple.com/DTDs/PropertyList-1.0.dtd" version="1.0"><dict>${inner}</dict></p:plist>`),
      Buffer.from(`${wrap('').toString()}<plist version="1.0"><dict/></plist>`),
      Buffer.from(`<plist version="9.9"><dict>${inner}</dict></plist>`),
      Buffer.from('<plist version="1.0"><array/></plist>'),
      Buffer.from('<plist version="1.0"></plist>'),
      Buffer.from(' '),
    ),
    // Binary plists: the magic, then anything (the codec refuses them without parsing).
    fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.concat([Buffer.from('bplist00'), Buffer.from(b)])),
    // Deep: nested arrays or dicts below a valid message, up to what the size limit allows.
    fc.tuple(fc.constantFrom('<array>', '<dict><key>k</key>'), fc.integer({ min: 50, max: Math.floor(limit / 20) })).map(([open, n]) => wrap(`<key>Deep</key>${open.repeat(n)}${(open === '<array>' ? '</array>' : '</dict>').repeat(n)}`)),
    // Wide: many keys; huge: one long string, around the size limit.
    fc.integer({ min: 100, max: Math.floor(limit / 40) }).map((n) => wrap(Array.from({ length: n }, (_, i) => `<key>K${i}</key><integer>${i}</integer>`).join(''))),
    fc.integer({ min: limit - 2000, max: limit + 2000 }).map((n) => wrap(`<key>Huge</key><string>${'x'.repeat(Math.max(0, n - wrap('').length - 40))}</string>`)),
    // Byte-level damage to a valid document, with the plist's own vocabulary.
    mutatedBytes(plistDocument(message), PLIST_TOKENS),
  );
}

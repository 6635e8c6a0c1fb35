import fc from 'fast-check';
import { applyMutations, byteMutations, type ByteMutations } from '../harness/mutations.js';

/**
 * How one valid XML message (a SOAP envelope of MS-MDE2, a SyncML DM message) is broken: as bytes
 * (flips, cuts, tokens of the protocol's markup), or as markup: a DOCTYPE with entities (internal
 * expansion, external, parameter), a namespace prefix renamed or bound elsewhere, an element
 * repeated a huge number of times, the payload nested deep, a huge text, a cut at a tag, a piece
 * of another message spliced in, another encoding. Transforms are descriptions applied when the
 * input is sent, so a message built then (with the session's nonce) is broken the same way.
 */
export type XmlBreak =
  | { kind: 'none' }
  | { kind: 'bytes'; mutations: ByteMutations }
  | { kind: 'doctype'; doctype: string; reference: string; at: number }
  | { kind: 'prefix'; from: string; to: string; rebind: string | undefined }
  | { kind: 'repeat'; at: number; times: number }
  | { kind: 'deep'; at: number; depth: number }
  | { kind: 'text'; at: number; size: number; char: string }
  | { kind: 'cut'; at: number }
  | { kind: 'splice'; at: number; from: number; other: number; length: number }
  | { kind: 'encoding'; how: 'utf16le' | 'utf16be' | 'bom' | 'latin1-decl' | 'ebcdic-decl' | 'no-decl' | 'decl-twice' };

const fraction = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

/** DOCTYPEs a parser of a SOAP or SyncML message must refuse or ignore, never expand nor fetch (OWASP XXE). */
const DOCTYPES = [
  '<!DOCTYPE x [<!ENTITY e "expanded">]>',
  '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY e "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>',
  '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
  '<!DOCTYPE x [<!ENTITY e SYSTEM "http://127.0.0.1:9/x">]>',
  '<!DOCTYPE x [<!ENTITY % p SYSTEM "file:///etc/hostname"> %p;]>',
  '<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd">',
  '<!DOCTYPE SyncML PUBLIC "-//SYNCML//DTD SyncML 1.2//EN" "http://www.openmobilealliance.org/tech/DTD/OMA-TS-SyncML_RepPro_DTD-V1_2.dtd">',
  '<!DOCTYPE x [<!ELEMENT x ANY><!ATTLIST x a CDATA "d">]>',
  '<!DOCTYPE x [<!ENTITY e "<injected/>">]>',
  '<!DOCTYPE x [',
];

const PREFIXES: readonly (readonly [string, string])[] = [
  ['s:', 'soap:'],
  ['s:', ''],
  ['a:', 'wsa:'],
  ['wsse:', 'o:'],
  ['wsse:', ''],
  ['xmlns:s=', 'xmlns:S='],
  ['xmlns=', 'xmlns:x='],
];
const NAMESPACES = [
  'http://schemas.xmlsoap.org/soap/envelope/',
  'urn:x',
  '',
  'SYNCML:SYNCML1.1',
  'syncml:metinf',
  'http://www.w3.org/2003/05/soap-envelope',
];

/** `intact`: the weight of leaving the message whole (23 is the total of the breaks). */
export const xmlBreak = (vocabulary: readonly string[], intact = 3): fc.Arbitrary<XmlBreak> =>
  fc.oneof(
    { arbitrary: fc.constant<XmlBreak>({ kind: 'none' }), weight: intact },
    { arbitrary: byteMutations(vocabulary).map((mutations): XmlBreak => ({ kind: 'bytes', mutations })), weight: 8 },
    { arbitrary: fc.record({ kind: fc.constant('doctype' as const), doctype: fc.constantFrom(...DOCTYPES), reference: fc.constantFrom('&e;', '&a;', '&undefined;', '&#0;', '&#x110000;', '&lt;&#60;', ''), at: fraction }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant('prefix' as const), from: fc.constantFrom(...PREFIXES).map(([f]) => f), to: fc.constantFrom(...PREFIXES).map(([, t]) => t), rebind: fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined }) }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant('repeat' as const), at: fraction, times: fc.oneof(fc.integer({ min: 2, max: 50 }), fc.integer({ min: 1000, max: 20_000 })) }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant('deep' as const), at: fraction, depth: fc.oneof(fc.integer({ min: 20, max: 40 }), fc.integer({ min: 1000, max: 50_000 })) }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant('text' as const), at: fraction, size: fc.oneof(fc.integer({ min: 1000, max: 60_000 }), fc.integer({ min: 200_000, max: 1_200_000 })), char: fc.constantFrom('a', '\u00e9', '&amp;', '\u{1F600}') }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant('cut' as const), at: fraction }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant('splice' as const), at: fraction, from: fraction, other: fc.nat(), length: fc.integer({ min: 1, max: 400 }) }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant('encoding' as const), how: fc.constantFrom('utf16le', 'utf16be', 'bom', 'latin1-decl', 'ebcdic-decl', 'no-decl', 'decl-twice') }), weight: 1 },
  );

const MAX_GROWTH = 1_500_000;
const TAG_START = /<(?![?!/])[^>]*>/g;

/** The start tags of `text` and where they are (to repeat, nest or cut at an element). */
function tags(text: string): { index: number; tag: string }[] {
  return [...text.matchAll(TAG_START)].map((m) => ({ index: m.index, tag: m[0] }));
}

/** The element that begins at tag `t` (up to its matching end tag, or the tag alone). */
function elementAt(text: string, t: { index: number; tag: string }): string {
  if (t.tag.endsWith('/>')) return t.tag;
  const name = /^<([^\s>/]+)/.exec(t.tag)?.[1] ?? '';
  const end = text.indexOf(`</${name}>`, t.index);
  return end < 0 ? t.tag : text.slice(t.index, end + name.length + 3);
}

const pick = <T>(list: readonly T[], f: number): T | undefined => list[Math.floor(f * list.length)];

/** `message` broken as `how` says; `others`: messages of the same protocol to splice pieces of. */
export function breakXml(message: Buffer, how: XmlBreak, others: readonly Buffer[] = []): Buffer {
  const text = message.toString('utf8');
  const utf8 = (s: string) => Buffer.from(s, 'utf8');
  switch (how.kind) {
    case 'none':
      return message;
    case 'bytes':
      return applyMutations(message, how.mutations);
    case 'doctype': {
      const decl = /^<\?xml[^>]*\?>/.exec(text)?.[0] ?? '';
      const rest = text.slice(decl.length);
      const t = pick(tags(rest).filter((x) => !x.tag.endsWith('/>')), how.at);
      const body = t ? rest.slice(0, t.index + t.tag.length) + how.reference + rest.slice(t.index + t.tag.length) : rest;
      return utf8(decl + how.doctype + body);
    }
    case 'prefix': {
      let out = text.split(`<${how.from}`).join(`<${how.to}`).split(`</${how.from}`).join(`</${how.to}`);
      if (how.from.startsWith('xmlns')) out = text.split(how.from).join(how.to);
      if (how.rebind !== undefined) out = out.replace(/xmlns(:\w+)?="[^"]*"/, (_m, p: string | undefined) => `xmlns${p ?? ''}="${how.rebind}"`);
      return utf8(out);
    }
    case 'repeat': {
      const t = pick(tags(text).slice(1), how.at);
      if (!t) return message;
      const el = elementAt(text, t);
      // Past a few MB a body only tests the size limit, which the 'text' break already does.
      const times = Math.max(2, Math.min(how.times, Math.floor(MAX_GROWTH / el.length)));
      return utf8(text.slice(0, t.index) + el.repeat(times) + text.slice(t.index + el.length));
    }
    case 'deep': {
      const t = pick(tags(text).slice(1), how.at);
      if (!t) return message;
      const at = t.index + t.tag.length;
      return utf8(text.slice(0, at) + '<d>'.repeat(how.depth) + '</d>'.repeat(how.depth) + text.slice(at));
    }
    case 'text': {
      const t = pick(tags(text).filter((x) => !x.tag.endsWith('/>')), how.at);
      if (!t) return message;
      const at = t.index + t.tag.length;
      return utf8(text.slice(0, at) + how.char.repeat(Math.ceil(how.size / how.char.length)) + text.slice(at));
    }
    case 'cut': {
      const t = pick(tags(text), how.at);
      return utf8(text.slice(0, t ? t.index + Math.floor(t.tag.length / 2) : 0));
    }
    case 'splice': {
      const other = others.length ? others[how.other % others.length]!.toString('utf8') : text;
      const from = Math.floor(how.from * other.length);
      const at = Math.floor(how.at * text.length);
      return utf8(text.slice(0, at) + other.slice(from, from + how.length) + text.slice(at));
    }
    case 'encoding':
      switch (how.how) {
        case 'utf16le':
          return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace('utf-8', 'utf-16'), 'utf16le')]);
        case 'utf16be':
          return Buffer.from(text.replace('utf-8', 'utf-16'), 'utf16le').swap16();
        case 'bom':
          return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), message]);
        case 'latin1-decl':
          return Buffer.from(text.replace(/encoding="[^"]*"/, 'encoding="ISO-8859-1"').replace(/<\?xml version="1.0"\?>/, '<?xml version="1.0" encoding="ISO-8859-1"?>'), 'latin1');
        case 'ebcdic-decl':
          return utf8(text.replace(/encoding="[^"]*"/, 'encoding="EBCDIC-CP-US"'));
        case 'no-decl':
          return utf8(text.replace(/^<\?xml[^>]*\?>/, ''));
        case 'decl-twice':
          return utf8(text.replace(/(<\?xml[^>]*\?>)?/, '<?xml version="1.0"?><?xml version="1.1" encoding="utf-8"?>'));
      }
  }
}

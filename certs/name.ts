/**
 * X.501 Name (RFC 5280 §4.1.2.4): encode from a list of attributes, decode to a list and to a
 * one-line string.
 */
import {
  children,
  expectTag,
  ia5String,
  oid,
  parseDer,
  printableString,
  rawOf,
  readOid,
  readString,
  seq,
  setOf,
  Tag,
  type Tlv,
  utf8String,
} from './der.js';
import { CertsError } from './errors.js';
import { NAME_ATTRIBUTE_OIDS, OID, shortNameOf } from './oids.js';

/** One attribute to encode: give `shortName` (CN, O, OU, C, ...) or a dotted `oid`. */
export interface NameAttributeInput {
  shortName?: string;
  oid?: string;
  value: string;
  /** String type; default PrintableString for C/serialNumber/dnQualifier, IA5String for email/DC, else UTF8String. */
  encoding?: 'utf8' | 'printable' | 'ia5';
}

/** A decoded attribute, value exactly as encoded (no trimming: Windows CNs may end with a NUL). */
export interface NameAttribute {
  oid: string;
  shortName?: string;
  value: string;
}

/** A subject or issuer: attributes in encoding order, or an already encoded Name (DER). */
export type NameInput = readonly NameAttributeInput[] | Buffer;

/** A decoded Name. */
export interface ParsedName {
  attributes: NameAttribute[];
  /** `CN=x,O=y` in encoding order, multi-valued RDNs joined by `+`, RFC 4514 §2.4 escaping. */
  string: string;
  /** The DER of the Name as found, for byte-exact copying and comparison. */
  der: Buffer;
}

function resolveOid(a: NameAttributeInput): string {
  if (a.oid) return a.oid;
  if (a.shortName) {
    const o = NAME_ATTRIBUTE_OIDS[a.shortName];
    if (o) return o;
    if (/^\d+(\.\d+)+$/.test(a.shortName)) return a.shortName;
  }
  throw new CertsError('badDer', `unknown name attribute ${a.shortName ?? '(none)'}`);
}

const PRINTABLE_ATTRS = new Set(['2.5.4.6', '2.5.4.5', '2.5.4.46']);
const IA5_ATTRS = new Set([OID.emailAddress, '0.9.2342.19200300.100.1.25']);

function encodeValue(attrOid: string, a: NameAttributeInput): Buffer {
  const enc = a.encoding ?? (PRINTABLE_ATTRS.has(attrOid) ? 'printable' : IA5_ATTRS.has(attrOid) ? 'ia5' : 'utf8');
  if (enc === 'printable') return printableString(a.value);
  if (enc === 'ia5') return ia5String(a.value);
  return utf8String(a.value);
}

/** Encode a Name, one attribute per RDN, in the order given (RFC 5280 §4.1.2.4). */
export function encodeName(input: NameInput): Buffer {
  if (Buffer.isBuffer(input)) {
    expectTag(parseDer(input), Tag.SEQUENCE, 'Name');
    return input;
  }
  return seq(
    ...input.map((a) => {
      const attrOid = resolveOid(a);
      return setOf([seq(oid(attrOid), encodeValue(attrOid, a))]);
    }),
  );
}

function escapeValue(v: string): string {
  let s = v.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`);
  // eslint-disable-next-line no-control-regex
  s = s.replace(/[\x00-\x1f]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  if (s.startsWith('#') || s.startsWith(' ')) s = `\\${s}`;
  if (s.endsWith(' ')) s = `${s.slice(0, -1)}\\ `;
  return s;
}

/** Decode a Name element (or its DER). */
export function parseName(input: Tlv | Buffer): ParsedName {
  const t = Buffer.isBuffer(input) ? parseDer(input) : input;
  expectTag(t, Tag.SEQUENCE, 'Name');
  const attributes: NameAttribute[] = [];
  const rdnStrings: string[] = [];
  for (const rdn of children(t)) {
    expectTag(rdn, Tag.SET, 'RelativeDistinguishedName');
    const parts: string[] = [];
    for (const atv of children(rdn)) {
      const [typeT, valueT] = children(expectTag(atv, Tag.SEQUENCE, 'AttributeTypeAndValue'));
      const attrOid = readOid(expectTag(typeT, Tag.OID, 'attribute type'));
      if (!valueT) throw new CertsError('badDer', 'attribute without value');
      const value = readString(valueT);
      const shortName = shortNameOf(attrOid);
      attributes.push(shortName ? { oid: attrOid, shortName, value } : { oid: attrOid, value });
      parts.push(`${shortName ?? attrOid}=${escapeValue(value)}`);
    }
    rdnStrings.push(parts.join('+'));
  }
  return { attributes, string: rdnStrings.join(','), der: rawOf(t) };
}

/** The value of the first attribute with this short name or OID (e.g. `CN`). */
export function nameValue(name: ParsedName | NameAttribute[], shortNameOrOid: string): string | undefined {
  const attrs = Array.isArray(name) ? name : name.attributes;
  const want = NAME_ATTRIBUTE_OIDS[shortNameOrOid] ?? shortNameOrOid;
  return attrs.find((a) => a.oid === want)?.value;
}

/**
 * X.509 v3 extensions (RFC 5280 §4.2.1): the handful a lab CA needs, encoded and decoded.
 * Also used for the PKCS#10 extensionRequest attribute (RFC 2985 §5.4.2).
 */
import { isIP } from 'node:net';
import {
  bitString,
  boolean,
  children,
  contentOf,
  expectTag,
  explicit,
  ia5String,
  integer,
  octetString,
  oid,
  parseDer,
  readBitString,
  readOid,
  readSmallInt,
  readString,
  readTlv,
  seq,
  Tag,
  tlv,
  type Tlv,
  utf8String,
} from './der.js';
import { CertsError } from './errors.js';
import { OID } from './oids.js';

/** KeyUsage bits in order (RFC 5280 §4.2.1.3). */
const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsageName = (typeof KEY_USAGE_BITS)[number];

const EKU_OIDS: Record<string, string> = {
  serverAuth: OID.serverAuth,
  clientAuth: OID.clientAuth,
  codeSigning: OID.codeSigning,
  emailProtection: OID.emailProtection,
  any: OID.anyExtendedKeyUsage,
};
/** Named EKU or a dotted OID (RFC 5280 §4.2.1.12). */
export type ExtKeyUsageName = 'serverAuth' | 'clientAuth' | 'codeSigning' | 'emailProtection' | 'any' | (string & {});

/** SubjectAltName entries (RFC 5280 §4.2.1.6); `upn` is Microsoft's otherName UPN. */
export interface SubjectAltNames {
  dns?: string[];
  ip?: string[];
  email?: string[];
  uri?: string[];
  upn?: string[];
}

/** One extension as it sits in the certificate: `value` is the DER inside extnValue. */
export interface RawExtension {
  oid: string;
  critical: boolean;
  value: Buffer;
}

/** Extensions to encode; criticality follows RFC 5280 recommendations unless given. */
export interface ExtensionsInput {
  basicConstraints?: { ca: boolean; pathLength?: number; critical?: boolean };
  keyUsage?: KeyUsageName[];
  extKeyUsage?: ExtKeyUsageName[];
  subjectAltName?: SubjectAltNames;
  /** Explicit key identifier bytes; certificate-builder computes it from the key when `true`. */
  subjectKeyIdentifier?: Buffer | true;
  authorityKeyIdentifier?: Buffer;
  /** Anything else, passed through (e.g. copied from a CSR). */
  raw?: RawExtension[];
}

/** IPv4/IPv6 text to the 4/16 octets of an iPAddress GeneralName. */
export function ipToBytes(ip: string): Buffer {
  const v = isIP(ip);
  if (v === 4) return Buffer.from(ip.split('.').map(Number));
  if (v === 6) {
    let text = ip;
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    if (v4) {
      const b = ipToBytes(v4[1]!);
      text = text.slice(0, -v4[1]!.length) + `${b.readUInt16BE(0).toString(16)}:${b.readUInt16BE(2).toString(16)}`;
    }
    const [head, tail] = text.split('::') as [string, string | undefined];
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
    const out = Buffer.alloc(16);
    groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
    return out;
  }
  throw new CertsError('badDer', `not an IP address: ${ip}`);
}

function bytesToIp(b: Buffer): string {
  if (b.length === 4) return [...b].join('.');
  if (b.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
    return groups.join(':');
  }
  return b.toString('hex');
}

/** Encode a SubjectAltName extension value (GeneralNames). */
export function encodeSubjectAltName(san: SubjectAltNames): Buffer {
  const names: Buffer[] = [];
  for (const upn of san.upn ?? []) names.push(tlv(0xa0, oid(OID.userPrincipalName), explicit(0, utf8String(upn))));
  for (const e of san.email ?? []) names.push(tlv(0x81, contentOf(readTlv(ia5String(e)))));
  for (const d of san.dns ?? []) names.push(tlv(0x82, Buffer.from(d, 'latin1')));
  for (const u of san.uri ?? []) names.push(tlv(0x86, Buffer.from(u, 'latin1')));
  for (const ip of san.ip ?? []) names.push(tlv(0x87, ipToBytes(ip)));
  return seq(...names);
}

/** Decode a SubjectAltName extension value; unknown GeneralName forms are ignored. */
export function parseSubjectAltName(value: Buffer): SubjectAltNames {
  const out: Required<SubjectAltNames> = { dns: [], ip: [], email: [], uri: [], upn: [] };
  for (const gn of children(expectTag(parseDer(value), Tag.SEQUENCE, 'GeneralNames'))) {
    if (gn.tagClass !== 2) continue;
    const text = () => contentOf(gn).toString('latin1');
    switch (gn.tagNumber) {
      case 0: {
        const [typeId, val] = children(gn);
        if (typeId && readOid(typeId) === OID.userPrincipalName && val) {
          const inner = children(val)[0];
          if (inner) out.upn.push(readString(inner));
        }
        break;
      }
      case 1:
        out.email.push(text());
        break;
      case 2:
        out.dns.push(text());
        break;
      case 6:
        out.uri.push(text());
        break;
      case 7:
        out.ip.push(bytesToIp(contentOf(gn)));
        break;
      default:
        break;
    }
  }
  return out;
}

/** Encode a KeyUsage BIT STRING with trailing zero bits removed (X.690 §11.2.2). */
export function encodeKeyUsage(usages: readonly KeyUsageName[]): Buffer {
  let bits = 0;
  for (const u of usages) {
    const i = KEY_USAGE_BITS.indexOf(u);
    if (i < 0) throw new CertsError('badDer', `unknown key usage ${u}`);
    bits |= 1 << i;
  }
  if (bits === 0) return bitString(Buffer.alloc(0));
  let highest = 0;
  for (let i = 0; i < KEY_USAGE_BITS.length; i++) if (bits & (1 << i)) highest = i;
  const nBytes = Math.floor(highest / 8) + 1;
  const bytes = Buffer.alloc(nBytes);
  for (let i = 0; i <= highest; i++) if (bits & (1 << i)) bytes[i >> 3]! |= 0x80 >> (i & 7);
  return bitString(bytes, nBytes * 8 - (highest + 1));
}

/** Decode a KeyUsage extension value. */
export function parseKeyUsage(value: Buffer): KeyUsageName[] {
  const { bytes } = readBitString(parseDer(value));
  return KEY_USAGE_BITS.filter((_, i) => ((bytes[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0);
}

/** Decode an ExtendedKeyUsage value into OIDs. */
export function parseExtKeyUsage(value: Buffer): string[] {
  return children(expectTag(parseDer(value), Tag.SEQUENCE, 'ExtKeyUsageSyntax')).map(readOid);
}

/** Decode BasicConstraints (RFC 5280 §4.2.1.9). */
export function parseBasicConstraints(value: Buffer): { ca: boolean; pathLength?: number } {
  const parts = children(expectTag(parseDer(value), Tag.SEQUENCE, 'BasicConstraints'));
  let ca = false;
  let pathLength: number | undefined;
  for (const p of parts) {
    if (p.tag === Tag.BOOLEAN) ca = contentOf(p)[0] !== 0;
    else if (p.tag === Tag.INTEGER) pathLength = readSmallInt(p);
  }
  return pathLength === undefined ? { ca } : { ca, pathLength };
}

/** Turn the typed input into extensions (key identifiers must already be resolved to bytes). */
export function buildExtensions(input: ExtensionsInput, subjectKeyId?: Buffer): RawExtension[] {
  const out: RawExtension[] = [];
  if (input.basicConstraints) {
    const bc = input.basicConstraints;
    const fields = bc.ca ? [boolean(true)] : [];
    if (bc.ca && bc.pathLength !== undefined) fields.push(integer(bc.pathLength));
    out.push({ oid: OID.basicConstraints, critical: bc.critical ?? true, value: seq(...fields) });
  }
  if (input.keyUsage?.length) out.push({ oid: OID.keyUsage, critical: true, value: encodeKeyUsage(input.keyUsage) });
  if (input.extKeyUsage?.length) {
    const oids = input.extKeyUsage.map((u) => EKU_OIDS[u] ?? u);
    out.push({ oid: OID.extKeyUsage, critical: false, value: seq(...oids.map((o) => oid(o))) });
  }
  if (input.subjectAltName) {
    const san = input.subjectAltName;
    const count = (san.dns?.length ?? 0) + (san.ip?.length ?? 0) + (san.email?.length ?? 0) + (san.uri?.length ?? 0) + (san.upn?.length ?? 0);
    if (count > 0) out.push({ oid: OID.subjectAltName, critical: false, value: encodeSubjectAltName(san) });
  }
  const ski = input.subjectKeyIdentifier === true ? subjectKeyId : input.subjectKeyIdentifier;
  if (ski) out.push({ oid: OID.subjectKeyIdentifier, critical: false, value: octetString(ski) });
  if (input.authorityKeyIdentifier) {
    out.push({ oid: OID.authorityKeyIdentifier, critical: false, value: seq(tlv(0x80, input.authorityKeyIdentifier)) });
  }
  for (const r of input.raw ?? []) if (!out.some((e) => e.oid === r.oid)) out.push(r);
  return out;
}

/** Encode `Extensions ::= SEQUENCE OF Extension` (RFC 5280 §4.1). */
export function encodeExtensionList(exts: readonly RawExtension[]): Buffer {
  return seq(...exts.map((e) => seq(oid(e.oid), ...(e.critical ? [boolean(true)] : []), octetString(e.value))));
}

/** Decode `Extensions ::= SEQUENCE OF Extension`. */
export function parseExtensionList(t: Tlv): RawExtension[] {
  return children(expectTag(t, Tag.SEQUENCE, 'Extensions')).map((ext) => {
    const parts = children(expectTag(ext, Tag.SEQUENCE, 'Extension'));
    const extOid = readOid(expectTag(parts[0], Tag.OID, 'extnID'));
    let critical = false;
    let i = 1;
    if (parts[i]?.tag === Tag.BOOLEAN) critical = contentOf(parts[i++]!)[0] !== 0;
    const value = contentOf(expectTag(parts[i], Tag.OCTET_STRING, 'extnValue'));
    return { oid: extOid, critical, value };
  });
}

/** Decode an AuthorityKeyIdentifier's keyIdentifier, if present. */
export function parseAuthorityKeyIdentifier(value: Buffer): Buffer | undefined {
  const kid = children(expectTag(parseDer(value), Tag.SEQUENCE, 'AuthorityKeyIdentifier')).find(
    (c) => c.tagClass === 2 && c.tagNumber === 0,
  );
  return kid ? contentOf(kid) : undefined;
}

/**
 * PKCS#10 certification requests (RFC 2986): built by simulated devices, parsed by the SCEP server.
 * The parser accepts what real clients send: openssl `req`, Go crypto/x509 (micromdm/scep),
 * certmonger (challengePassword as PrintableString, UTF8String or IA5String), Windows
 * (`CN=<GUID>!<DeviceID>` with a trailing NUL kept verbatim).
 */
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readAlgorithmIdentifier, signatureAlgorithmIdentifierFor, signatureHash, type DigestName } from './algorithms.js';
import {
  bitString,
  children,
  expectTag,
  integer,
  isContext,
  isPrintable,
  oid,
  parseDer,
  printableString,
  rawOf,
  readBitString,
  readOid,
  readSmallInt,
  readString,
  seq,
  setOf,
  Tag,
  utf8String,
} from './der.js';
import { CertsError } from './errors.js';
import {
  buildExtensions,
  encodeExtensionList,
  parseExtensionList,
  parseSubjectAltName,
  type ExtensionsInput,
  type RawExtension,
  type SubjectAltNames,
} from './extensions.js';
import { checkClientKey, CLIENT_RSA_KEY_LIMITS, publicKeyFacts, type PublicKeyFacts, type RsaKeyLimits } from './key-limits.js';
import { keyIdentifier, publicKeyFromSpki, spkiDer } from './keys.js';
import { encodeName, parseName, type NameAttribute, type NameInput } from './name.js';
import { OID } from './oids.js';

/** What goes into a CSR. */
export interface CsrSpec {
  privateKey: KeyObject;
  /** Derived from `privateKey` when absent. */
  publicKey?: KeyObject;
  subject: NameInput;
  /** PKCS#9 challengePassword (RFC 2985 §5.4.1), the SCEP shared secret (RFC 8894 §2.2). */
  challengePassword?: string;
  /** Requested extensions, sent in an extensionRequest attribute (RFC 2985 §5.4.2). */
  extensions?: ExtensionsInput;
  /** Default sha256. */
  digest?: DigestName;
}

/** A parsed CSR. `signatureValid` tells whether the self-signature (proof of possession) holds. */
export interface ParsedCsr {
  der: Buffer;
  subject: NameAttribute[];
  /** `CN=x,O=y` in encoding order (see name.ts). */
  subjectString: string;
  /** The subject Name DER exactly as requested. */
  subjectDer: Buffer;
  publicKey: KeyObject;
  /** SubjectPublicKeyInfo DER. */
  spki: Buffer;
  /** The requested key: RSA within the client key limits (parseCsr refuses any other). */
  key: Extract<PublicKeyFacts, { type: 'rsa' }>;
  challengePassword?: string;
  signatureValid: boolean;
  signatureAlgorithm: string;
  extensionRequest?: RawExtension[];
  /** Decoded subjectAltName from the extensionRequest, if any. */
  subjectAltName?: SubjectAltNames;
  /** All attributes: OID and DER of each value. */
  attributes: { oid: string; values: Buffer[] }[];
}

/** Build and sign a PKCS#10 CertificationRequest (RFC 2986 §4). */
export function buildCsr(spec: CsrSpec): Buffer {
  const digest = spec.digest ?? 'sha256';
  const spki = spkiDer(spec.publicKey ?? createPublicKey(spec.privateKey));
  const attributes: Buffer[] = [];
  if (spec.challengePassword !== undefined) {
    const pw = spec.challengePassword;
    const value = isPrintable(pw) ? printableString(pw) : utf8String(pw);
    attributes.push(seq(oid(OID.challengePassword), setOf([value])));
  }
  if (spec.extensions) {
    const needsSki = spec.extensions.subjectKeyIdentifier === true;
    const exts = buildExtensions(spec.extensions, needsSki ? keyIdentifier(spki) : undefined);
    if (exts.length) attributes.push(seq(oid(OID.extensionRequest), setOf([encodeExtensionList(exts)])));
  }
  const info = seq(integer(0), encodeName(spec.subject), spki, setOf(attributes, 0xa0));
  const sigAlg = signatureAlgorithmIdentifierFor(spec.privateKey, digest);
  return seq(info, sigAlg, bitString(sign(digest, info, spec.privateKey)));
}

/**
 * Parse a DER PKCS#10 request and check its signature natively (RFC 2986 §4). The requested key
 * must be within `keyLimits` (key-limits.ts), checked before the signature is verified with it:
 * keyNotAllowed otherwise.
 */
export function parseCsr(der: Buffer, opts: { keyLimits?: RsaKeyLimits } = {}): ParsedCsr {
  let parsed: Omit<ParsedCsr, 'signatureValid' | 'publicKey' | 'key'> & { signature: Buffer; info: Buffer };
  try {
    const [infoT, algT, sigT] = children(expectTag(parseDer(der), Tag.SEQUENCE, 'CertificationRequest'));
    const [versionT, subjectT, spkiT, attrsT] = children(expectTag(infoT, Tag.SEQUENCE, 'CertificationRequestInfo'));
    const version = readSmallInt(expectTag(versionT, Tag.INTEGER, 'version'));
    if (version !== 0) throw new CertsError('badCsr', `unsupported CSR version ${version}`);
    const subject = parseName(expectTag(subjectT, Tag.SEQUENCE, 'subject'));
    const spki = rawOf(expectTag(spkiT, Tag.SEQUENCE, 'subjectPKInfo'));
    const attributes: { oid: string; values: Buffer[] }[] = [];
    // Attributes are [0] IMPLICIT SET OF; some old encoders omit the field entirely.
    if (attrsT && isContext(attrsT, 0)) {
      for (const a of children(attrsT)) {
        const [typeT, valuesT] = children(expectTag(a, Tag.SEQUENCE, 'Attribute'));
        const values = valuesT ? children(expectTag(valuesT, Tag.SET, 'attribute values')).map(rawOf) : [];
        attributes.push({ oid: readOid(expectTag(typeT, Tag.OID, 'attribute type')), values });
      }
    }
    parsed = {
      der,
      info: rawOf(infoT!),
      subject: subject.attributes,
      subjectString: subject.string,
      subjectDer: subject.der,
      spki,
      signatureAlgorithm: readAlgorithmIdentifier(algT, 'signatureAlgorithm').oid,
      signature: readBitString(expectTag(sigT, Tag.BIT_STRING, 'signature')).bytes,
      attributes,
    };
    const pw = attributes.find((a) => a.oid === OID.challengePassword)?.values[0];
    if (pw) parsed.challengePassword = readString(parseDer(pw));
    const extReq = attributes.find((a) => a.oid === OID.extensionRequest)?.values[0];
    if (extReq) {
      parsed.extensionRequest = parseExtensionList(parseDer(extReq));
      const san = parsed.extensionRequest.find((e) => e.oid === OID.subjectAltName);
      if (san) parsed.subjectAltName = parseSubjectAltName(san.value);
    }
  } catch (err) {
    if (err instanceof CertsError && err.code === 'badCsr') throw err;
    throw new CertsError('badCsr', `malformed CSR: ${(err as Error).message}`, { cause: err });
  }
  let facts: PublicKeyFacts;
  try {
    facts = publicKeyFacts(parsed.spki);
  } catch (err) {
    throw new CertsError('badCsr', `CSR public key cannot be read: ${(err as Error).message}`, { cause: err });
  }
  const key = checkClientKey(facts, opts.keyLimits ?? CLIENT_RSA_KEY_LIMITS);
  let publicKey: KeyObject;
  try {
    publicKey = publicKeyFromSpki(parsed.spki);
  } catch (err) {
    throw new CertsError('badCsr', `CSR public key cannot be imported: ${(err as Error).message}`, { cause: err });
  }
  const hash = signatureHash(parsed.signatureAlgorithm);
  let signatureValid = false;
  try {
    signatureValid = verify(hash, parsed.info, publicKey, parsed.signature);
  } catch {
    signatureValid = false;
  }
  const { signature: _s, info: _i, ...rest } = parsed;
  return { ...rest, publicKey, key, signatureValid };
}

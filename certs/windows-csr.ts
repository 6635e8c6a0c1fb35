/**
 * PKCS#10 requests as the Windows enrollment client writes them (MS-MDE2 / MS-WSTEP: the request goes
 * base64 in the RequestSecurityToken), byte for byte in the parts servers trip over. Checked against
 * a Windows 10 (19043) request captured in Fleet's Windows MDM proof of concept, which
 * `openssl req -verify` accepts:
 * - subject: one CN, a PrintableString holding `<request GUID>!<DeviceID>` and a trailing NUL, although
 *   neither `!` nor NUL is a PrintableString character (X.680 §41.4); ub-common-name is 64 (RFC 5280
 *   App. A), so Windows cuts the GUID short to fit `!`, the 32-digit DeviceID and the NUL;
 * - an extensionRequest (RFC 2985 §5.4.2) with one non-critical extension 1.3.6.1.4.1.311.66.1.0 whose
 *   extnValue is the DeviceID in ASCII plus a NUL, not DER;
 * - signature algorithm 1.3.14.3.2.29 (OIW sha1WithRSASignature) with NULL parameters: SHA-1 is the
 *   default when no enrollment policy asks for another hash.
 */
import { createPublicKey, sign, type KeyObject } from 'node:crypto';
import { rsaSignatureAlgorithmIdentifier } from './algorithms.js';
import type { ParsedCsr } from './csr.js';
import { bitString, integer, NULL, oid, parseDer, readString, seq, setOf, Tag, tlv } from './der.js';
import { CertsError } from './errors.js';
import { encodeExtensionList } from './extensions.js';
import { spkiDer } from './keys.js';
import { nameValue } from './name.js';
import { OID } from './oids.js';

/** Microsoft's DeviceID request extension. */
export const WINDOWS_DEVICE_ID_EXTENSION_OID = '1.3.6.1.4.1.311.66.1.0';

/** ub-common-name (RFC 5280 Appendix A). */
const MAX_CN = 64;

/** `<prefix>!<deviceId>` and a NUL, the prefix shortened so the whole fits 64 characters as Windows does. */
export function windowsCsrCommonName(prefix: string, deviceId: string): string {
  const room = MAX_CN - deviceId.length - 2;
  if (room < 0) throw new CertsError('badCsr', `a DeviceID of ${deviceId.length} characters does not fit a common name`);
  return `${prefix.slice(0, room)}!${deviceId}\u0000`;
}

export interface WindowsCsrSpec {
  privateKey: KeyObject;
  /** Derived from privateKey when absent. */
  publicKey?: KeyObject;
  /** The enrollment's request GUID (no braces), the common name's prefix. */
  requestGuid: string;
  /** The DM client's DeviceID (32 hex digits on Windows 10), also sent in the RST's DeviceID context item. */
  deviceId: string;
  /** sha1 (Windows' default, OIW OID) or the hash an enrollment policy asked for (PKCS#1 OIDs). */
  digest?: 'sha1' | 'sha256' | 'sha384' | 'sha512';
}

/** Builds and signs a PKCS#10 with the Windows quirks above (RFC 2986 §4 otherwise). */
export function buildWindowsCsr(spec: WindowsCsrSpec): Buffer {
  const digest = spec.digest ?? 'sha1';
  const cn = windowsCsrCommonName(spec.requestGuid, spec.deviceId);
  // Written with the PrintableString tag although the value is not printable: what Windows sends.
  const subject = seq(setOf([seq(oid('2.5.4.3'), tlv(Tag.PRINTABLE_STRING, Buffer.from(cn, 'latin1')))]));
  const spki = spkiDer(spec.publicKey ?? createPublicKey(spec.privateKey));
  const deviceIdExtension = { oid: WINDOWS_DEVICE_ID_EXTENSION_OID, critical: false, value: Buffer.from(`${spec.deviceId}\u0000`, 'latin1') };
  const attributes = setOf([seq(oid(OID.extensionRequest), setOf([encodeExtensionList([deviceIdExtension])]))], 0xa0);
  const info = seq(integer(0), subject, spki, attributes);
  const algorithm = digest === 'sha1' ? seq(oid(OID.sha1WithRSASignatureOiw), NULL) : rsaSignatureAlgorithmIdentifier(digest);
  return seq(info, algorithm, bitString(sign(digest, info, spec.privateKey)));
}

export interface WindowsCsrIdentity {
  /** The CN exactly as requested (NUL included). */
  commonName: string;
  /** The part before the last `!` (a possibly shortened GUID), when the CN has one. */
  requestGuid?: string;
  /** The part after the last `!`, trailing NULs removed. */
  deviceId?: string;
  /** The DeviceID of the 1.3.6.1.4.1.311.66.1.0 extension, trailing NULs removed. */
  extensionDeviceId?: string;
}

const stripNul = (s: string): string => s.replace(/\u0000+$/, '');

/** What a parsed request says about the device: the CN's parts and the DeviceID extension. */
export function windowsCsrIdentity(csr: ParsedCsr): WindowsCsrIdentity {
  const commonName = nameValue(csr.subject, 'CN') ?? '';
  const out: WindowsCsrIdentity = { commonName };
  const cn = stripNul(commonName);
  const bang = cn.lastIndexOf('!');
  if (bang >= 0) {
    out.requestGuid = cn.slice(0, bang);
    out.deviceId = cn.slice(bang + 1);
  }
  const ext = csr.extensionRequest?.find((e) => e.oid === WINDOWS_DEVICE_ID_EXTENSION_OID);
  if (ext) out.extensionDeviceId = stripNul(extensionText(ext.value));
  return out;
}

/** The extension's value as text: raw ASCII as Windows writes it, or a DER string if another client encodes one. */
function extensionText(value: Buffer): string {
  const first = value[0];
  if (first === Tag.UTF8_STRING || first === Tag.PRINTABLE_STRING || first === Tag.IA5_STRING || first === Tag.BMP_STRING) {
    try {
      return readString(parseDer(value));
    } catch {
      // not DER after all: fall through to the raw reading
    }
  }
  return value.toString('latin1');
}

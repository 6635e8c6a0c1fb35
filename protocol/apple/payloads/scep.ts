/**
 * com.apple.security.scep: the device enrols a key pair with a SCEP server and the resulting
 * identity becomes a payload other payloads point at by PayloadUUID (MDM IdentityCertificateUUID,
 * EAS PayloadCertificateUUID / SMIMESigningCertificateUUID). Apple YAML
 * mdm/profiles/com.apple.security.scep.yaml.
 *
 * All SCEP settings sit in a PayloadContent dict. Subject is Apple's array of RDNs, each an array
 * of [oid-or-short-name, value] pairs: /O=mdmlab/CN=dev → [[["O","mdmlab"]],[["CN","dev"]]].
 */

import { AppleProtocolError } from '../errors.js';
import { withProfileErrors } from '../profile-error.js';
import { DictReader } from '../plist-read.js';
import type { PlistDict, PlistValue } from '../plist-types.js';
import { compact, payloadHeader, payloadReader, type PayloadHeaderInput, type ProfilePayload } from './common.js';

export const SCEP_PAYLOAD_TYPE = 'com.apple.security.scep';

export type ScepSubject = ReadonlyArray<ReadonlyArray<readonly [string, string]>>;
export type ScepKeySize = 1024 | 2048 | 4096;
export const SCEP_KEY_SIZES: readonly ScepKeySize[] = [1024, 2048, 4096];

/** Key Usage bits (YAML): 1 signing, 4 encryption; 5 = both (what MicroMDM uses for the MDM identity). */
export const SCEP_KEY_USAGE = { signing: 1, encryption: 4 } as const;

export interface ScepSubjectAltName {
  rfc822Name?: string | string[];
  dNSName?: string | string[];
  uniformResourceIdentifier?: string | string[];
  ntPrincipalName?: string | string[];
}

export interface ScepSettings {
  url: string;
  name?: string;
  challenge?: string;
  subject?: ScepSubject;
  keysize?: ScepKeySize;
  keyUsage?: number;
  retries?: number;
  retryDelay?: number;
  caFingerprint?: Buffer;
  subjectAltName?: ScepSubjectAltName;
}

export type ScepPayloadInput = PayloadHeaderInput & ScepSettings;

/** A decoded SCEP payload, Apple's defaults applied (Keysize 1024, Key Usage 0, Retries 3, RetryDelay 10). */
export interface ScepPayload {
  url: string;
  name?: string;
  challenge?: string;
  subject: Array<Array<[string, string]>>;
  keysize: ScepKeySize;
  keyType: 'RSA';
  keyUsage: number;
  retries: number;
  retryDelay: number;
  caFingerprint?: Buffer;
  subjectAltName?: ScepSubjectAltName;
}

export function buildScepPayload(input: ScepPayloadInput): PlistDict {
  if (!/^https?:\/\//.test(input.url)) throw new AppleProtocolError('invalidValue', `SCEP URL "${input.url}" must be http(s)`, { key: 'PayloadContent.URL' });
  if (input.keysize !== undefined && !SCEP_KEY_SIZES.includes(input.keysize)) {
    throw new AppleProtocolError('invalidValue', `SCEP Keysize ${input.keysize} is not one of ${SCEP_KEY_SIZES.join(', ')}`, { key: 'PayloadContent.Keysize' });
  }
  const san = input.subjectAltName;
  const content = compact({
    URL: input.url,
    Name: input.name,
    Subject: input.subject?.map((rdn) => rdn.map(([k, v]) => [k, v])),
    Challenge: input.challenge,
    Keysize: input.keysize,
    'Key Type': 'RSA',
    'Key Usage': input.keyUsage,
    Retries: input.retries,
    RetryDelay: input.retryDelay,
    CAFingerprint: input.caFingerprint,
    SubjectAltName: san === undefined ? undefined : compact({ ...san }),
  });
  return { ...payloadHeader(SCEP_PAYLOAD_TYPE, input), PayloadContent: content };
}

/** Throws AppleProfileError (MCPayloadErrorDomain) naming the field. */
export function decodeScepPayload(payload: ProfilePayload | PlistDict): ScepPayload {
  return withProfileErrors('payload', () => {
    const c = payloadReader(payload, SCEP_PAYLOAD_TYPE).child('PayloadContent');
    const url = c.nonEmptyString('URL');
    const keysize = c.optInteger('Keysize') ?? 1024;
    if (!(SCEP_KEY_SIZES as readonly number[]).includes(keysize)) throw c.invalid('Keysize', `${keysize} is not one of ${SCEP_KEY_SIZES.join(', ')}`);
    // "Key Type" per the YAML; "KeyType" is a real-world variant (micromdm/scep testdata/testca/sceptest.mobileconfig).
    const keyType = c.optString('Key Type') ?? c.optString('KeyType') ?? 'RSA';
    if (keyType !== 'RSA') throw c.invalid('Key Type', `"${keyType}" is not supported (always RSA)`);
    const out: ScepPayload = {
      url,
      subject: decodeSubject(c),
      keysize: keysize as ScepKeySize,
      keyType: 'RSA',
      keyUsage: c.optInteger('Key Usage') ?? 0,
      retries: c.optInteger('Retries') ?? 3,
      retryDelay: c.optInteger('RetryDelay') ?? 10,
    };
    const name = c.optString('Name');
    if (name !== undefined) out.name = name;
    const challenge = c.optString('Challenge');
    if (challenge !== undefined) out.challenge = challenge;
    const fp = c.optData('CAFingerprint');
    if (fp !== undefined) out.caFingerprint = fp;
    const san = c.optDict('SubjectAltName');
    if (san !== undefined) out.subjectAltName = decodeSan(new DictReader(san, `${c.path}.SubjectAltName`, c.context));
    return out;
  });
}

function decodeSubject(c: DictReader): Array<Array<[string, string]>> {
  const rdns = c.optArray('Subject');
  if (rdns === undefined) return [];
  const at = `${c.path}.Subject`;
  return rdns.map((rdn, i) => {
    if (!Array.isArray(rdn)) throw wrongShape(c, `${at}[${i}]`, 'an array of [oid, value] pairs', rdn);
    return rdn.map((pair, j) => {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
        throw wrongShape(c, `${at}[${i}][${j}]`, 'an [oid, value] pair of two strings', pair);
      }
      return [pair[0], pair[1]] as [string, string];
    });
  });
}

function wrongShape(c: DictReader, at: string, want: string, got: PlistValue | undefined): AppleProtocolError {
  return new AppleProtocolError('wrongType', `${c.context}: ${at} must be ${want}, found ${Array.isArray(got) ? `an array of ${got.length}` : typeof got}`, { key: at });
}

function decodeSan(r: DictReader): ScepSubjectAltName {
  const out: ScepSubjectAltName = {};
  for (const key of ['rfc822Name', 'dNSName', 'uniformResourceIdentifier', 'ntPrincipalName'] as const) {
    const v = r.raw(key);
    if (v === undefined) continue;
    if (typeof v === 'string') out[key] = v;
    else if (Array.isArray(v) && v.every((x): x is string => typeof x === 'string')) out[key] = v;
    else throw new AppleProtocolError('wrongType', `${r.context}: ${r.path}.${key} must be a string or an array of strings`, { key: `${r.path}.${key}` });
  }
  return out;
}

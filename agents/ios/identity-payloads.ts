import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { isCertsError } from '../../certs/errors.js';
import { isWeakContentCipher } from '../../certs/legacy-ciphers.js';
import { parseCertificate } from '../../certs/certificate.js';
import { readPkcs12 } from '../../certs/pkcs12.js';
import { errorChainItem, installFailureChain, type AppleErrorCode, type ErrorChainItem } from '../../protocol/apple/errors-catalogue.js';
import type { ProfilePayload } from '../../protocol/apple/payloads/common.js';
import type { Pkcs12Payload } from '../../protocol/apple/payloads/pkcs12.js';
import type { ScepPayload } from '../../protocol/apple/payloads/scep.js';
import type { DeviceCertificate } from './device-state.js';
import type { HttpClient } from '../transport/http.js';
import { enrollWithScep } from './scep-client.js';

/**
 * The identity payloads a profile can carry, installed the way iOS does: a
 * com.apple.security.scep payload runs SCEP (scep-client.ts); a com.apple.security.pkcs12 one is
 * opened with its Password (certs/pkcs12.ts). Both give a DeviceCertificate of kind 'identity' that
 * other payloads name by PayloadUUID (com.apple.mdm IdentityCertificateUUID, EAS
 * PayloadCertificateUUID), and that CertificateList reports.
 */

/**
 * MCCertificateErrorDomain, which protocol/apple's catalogue does not carry: codes from Apple's
 * archived MDM Protocol Reference, "Error Codes" appendix (the table scep-errors.ts cites): 9000
 * invalid password, 9005 certificate is malformed, 9006 certificate is not an identity. Public
 * decompiled iPadOS builds raise 9000 from a certificate payload handler's invalid-password error,
 * naming the certificate file.
 */
export const MC_CERTIFICATE_ERROR_DOMAIN = 'MCCertificateErrorDomain';

export const CERTIFICATE_ERRORS = {
  invalidPassword: { domain: MC_CERTIFICATE_ERROR_DOMAIN, code: 9000, description: 'Invalid password' },
  malformed: { domain: MC_CERTIFICATE_ERROR_DOMAIN, code: 9005, description: 'Certificate is malformed' },
  notAnIdentity: { domain: MC_CERTIFICATE_ERROR_DOMAIN, code: 9006, description: 'Certificate is not an identity' },
} as const satisfies Record<string, AppleErrorCode>;

/** A PKCS#12 payload that did not give an identity; `apple` is what iOS reports for it. */
export class Pkcs12Failure extends Error {
  readonly apple: AppleErrorCode;

  constructor(apple: AppleErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'Pkcs12Failure';
    this.apple = apple;
  }

  toErrorChainItem(): ErrorChainItem {
    return errorChainItem(this.apple, this.message);
  }
}

/** The PKCS#12 payload failed, so the profile did not install: 4001 around the certificate error. */
export function pkcs12FailureChain(payloadName: string, failure: Pkcs12Failure): ErrorChainItem[] {
  return installFailureChain(payloadName, failure.toErrorChainItem());
}

/** Opens a PKCS#12 payload with its Password (none: the empty one; MDM cannot ask the user). Throws Pkcs12Failure. */
export function pkcs12Identity(profileIdentifier: string, payload: ProfilePayload, p12: Pkcs12Payload): DeviceCertificate {
  const name = p12.fileName ?? payload.displayName ?? payload.identifier;
  let id;
  try {
    id = readPkcs12(p12.content, p12.password ?? '');
  } catch (err) {
    if (!isCertsError(err)) throw err;
    if (err.code === 'badPassword') throw new Pkcs12Failure(CERTIFICATE_ERRORS.invalidPassword, `The password for the certificate “${name}” is incorrect.`, { cause: err });
    if (err.code === 'badCertificate') throw new Pkcs12Failure(CERTIFICATE_ERRORS.notAnIdentity, `The certificate “${name}” is not an identity: ${err.message}.`, { cause: err });
    throw new Pkcs12Failure(CERTIFICATE_ERRORS.malformed, `The certificate “${name}” is malformed: ${err.message}.`, { cause: err });
  }
  return {
    profileIdentifier,
    payloadIdentifier: payload.identifier,
    payloadUuid: payload.uuid,
    kind: 'identity',
    certDer: id.certDer,
    keyPem: id.keyPem,
    subject: parseCertificate(id.certDer).subject.string,
  };
}

/** What a SCEP enrollment needs from the device (its runtime has all of it). */
export interface ScepEnvironment {
  readonly http: HttpClient;
  readonly log: Logger;
  takeKey(bits: number): Promise<{ privateKey: KeyObject; publicKey: KeyObject; pem: string }>;
}

/**
 * Runs a SCEP payload with a key from the pool. A CA that encrypted its reply with DES or 3DES is
 * accepted, as iOS accepts it, and the device's log says the server used a weak cipher. Throws
 * ScepFailure.
 */
export async function scepIdentity(rt: ScepEnvironment, profileIdentifier: string, payload: ProfilePayload, scep: ScepPayload, caPem: string | undefined): Promise<DeviceCertificate> {
  const key = await rt.takeKey(scep.keysize);
  const issued = await enrollWithScep(rt.http, { payload: scep, privateKey: key.privateKey, publicKey: key.publicKey, ...(caPem ? { caPem } : {}) });
  if (isWeakContentCipher(issued.contentCipher)) {
    rt.log.warn(
      { scepUrl: scep.url, cipher: issued.contentCipher },
      `the SCEP server encrypted its reply with ${issued.contentCipher}, a weak cipher (accepted, as iOS accepts it; RFC 8894 §3.5.2 offers AES)`,
    );
  }
  return {
    profileIdentifier,
    payloadIdentifier: payload.identifier,
    payloadUuid: payload.uuid,
    kind: 'identity',
    certDer: issued.certDer,
    keyPem: key.pem,
    subject: issued.subject,
  };
}

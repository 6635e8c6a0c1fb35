/**
 * com.apple.security.pkcs12: a password-protected identity (Apple YAML
 * mdm/profiles/com.apple.security.pkcs12.yaml): PayloadContent is the PKCS#12 file, Password its
 * password (optional: interactively the user is asked; an MDM install cannot ask), and
 * PayloadCertificateFileName the file's name. Other payloads point at it by PayloadUUID like at a
 * SCEP payload: com.apple.mdm IdentityCertificateUUID ("The UUID of the certificate payload for the
 * device's identity. It may also point to a SCEP payload."), EAS PayloadCertificateUUID.
 *
 * Only the payload's keys are read here; opening the file is certs/pkcs12.ts (no crypto in protocol/).
 */

import { withProfileErrors } from '../profile-error.js';
import type { PlistDict } from '../plist-types.js';
import { compact, payloadHeader, payloadReader, type PayloadHeaderInput, type ProfilePayload } from './common.js';

export const PKCS12_PAYLOAD_TYPE = 'com.apple.security.pkcs12';

export interface Pkcs12PayloadInput extends PayloadHeaderInput {
  /** The PKCS#12 file (DER). */
  content: Buffer;
  password?: string;
  fileName?: string;
}

export interface Pkcs12Payload {
  content: Buffer;
  password?: string;
  fileName?: string;
}

export function buildPkcs12Payload(input: Pkcs12PayloadInput): PlistDict {
  return {
    ...payloadHeader(PKCS12_PAYLOAD_TYPE, input),
    ...compact({ PayloadCertificateFileName: input.fileName, PayloadContent: input.content, Password: input.password }),
  };
}

/** Throws AppleProfileError (MCPayloadErrorDomain) for a missing, empty or mistyped PayloadContent or Password. */
export function decodePkcs12Payload(payload: ProfilePayload | PlistDict): Pkcs12Payload {
  return withProfileErrors('payload', () => {
    const r = payloadReader(payload, PKCS12_PAYLOAD_TYPE);
    const content = r.data('PayloadContent');
    if (content.length === 0) throw r.invalid('PayloadContent', 'must not be empty');
    const out: Pkcs12Payload = { content };
    const password = r.optString('Password');
    if (password !== undefined) out.password = password;
    const fileName = r.optString('PayloadCertificateFileName');
    if (fileName !== undefined) out.fileName = fileName;
    return out;
  });
}

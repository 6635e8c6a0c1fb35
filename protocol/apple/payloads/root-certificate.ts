/**
 * com.apple.security.root: a trusted root certificate (Apple YAML mdm/profiles/com.apple.security.root.yaml,
 * "alias for com.apple.security.pkcs1": PayloadContent = the DER certificate, optional
 * PayloadCertificateFileName). The enrollment profile carries mdmlab's CA this way so the device
 * trusts the server and the SCEP CA.
 */

import { withProfileErrors } from '../profile-error.js';
import type { PlistDict } from '../plist-types.js';
import { compact, payloadHeader, payloadReader, type PayloadHeaderInput, type ProfilePayload } from './common.js';

export const ROOT_CERTIFICATE_PAYLOAD_TYPE = 'com.apple.security.root';

export interface RootCertificatePayloadInput extends PayloadHeaderInput {
  certificateDer: Buffer;
  fileName?: string;
}

export interface RootCertificatePayload {
  certificateDer: Buffer;
  fileName?: string;
}

export function buildRootCertificatePayload(input: RootCertificatePayloadInput): PlistDict {
  return {
    ...payloadHeader(ROOT_CERTIFICATE_PAYLOAD_TYPE, input),
    ...compact({ PayloadCertificateFileName: input.fileName, PayloadContent: input.certificateDer }),
  };
}

/** Throws AppleProfileError (MCPayloadErrorDomain) for a missing or mistyped PayloadContent. */
export function decodeRootCertificatePayload(payload: ProfilePayload | PlistDict): RootCertificatePayload {
  return withProfileErrors('payload', () => {
    const r = payloadReader(payload, ROOT_CERTIFICATE_PAYLOAD_TYPE);
    const certificateDer = r.data('PayloadContent');
    if (certificateDer.length === 0) throw r.invalid('PayloadContent', 'must not be empty');
    const fileName = r.optString('PayloadCertificateFileName');
    return fileName === undefined ? { certificateDer } : { certificateDer, fileName };
  });
}

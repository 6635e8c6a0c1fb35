import { describe, expect, it } from 'vitest';
import { decodeRootCertificatePayload } from '../../../../protocol/apple/payloads/root-certificate.js';
import { appleError, root } from './helpers.js';

describe('com.apple.security.root decoder', () => {
  it('refuses a missing, mistyped or empty PayloadContent', () => {
    const { PayloadContent: _c, ...noContent } = root();
    expect(appleError(() => decodeRootCertificatePayload(noContent))).toMatchObject({ domain: 'MCPayloadErrorDomain', code: 2002, field: 'PayloadContent' });
    expect(appleError(() => decodeRootCertificatePayload({ ...root(), PayloadContent: 'MIIB' }))).toMatchObject({ code: 2003 });
    expect(appleError(() => decodeRootCertificatePayload({ ...root(), PayloadContent: Buffer.alloc(0) }))).toMatchObject({ code: 2004 });
  });
});

import { describe, expect, it } from 'vitest';
import { payloadDict } from '../../../../protocol/apple/payloads/common.js';
import { decodeMdmPayload } from '../../../../protocol/apple/payloads/mdm.js';
import { decodeEasPayload } from '../../../../protocol/apple/payloads/eas-account.js';
import { appleError, eas, mdm, scep } from './helpers.js';

describe('common payload helpers', () => {
  it('decoders refuse a payload of another type (2004)', () => {
    expect(appleError(() => decodeMdmPayload(scep()))).toMatchObject({ code: 2004, field: 'PayloadType' });
    expect(appleError(() => decodeEasPayload(mdm()))).toMatchObject({ code: 2004 });
  });

  it('payloadDict takes a parsed payload or a bare dict', () => {
    const d = eas();
    expect(payloadDict(d)).toBe(d);
    expect(payloadDict({ type: 't', version: 1, identifier: 'i', uuid: 'u', dict: d })).toBe(d);
  });
});

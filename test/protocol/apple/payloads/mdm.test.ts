import { describe, expect, it } from 'vitest';
import { decodeMdmPayload, accessRightsProblem } from '../../../../protocol/apple/payloads/mdm.js';
import { appleError, mdm, patched } from './helpers.js';

describe('com.apple.mdm decoder', () => {
  it.each<[string, Record<string, unknown>, string, number, string]>([
    ['no Topic', { Topic: undefined }, 'MCPayloadErrorDomain', 2002, 'Topic'],
    ['a foreign Topic', { Topic: 'com.example.x' }, 'MCPayloadErrorDomain', 2004, 'Topic'],
    ['an http ServerURL', { ServerURL: 'http://x' }, 'MCPayloadErrorDomain', 2004, 'ServerURL'],
    ['no IdentityCertificateUUID', { IdentityCertificateUUID: undefined }, 'MCPayloadErrorDomain', 2002, 'IdentityCertificateUUID'],
    ['SignMessage as a string', { SignMessage: 'true' }, 'MCPayloadErrorDomain', 2003, 'SignMessage'],
    ['no AccessRights', { AccessRights: undefined }, 'MCPayloadErrorDomain', 2002, 'AccessRights'],
    ['AccessRights 0', { AccessRights: 0 }, 'MCMDMErrorDomain', 12000, 'AccessRights'],
    ['AccessRights 2 alone', { AccessRights: 2 }, 'MCMDMErrorDomain', 12000, 'AccessRights'],
    ['ServerCapabilities with a number', { ServerCapabilities: [1] }, 'MCPayloadErrorDomain', 2003, 'ServerCapabilities[0]'],
  ])('refuses %s', (_name, patch, domain, code, field) => {
    expect(appleError(() => decodeMdmPayload(patched(mdm(), patch)))).toMatchObject({ domain, code, field });
  });

  it('access-right rules', () => {
    expect(accessRightsProblem(8191)).toBeUndefined();
    expect(accessRightsProblem(3)).toBeUndefined();
    expect(accessRightsProblem(8192)).toMatch(/between/);
    expect(accessRightsProblem(64 | 128 | 1)).toBeUndefined();
  });
});

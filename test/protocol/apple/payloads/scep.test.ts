import { describe, expect, it } from 'vitest';
import { decodeScepPayload } from '../../../../protocol/apple/payloads/scep.js';
import { appleError, scepContent } from './helpers.js';

describe('com.apple.security.scep decoder', () => {
  it.each<[string, Record<string, unknown>, number, string]>([
    ['no URL', { URL: undefined }, 2002, 'PayloadContent.URL'],
    ['Keysize 512', { Keysize: 512 }, 2004, 'PayloadContent.Keysize'],
    ['Keysize as a string', { Keysize: '2048' }, 2003, 'PayloadContent.Keysize'],
    ['an EC key type', { 'Key Type': 'ECSECPrimeRandom' }, 2004, 'PayloadContent.Key Type'],
    ['a flat subject', { Subject: [['CN', 'x']] }, 2003, 'PayloadContent.Subject[0][0]'],
    ['a subject pair of three', { Subject: [[['CN', 'x', 'y']]] }, 2003, 'PayloadContent.Subject[0][0]'],
    ['a subject value that is not a string', { Subject: [[['CN', 1]]] }, 2003, 'PayloadContent.Subject[0][0]'],
    ['SubjectAltName with an integer', { SubjectAltName: { dNSName: 5 } }, 2003, 'PayloadContent.SubjectAltName.dNSName'],
    ['CAFingerprint as a string', { CAFingerprint: 'ab:cd' }, 2003, 'PayloadContent.CAFingerprint'],
  ])('refuses %s', (_name, patch, code, field) => {
    expect(appleError(() => decodeScepPayload(scepContent(patch)))).toMatchObject({ code, field });
  });

  it('accepts the KeyType spelling and SubjectAltName arrays', () => {
    const p = scepContent({ 'Key Type': undefined, KeyType: 'RSA', SubjectAltName: { dNSName: ['a.test', 'b.test'], rfc822Name: 'a@b.c' } });
    expect(decodeScepPayload(p).subjectAltName).toEqual({ dNSName: ['a.test', 'b.test'], rfc822Name: 'a@b.c' });
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AUTH_BASIC,
  AUTH_MD5,
  basicCredential,
  decodeSyncML,
  isMd5Credential,
  md5Challenge,
  md5Credential,
  md5CredentialHash,
  md5Digest,
  md5DigestFromHash,
  nonceOfChallenge,
  parseBasicCredential,
  verifyMd5Digest,
} from '../../../../protocol/windows/syncml/index.js';
import { DEVICE_ID, expectWindowsError } from '../fixtures.js';
import { clientFirstMessage } from './messages.js';

describe('syncml:auth-md5 (OMA-TS-DM_Security §5.3)', () => {
  it('matches the OMA DM worked example: Bruce2 / OhBehave / nonce "Nonce" → Zz6EivR3yeaaENcRN6lpAQ==', () => {
    // The example sends the nonce as NextNonce "Tm9uY2U=" (b64 of "Nonce") and hashes its decoded bytes.
    const nonce = nonceOfChallenge({ type: AUTH_MD5, format: 'b64', nextNonce: 'Tm9uY2U=' });
    expect(nonce.toString('latin1')).toBe('Nonce');
    expect(md5Digest('Bruce2', 'OhBehave', nonce)).toBe('Zz6EivR3yeaaENcRN6lpAQ==');
    expect(md5CredentialHash('Bruce2', 'OhBehave').toString('base64')).toBe('PtEdr8lBQ45IbT1bZIkrOQ==');
    // Hashing the base64 text instead of the bytes gives another digest: the rule is not cosmetic.
    expect(md5DigestFromHash(md5CredentialHash('Bruce2', 'OhBehave'), Buffer.from('Tm9uY2U='))).not.toBe('Zz6EivR3yeaaENcRN6lpAQ==');
  });

  it('hashes binary nonces byte for byte and names as UTF-8', () => {
    const nonce = Buffer.from([0x00, 0xff, 0x3a, 0x80]);
    const inner = createHash('md5').update(Buffer.from('Zoë:pässwörd', 'utf8')).digest('base64');
    const expected = createHash('md5').update(Buffer.concat([Buffer.from(`${inner}:`), nonce])).digest('base64');
    expect(md5Digest('Zoë', 'pässwörd', nonce)).toBe(expected);
  });

  it('verifies a credential from a stored hash, refusing a wrong password, a stale nonce and garbage', () => {
    const hash = md5CredentialHash(DEVICE_ID, 'device-secret');
    const nonce = Buffer.from('0123456789abcdef');
    const cred = md5Credential(DEVICE_ID, 'device-secret', nonce);
    expect(cred.meta).toEqual({ type: 'syncml:auth-md5', format: 'b64' });
    expect(isMd5Credential(cred)).toBe(true);
    expect(verifyMd5Digest(cred.data, hash, nonce)).toBe(true);
    expect(verifyMd5Digest(` ${cred.data}\n`, hash, nonce)).toBe(true);
    expect(verifyMd5Digest(cred.data, md5CredentialHash(DEVICE_ID, 'wrong'), nonce)).toBe(false);
    expect(verifyMd5Digest(cred.data, hash, Buffer.from('another nonce'))).toBe(false);
    for (const junk of ['', 'not base64!', 'AAAA', Buffer.alloc(17).toString('base64')]) expect(verifyMd5Digest(junk, hash, nonce)).toBe(false);
  });

  it('checks the Cred a client message carries', () => {
    const nonce = Buffer.from('first nonce');
    const msg = decodeSyncML(clientFirstMessage({ cred: md5Digest(DEVICE_ID, 'device-secret', nonce) }));
    expect(isMd5Credential(msg.header.cred!)).toBe(true);
    expect(verifyMd5Digest(msg.header.cred!.data, md5CredentialHash(msg.header.source.locName!, 'device-secret'), nonce)).toBe(true);
    // A Cred without Data is an empty credential that fails, not an unreadable message.
    const empty = decodeSyncML(clientFirstMessage({ cred: 'X' }).replace('<Data>X</Data>', ''));
    expect(empty.header.cred).toEqual({ meta: { format: 'b64', type: 'syncml:auth-md5' }, data: '' });
    expect(verifyMd5Digest(empty.header.cred!.data, md5CredentialHash(DEVICE_ID, 'device-secret'), nonce)).toBe(false);
  });

  it('challenges with a base64 NextNonce and reads one back, refusing malformed ones', () => {
    const nonce = Buffer.from([1, 2, 3, 4, 5, 250]);
    const chal = md5Challenge(nonce);
    expect(chal).toEqual({ type: AUTH_MD5, format: 'b64', nextNonce: 'AQIDBAX6' });
    expect(nonceOfChallenge(chal).equals(nonce)).toBe(true);
    expectWindowsError(() => md5Challenge(Buffer.alloc(0)), 'invalidValue');
    expectWindowsError(() => nonceOfChallenge({ type: AUTH_MD5, format: 'chr', nextNonce: 'abc' }), 'invalidValue', 'Chal/Meta/Format');
    expectWindowsError(() => nonceOfChallenge({ type: AUTH_MD5 }), 'invalidValue', 'Chal/Meta/NextNonce');
    expectWindowsError(() => nonceOfChallenge({ type: AUTH_MD5, nextNonce: 'a*b=' }), 'invalidValue', 'Chal/Meta/NextNonce');
  });
});

describe('syncml:auth-basic', () => {
  it('round-trips user:password and refuses what is not b64(user:pass)', () => {
    const cred = basicCredential('alice@contoso.com', 'p:a:s:s');
    expect(cred.meta.type).toBe(AUTH_BASIC);
    expect(isMd5Credential(cred)).toBe(false);
    expect(parseBasicCredential(cred.data)).toEqual({ username: 'alice@contoso.com', password: 'p:a:s:s' });
    expectWindowsError(() => parseBasicCredential('!!!'), 'invalidValue');
    expectWindowsError(() => parseBasicCredential(Buffer.from('nocolon').toString('base64')), 'invalidValue');
  });
});

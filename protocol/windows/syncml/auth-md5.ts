/**
 * SyncML credentials (OMA-TS-DM_Security-V1_2 §5.3; Cred and Chal in OMA-TS-DM_RepPro).
 *
 * syncml:auth-md5: Data = B64(H(B64(H(username ":" password)) ":" nonce)), H = MD5. Two byte rules
 * matter and are easy to get wrong:
 * - the nonce travels base64 (Chal/Meta/NextNonce with Format b64, AAUTHDATA in the provisioning
 *   document), but the hash takes its decoded bytes ("the octal form of the binary data": Microsoft,
 *   "Server requirements for using OMA DM to manage Windows devices"; Fleet's server and its test
 *   client do the same);
 * - user name and password are hashed as UTF-8.
 * Known answer (the authentication example of OMA-TS-DM_Protocol 1.2 and the Cred example of OMA-TS-DM_RepPro):
 * user Bruce2, password OhBehave, nonce "Nonce" (NextNonce `Tm9uY2U=`) → `Zz6EivR3yeaaENcRN6lpAQ==`.
 *
 * syncml:auth-basic: Data = B64(username ":" password).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { invalid } from '../errors.js';
import type { SyncMLCredential, SyncMLMeta } from './types.js';

export const AUTH_MD5 = 'syncml:auth-md5';
export const AUTH_BASIC = 'syncml:auth-basic';
export const FORMAT_B64 = 'b64';

const md5 = (data: Buffer | string): Buffer => createHash('md5').update(data).digest();

/** H(username:password): what a server may keep instead of the password itself. */
export function md5CredentialHash(username: string, password: string): Buffer {
  return md5(Buffer.from(`${username}:${password}`, 'utf8'));
}

/** The digest from a stored credential hash and the binary nonce, base64 as it goes into Cred/Data. */
export function md5DigestFromHash(credentialHash: Buffer, nonce: Buffer): string {
  const inner = Buffer.from(`${credentialHash.toString('base64')}:`, 'latin1');
  return md5(Buffer.concat([inner, nonce])).toString('base64');
}

export function md5Digest(username: string, password: string, nonce: Buffer): string {
  return md5DigestFromHash(md5CredentialHash(username, password), nonce);
}

/** Constant-time check of a received Cred/Data against the expected digest; false for anything malformed. */
export function verifyMd5Digest(data: string, credentialHash: Buffer, nonce: Buffer): boolean {
  const compact = data.trim();
  if (!/^[A-Za-z0-9+/]{22}==$/.test(compact)) return false; // an MD5 digest is 16 bytes
  const got = Buffer.from(compact, 'base64');
  const want = Buffer.from(md5DigestFromHash(credentialHash, nonce), 'base64');
  return timingSafeEqual(got, want);
}

/** The SyncHdr Cred for syncml:auth-md5. */
export function md5Credential(username: string, password: string, nonce: Buffer): SyncMLCredential {
  return { meta: { type: AUTH_MD5, format: FORMAT_B64 }, data: md5Digest(username, password, nonce) };
}

export function basicCredential(username: string, password: string): SyncMLCredential {
  return { meta: { type: AUTH_BASIC, format: FORMAT_B64 }, data: Buffer.from(`${username}:${password}`, 'utf8').toString('base64') };
}

/** User name and password of a syncml:auth-basic Cred/Data; invalidValue when it is not `b64(user:pass)`. */
export function parseBasicCredential(data: string): { username: string; password: string } {
  const compact = data.trim();
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) throw invalid('SyncHdr/Cred/Data', 'a basic credential must be base64');
  const text = Buffer.from(compact, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) throw invalid('SyncHdr/Cred/Data', 'a basic credential must be base64 of user:password');
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** Chal/Meta asking for syncml:auth-md5 with the next nonce (OMA-TS-DM_RepPro, Chal: with auth-md5 the NextNonce Format MUST be b64). */
export function md5Challenge(nonce: Buffer): SyncMLMeta {
  if (nonce.length === 0) throw invalid('Chal/Meta/NextNonce', 'the nonce must not be empty');
  return { type: AUTH_MD5, format: FORMAT_B64, nextNonce: nonce.toString('base64') };
}

/** The binary nonce of a challenge; invalidValue when it is missing, not b64 or not base64. */
export function nonceOfChallenge(chal: SyncMLMeta): Buffer {
  const format = chal.format?.toLowerCase();
  if (format !== undefined && format !== FORMAT_B64) throw invalid('Chal/Meta/Format', `NextNonce Format must be b64, got "${chal.format}"`);
  const v = chal.nextNonce?.replace(/\s+/g, '');
  if (!v || v.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(v)) throw invalid('Chal/Meta/NextNonce', 'NextNonce must be base64');
  return Buffer.from(v, 'base64');
}

/** Whether a Cred is syncml:auth-md5 with b64 format (type and format compare case-insensitively). */
export function isMd5Credential(cred: SyncMLCredential): boolean {
  return cred.meta.type?.toLowerCase() === AUTH_MD5 && (cred.meta.format === undefined || cred.meta.format.toLowerCase() === FORMAT_B64);
}

import { createHash } from 'node:crypto';
import { isMd5Credential, verifyMd5Digest } from '../../../protocol/windows/syncml/auth-md5.js';
import type { SyncMLHeader } from '../../../protocol/windows/syncml/types.js';
import type { SessionRefusalCode } from '../../errors/catalogue.js';
import type { WindowsDeviceRecord } from '../../store/records.js';

/**
 * How a message proved it comes from the device it names (its SyncHdr Source):
 * - certificate: mutual TLS with the client certificate issued at its enrollment (w7 APPLICATION
 *   SSLCLIENTCERTSEARCHCRITERIA). The handshake proved the key; the certificate must be the very one
 *   bound to this DeviceID and still valid. A credential is then not needed (real Windows clients
 *   often send none over TLS).
 * - digest: a syncml:auth-md5 Cred (OMA-TS-DM_Security §5.3) from the provisioned CLIENT APPAUTH
 *   credential and the current nonce; the reply carries the next nonce (nonce chaining).
 * - retransmission: the digest was made with the nonce before the current one, for exactly the
 *   last message processed: that message again, whose reply was lost; it gets the same reply.
 * A certificate that is not the device's is refused whatever else the message carries: a device
 * can never act for another.
 */
export type AuthVerdict = { by: 'certificate' | 'digest' | 'retransmission' } | { refused: Extract<SessionRefusalCode, 'credentialsMissing' | 'credentialsInvalid'> };

export function authenticateMessage(
  windows: WindowsDeviceRecord,
  header: SyncMLHeader,
  peerCertificateDer: Buffer | undefined,
  requestHash: string,
  lastRequestHash: string | undefined,
  at: string,
): AuthVerdict {
  if (peerCertificateDer !== undefined) {
    const fingerprint = createHash('sha256').update(peerCertificateDer).digest('hex');
    if (fingerprint !== windows.identityFingerprint || windows.identityNotAfter < at) return { refused: 'credentialsInvalid' };
    return { by: 'certificate' };
  }
  const cred = header.cred;
  if (!cred) return { refused: 'credentialsMissing' };
  if (!isMd5Credential(cred)) return { refused: 'credentialsInvalid' };
  // The user name of an MD5 credential is implied; one given (Source LocName) must be the device's.
  if (header.source.locName !== undefined && header.source.locName !== windows.dmDeviceId) return { refused: 'credentialsInvalid' };
  const hash = Buffer.from(windows.credentialHash, 'base64');
  if (verifyMd5Digest(cred.data, hash, Buffer.from(windows.nonce, 'base64'))) return { by: 'digest' };
  if (windows.previousNonce !== undefined && lastRequestHash === requestHash && verifyMd5Digest(cred.data, hash, Buffer.from(windows.previousNonce, 'base64'))) {
    return { by: 'retransmission' };
  }
  return { refused: 'credentialsInvalid' };
}

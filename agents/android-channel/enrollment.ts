import { buildCsr } from '../../certs/csr.js';
import { certificateKeyId } from '../../certs/http-signature.js';
import { importPrivateKey } from '../../certs/keys.js';
import { derToPem } from '../../certs/pem.js';
import type { DeviceReport } from '../../protocol/android/amapi/device.js';
import { decodeProvisioningQr, isProvisioningQrFor, type ProvisioningQr } from '../../protocol/android/provisioning/qr-code.js';
import type { EnrollmentTicket } from '../device.js';
import type { PooledKey } from '../identity/key-pool.js';
import { AndroidDeviceError } from './android-errors.js';
import type { AndroidIdentity } from './android-state.js';
import type { ChannelClient, ChannelCredentials } from './channel-client.js';

/**
 * Reads the ticket the way the DPC reads the QR code it was provisioned with (AMAPI
 * EnrollmentToken.qrCode: provisioning extras, the admin extras bundle carrying the enrollment
 * token and mdmlab's server URL). A device set up for one server refuses a QR code naming another
 * (a code printed for the wrong environment, or planted): it would hand its facts to a stranger.
 */
export function readTicket(ticket: EnrollmentTicket, expectedServerUrl: string | undefined): ProvisioningQr {
  if (!ticket.qrCode) throw new AndroidDeviceError('badTicket', 'an Android device enrolls from the QR code payload of an enrollment token (qrCode)');
  const qr = decodeProvisioningQr(ticket.qrCode);
  if (!qr.ok) throw new AndroidDeviceError('badQrCode', `the QR code is not a provisioning payload for this device: ${qr.error.message}`);
  if (expectedServerUrl !== undefined && !isProvisioningQrFor(qr.value, expectedServerUrl)) {
    throw new AndroidDeviceError('qrForAnotherServer', `the QR code is for ${qr.value.serverUrl}, not for ${expectedServerUrl}: refused`);
  }
  return qr.value;
}

/**
 * Registration (POST /android/v1/register): the token, a PKCS#10 request for the device identity
 * (RFC 2986, signed with a key of the key pool) and the device's facts; the answer's certificate
 * and CA become the device's identity for every later request.
 */
export async function registerDevice(channel: ChannelClient, qr: ProvisioningQr, key: PooledKey, facts: DeviceReport, caPem: string | undefined): Promise<AndroidIdentity> {
  const csr = buildCsr({ privateKey: key.privateKey, publicKey: key.publicKey, subject: [{ shortName: 'CN', value: facts.hardwareInfo?.serialNumber ?? 'android device' }] });
  const answer = await channel.register(qr.serverUrl, { enrollmentToken: qr.enrollmentToken, certificateSigningRequest: csr.toString('base64'), device: facts }, caPem);
  const certificate = Buffer.from(answer.certificate, 'base64');
  return {
    serverUrl: qr.serverUrl.replace(/\/+$/, ''),
    deviceName: answer.deviceName,
    policyName: answer.policyName,
    keyPem: key.pem,
    certificate: answer.certificate,
    caPem: derToPem(Buffer.from(answer.caCertificate, 'base64'), 'CERTIFICATE'),
    keyId: certificateKeyId(certificate),
  };
}

export function credentialsOf(identity: AndroidIdentity): ChannelCredentials {
  return {
    serverUrl: identity.serverUrl,
    privateKey: importPrivateKey(identity.keyPem),
    keyPem: identity.keyPem,
    certificateDer: Buffer.from(identity.certificate, 'base64'),
    keyId: identity.keyId,
    caPem: identity.caPem,
  };
}

/** The push gateway next to the server: ws(s)://<host of the server URL>/push, unless configured. */
export function androidPushUrl(serverUrl: string, configured: string | undefined): string {
  if (configured) return configured;
  const u = new URL(serverUrl);
  return `${u.protocol === 'https:' ? 'wss:' : 'ws:'}//${u.host}/push`;
}

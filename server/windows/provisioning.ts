import { buildEnrollmentProvisioningDoc } from '../../protocol/windows/provisioning/enrollment-document.js';
import { encodeProvisioningDoc } from '../../protocol/windows/provisioning/wap-document.js';
import { PROVIDER_ID, WINDOWS_PATHS, pollSchedule } from './windows-context.js';

export interface DeviceProvisioning {
  baseUrl: string;
  caCertDer: Buffer;
  clientCertDer: Buffer;
  /** `Full` puts the client certificate in My/User, `Device` in My/System. */
  enrollmentType: 'Full' | 'Device';
  platform: 'windows10' | 'windowsPhone81';
  deviceId: string;
  upn: string;
  deviceName?: string;
  /** The device's DM credential (APPSRV APPAUTH) and the nonce of its first digest. */
  device: { secret: string; nonce: Buffer };
  /** The server's (CLIENT APPAUTH). */
  server: { secret: string; nonce: Buffer };
}

/**
 * The wap-provisioningdoc of an issued enrollment (MS-MDE2's provisioning document, in the order of
 * Microsoft's on-premises sample): our CA in CertificateStore/Root/System, the client certificate
 * in My/User (a user enrollment) or My/System (a device enrollment, Windows Phone 8.1) under its
 * upper-case SHA-1 thumbprint, the w7 APPLICATION (the OMA-DM address and both APPAUTH blocks with
 * DIGEST credentials: APPSRV — the device's, named by its DeviceID — and CLIENT — the server's),
 * and the DMClient provider with its poll schedule. No WSTEP/Renew: this server does not renew.
 * Holds the device's DM secret: never logged.
 */
export function enrollmentProvisioningDocument(p: DeviceProvisioning): string {
  const store = p.enrollmentType === 'Device' ? 'System' : 'User';
  const tls = p.baseUrl.startsWith('https://');
  const doc = buildEnrollmentProvisioningDoc({
    rootCertificate: p.caCertDer,
    clientCertificate: p.clientCertDer,
    clientCertificateStore: store,
    application: {
      providerId: PROVIDER_ID,
      name: 'mdmlab',
      address: `${p.baseUrl}${WINDOWS_PATHS.management}`,
      // With TLS the client presents its enrollment certificate (w7 APPLICATION CSP, SSLCLIENTCERTSEARCHCRITERIA).
      ...(tls ? { sslClientCertSearchCriteria: `Subject=${encodeURIComponent(`CN=${p.deviceId}`)}&Stores=My%5C${store}` } : {}),
      // [fix from windows-device] w7 APPLICATION CSP, AAUTHLEVEL: APPSRV is the credential the
      // client authenticates itself to the server with (the device's: its DeviceID and own secret),
      // CLIENT the one the server authenticates itself to the client with. A real Windows client
      // digests with APPSRV; the contract had the two levels the other way round.
      serverCredentials: { name: PROVIDER_ID, secret: p.server.secret, nonce: p.server.nonce },
      clientCredentials: { type: 'DIGEST', name: p.deviceId, secret: p.device.secret, nonce: p.device.nonce },
    },
    dmClient: { poll: pollSchedule(p.platform), upn: p.upn, ...(p.deviceName ? { entDeviceName: p.deviceName } : {}) },
  });
  return encodeProvisioningDoc(doc);
}

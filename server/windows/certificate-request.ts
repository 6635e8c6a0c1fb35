import { parseCsr, type ParsedCsr } from '../../certs/csr.js';
import { isCertsError } from '../../certs/errors.js';
import { CLIENT_RSA_KEY_LIMITS } from '../../certs/key-limits.js';
import { windowsCsrIdentity } from '../../certs/windows-csr.js';
import { isWindowsProtocolError } from '../../protocol/windows/errors.js';
import { enrollmentRequestDer, type EnrollmentRequest } from '../../protocol/windows/mde2/enrollment-request.js';
import { REQUEST_TYPE_ISSUE, TOKEN_TYPE_DEVICE_ENROLLMENT } from '../../protocol/windows/mde2/namespaces.js';
import { EnrollmentFault } from './enrollment-fault.js';
import { ENROLLMENT_POLICY } from './windows-context.js';

/**
 * A DeviceID the server takes: what a Windows client sends (32 hex digits on Windows 10, a GUID in
 * Microsoft's samples), short enough for the CSR's common name (`<GUID>!<DeviceID>` within 64
 * characters) and safe in a SyncML LocURI. No `!`: it separates the parts of that common name.
 */
export const DEVICE_ID = /^[A-Za-z0-9{}][A-Za-z0-9{}\-_.:]{0,61}$/;

/** The RSA sizes the enrollment policy allows (MS-XCEP minimalKeyLength), within the client key limits. */
const ENROLLMENT_KEY_LIMITS = { minModulusBits: ENROLLMENT_POLICY.minimalKeyLength, maxModulusBits: CLIENT_RSA_KEY_LIMITS.maxModulusBits };

export interface JudgedRequest {
  csr: ParsedCsr;
  /** The device the request is for, as its enrollment context names it. */
  deviceId: string;
}

/**
 * The shape of a RequestSecurityToken (MS-WSTEP §3.1.4.1.1.1): an Issue of a device enrollment
 * token. A Renew or a PKCS#7 (renewal signed with the current certificate) is refused: this server
 * does not renew, the device enrolls again. Cheap, so it runs before the credentials are looked up.
 */
export function checkRequestShape(request: EnrollmentRequest): void {
  if (request.tokenFormat === 'PKCS7' || request.requestType.toLowerCase() !== REQUEST_TYPE_ISSUE.toLowerCase()) {
    throw new EnrollmentFault('renewalNotSupported');
  }
  if (request.tokenType.toLowerCase() !== TOKEN_TYPE_DEVICE_ENROLLMENT.toLowerCase()) {
    throw new EnrollmentFault('malformedMessage', `TokenType must be ${TOKEN_TYPE_DEVICE_ENROLLMENT}`);
  }
}

/**
 * The device's PKCS#10 (RFC 2986), judged cheapest first: base64, then the key read from the DER
 * alone (RSA within the policy's sizes, key-limits.ts) before any RSA work with it, then the
 * signature (proof of possession), then the DeviceID. Windows names its DeviceID three times —
 * the DeviceID context item (MS-MDE2 §2.2.9.3), after the `!` of the common name and in the
 * 1.3.6.1.4.1.311.66.1.0 extension (certs/windows-csr.ts) — and every one present must agree, so
 * a request cannot be for one device and claim another.
 */
export function judgeCertificateRequest(request: EnrollmentRequest): JudgedRequest {
  let der: Buffer;
  try {
    der = enrollmentRequestDer(request);
  } catch (err) {
    if (isWindowsProtocolError(err)) throw new EnrollmentFault('malformedMessage', 'the BinarySecurityToken is not base64');
    throw err;
  }
  let csr: ParsedCsr;
  try {
    csr = parseCsr(der, { keyLimits: ENROLLMENT_KEY_LIMITS });
  } catch (err) {
    if (!isCertsError(err)) throw err;
    const why = err.code === 'keyNotAllowed' ? err.message : 'it is not a PKCS#10 certification request';
    throw new EnrollmentFault('certificateRequestRefused', `the certificate request is refused: ${why}`);
  }
  if (!csr.signatureValid) throw new EnrollmentFault('certificateRequestRefused', 'the certificate request signature does not verify');
  const named = windowsCsrIdentity(csr);
  const claims = [request.context.deviceId, named.deviceId, named.extensionDeviceId].filter((d): d is string => d !== undefined && d !== '');
  const deviceId = claims[0];
  if (deviceId === undefined) throw new EnrollmentFault('invalidEnrollmentData', 'the request names no DeviceID (context item, common name or extension)');
  if (claims.some((c) => c.toLowerCase() !== deviceId.toLowerCase())) {
    throw new EnrollmentFault('invalidEnrollmentData', 'the DeviceID of the enrollment context and of the certificate request differ');
  }
  if (!DEVICE_ID.test(deviceId)) throw new EnrollmentFault('invalidEnrollmentData', 'the DeviceID has characters or a length a DeviceID cannot have');
  return { csr, deviceId };
}

/**
 * Device registration: how mdmlab's DPC enrolls with the token it scanned (the step Android Device
 * Policy performs with Google under AMAPI). mdmlab's own message, not an AMAPI resource: the token,
 * a PKCS#10 request for the device's identity (RFC 2986) and the device's facts in the AMAPI
 * `Device` shape (model, Android and Knox versions, management mode). The answer names the device
 * and its policy and carries the certificate every later request is proven with (mutual TLS, or an
 * HTTP message signature in plain-HTTP lab mode).
 */

import { AndroidProtocolError, toResult, type DecodeResult } from './errors.js';
import { FieldReader, parseJsonDocument, type JsonObject } from './json.js';
import { deviceReportJson, readDeviceReport, type DeviceReport } from './amapi/device.js';
import { ENROLLMENT_TOKEN_VALUE } from './amapi/enrollment-token.js';
import { base64Rule } from './amapi/mdmlab-extension.js';
import { readResourceName } from './amapi/values.js';

export interface DeviceRegistrationRequest {
  enrollmentToken: string;
  /** PKCS#10 CertificationRequest, DER, base64. */
  certificateSigningRequest: string;
  /** The device's facts; without `name` (the server names the device). */
  device: DeviceReport;
}

export interface DeviceRegistrationResponse {
  /** `enterprises/{enterpriseId}/devices/{deviceId}`. */
  deviceName: string;
  /** `enterprises/{enterpriseId}/policies/{policyId}`: what the device pulls. */
  policyName: string;
  /** The device certificate, DER, base64. */
  certificate: string;
  /** The CA certificate it chains to, DER, base64. */
  caCertificate: string;
}

export const REGISTRATION_REQUEST_FIELDS = ['enrollmentToken', 'certificateSigningRequest', 'device'] as const;
export const REGISTRATION_RESPONSE_FIELDS = ['deviceName', 'policyName', 'certificate', 'caCertificate'] as const;

export const REGISTRATION_LIMITS = {
  maxBytes: 64 * 1024,
  maxDepth: 8,
  /** A PKCS#10 with an RSA-4096 key and a few attributes stays well under 8 KiB of DER. */
  csrBase64: 11_000,
  certificateBase64: 22_000,
} as const;

export function decodeRegistrationRequest(body: string | Uint8Array): DecodeResult<DeviceRegistrationRequest> {
  return toResult(() => {
    const r = new FieldReader(parseJsonDocument(body, REGISTRATION_LIMITS), '', REGISTRATION_REQUEST_FIELDS);
    const device = r.custom('device', readDeviceReport);
    if (device.name !== undefined) {
      throw new AndroidProtocolError('invalidValue', 'device.name', 'device.name must be absent: the server names the device at registration');
    }
    return {
      enrollmentToken: r.string('enrollmentToken', ENROLLMENT_TOKEN_VALUE),
      certificateSigningRequest: r.string('certificateSigningRequest', base64Rule(REGISTRATION_LIMITS.csrBase64)),
      device,
    };
  });
}

export function encodeRegistrationRequest(req: DeviceRegistrationRequest): string {
  const out: JsonObject = {
    enrollmentToken: req.enrollmentToken,
    certificateSigningRequest: req.certificateSigningRequest,
    device: deviceReportJson(req.device),
  };
  return JSON.stringify(out);
}

export function decodeRegistrationResponse(body: string | Uint8Array): DecodeResult<DeviceRegistrationResponse> {
  return toResult(() => {
    const r = new FieldReader(parseJsonDocument(body, REGISTRATION_LIMITS), '', REGISTRATION_RESPONSE_FIELDS);
    return {
      deviceName: r.custom('deviceName', (v, p) => readResourceName(v, p, 'devices')),
      policyName: r.custom('policyName', (v, p) => readResourceName(v, p, 'policies')),
      certificate: r.string('certificate', base64Rule(REGISTRATION_LIMITS.certificateBase64)),
      caCertificate: r.string('caCertificate', base64Rule(REGISTRATION_LIMITS.certificateBase64)),
    };
  });
}

export function encodeRegistrationResponse(res: DeviceRegistrationResponse): string {
  const out: JsonObject = {
    deviceName: res.deviceName,
    policyName: res.policyName,
    certificate: res.certificate,
    caCertificate: res.caCertificate,
  };
  return JSON.stringify(out);
}

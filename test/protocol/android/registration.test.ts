import { describe, expect, it } from 'vitest';
import {
  decodeRegistrationRequest,
  decodeRegistrationResponse,
  encodeRegistrationRequest,
  encodeRegistrationResponse,
  type DeviceRegistrationRequest,
} from '../../../protocol/android/registration.js';
import { DEVICE_NAME, fullDeviceReport, POLICY_NAME } from './fixtures.js';

const device = (() => {
  const { name: _name, ...rest } = fullDeviceReport();
  return rest;
})();
const request: DeviceRegistrationRequest = { enrollmentToken: 'HPPRXUJLGKQFVQRQAFQL', certificateSigningRequest: 'MIICWjCCAUICAQAw', device };

describe('device registration', () => {
  it('round-trips the request and the response', () => {
    expect(decodeRegistrationRequest(encodeRegistrationRequest(request))).toEqual({ ok: true, value: request });
    const response = { deviceName: DEVICE_NAME, policyName: POLICY_NAME, certificate: 'MIIB', caCertificate: 'MIIC' };
    expect(decodeRegistrationResponse(encodeRegistrationResponse(response))).toEqual({ ok: true, value: response });
  });

  it.each([
    ['a device that already has a name', { ...request, device: fullDeviceReport() }, 'invalidValue', 'device.name'],
    ['a CSR that is not base64', { ...request, certificateSigningRequest: '-----BEGIN' }, 'invalidValue', 'certificateSigningRequest'],
    ['no token', { certificateSigningRequest: 'MIIB', device }, 'missingField', 'enrollmentToken'],
    ['an unknown field in the device facts', { ...request, device: { ...device, imei: '1' } }, 'unknownField', 'device.imei'],
    ['an unknown field', { ...request, pushToken: 'x' }, 'unknownField', 'pushToken'],
  ])('refuses %s', (_what, doc, code, path) => {
    const r = decodeRegistrationRequest(JSON.stringify(doc));
    expect(r.ok).toBe(false);
    if (!r.ok) expect({ code: r.error.code, path: r.error.path }).toEqual({ code, path });
  });

  it('refuses an oversized or deeply nested request', () => {
    const big = decodeRegistrationRequest(JSON.stringify({ ...request, certificateSigningRequest: 'A'.repeat(70_000) }));
    expect(big.ok || big.error.code).toBe('tooLarge');
    const longCsr = decodeRegistrationRequest(JSON.stringify({ ...request, certificateSigningRequest: 'A'.repeat(12_000) }));
    expect(longCsr.ok || [longCsr.error.code, longCsr.error.path]).toEqual(['tooLong', 'certificateSigningRequest']);
    const deep = decodeRegistrationRequest(JSON.stringify({ ...request, device: { ...device, nonComplianceDetails: [{ settingName: 'a', nonComplianceReason: 'PENDING', currentValue: [[[[[[[1]]]]]]] }] } }));
    expect(deep.ok || deep.error.code).toBe('tooDeep');
  });

  it('refuses a response naming a policy where the device belongs', () => {
    const r = decodeRegistrationResponse(JSON.stringify({ deviceName: POLICY_NAME, policyName: POLICY_NAME, certificate: 'MIIB', caCertificate: 'MIIB' }));
    expect(r.ok || r.error.path).toBe('deviceName');
  });
});

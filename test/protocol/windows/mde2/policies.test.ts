import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  buildEnrollmentPolicy,
  decodeGetPoliciesRequest,
  decodeGetPoliciesResponse,
  encodeGetPoliciesRequest,
  encodeGetPoliciesResponse,
  PASSWORD_TEXT,
  policyHash,
  type GetPoliciesResponse,
} from '../../../../protocol/windows/mde2/index.js';
import { expectWindowsError, msdoc, MSDOCS, prettyPrint, renamePrefixes, SERVER } from '../fixtures.js';

describe('GetPolicies request (MS-XCEP)', () => {
  it('round-trips with the UsernameToken a Windows client sends, nil client fields staying absent', () => {
    const xml = encodeGetPoliciesRequest({
      messageId: 'urn:uuid:72048B64-0F19-448F-8C2E-B4C661860AA0',
      to: `${SERVER}/EnrollmentServer/Policy.svc`,
      security: { usernameToken: { username: 'alice@contoso.com', password: 'enroll-token-1', id: 'uuid-cc1ccc1f-2fba-4bcf-b063-ffc0cac77917-4' } },
    });
    for (const variant of [xml, prettyPrint(xml), renamePrefixes(xml, { s: 'S', a: 'A', wsse: 'o', u: 'wsu' })]) {
      const { header, request } = decodeGetPoliciesRequest(variant);
      expect(request).toEqual({});
      expect(header.action).toBe(ACTIONS.getPolicies);
      expect(header.security?.usernameToken).toEqual({
        username: 'alice@contoso.com',
        password: 'enroll-token-1',
        passwordType: PASSWORD_TEXT,
        id: 'uuid-cc1ccc1f-2fba-4bcf-b063-ffc0cac77917-4',
      });
    }
    const withClient = encodeGetPoliciesRequest({ messageId: 'm', to: SERVER, request: { lastUpdate: '2024-01-01T00:00:00Z', preferredLanguage: 'en-US' } });
    expect(decodeGetPoliciesRequest(withClient).request).toEqual({ lastUpdate: '2024-01-01T00:00:00Z', preferredLanguage: 'en-US' });
  });

  it('names a UsernameToken without its password', () => {
    const xml = encodeGetPoliciesRequest({ messageId: 'm', to: SERVER, security: { usernameToken: { username: 'u', password: 'p' } } });
    expectWindowsError(() => decodeGetPoliciesRequest(xml.replace(/<wsse:Password[^>]*>p<\/wsse:Password>/, '')), 'missingElement', 'Header/Security/UsernameToken/Password');
  });
});

describe('GetPolicies response (MS-XCEP)', () => {
  it("decodes Microsoft's sample: 2048-bit keys, SHA-1 through the OIW OID it references, nil fields absent", () => {
    const { header, response } = decodeGetPoliciesResponse(msdoc(MSDOCS.getPoliciesResponse));
    expect(header.relatesTo).toBe('urn:uuid: 69960163-adad-4a72-82d2-bb0e5cff5598');
    expect(response).toEqual({
      policies: [
        {
          policyOidReference: 0,
          commonName: 'CEPUnitTest',
          policySchema: 3,
          validityPeriodSeconds: 1209600,
          renewalPeriodSeconds: 172800,
          enroll: true,
          autoEnroll: false,
          minimalKeyLength: 2048,
          majorRevision: 101,
          minorRevision: 0,
          hashAlgorithmOidReference: 0,
        },
      ],
      oids: [{ value: '1.3.14.3.2.29', group: 1, oidReferenceId: 0, defaultName: 'szOID_OIWSEC_sha1RSASign' }],
    });
    expect(policyHash(response)).toBe('sha1');
  });

  it('round-trips the policy the server offers, in the shape of the sample', () => {
    const policy = buildEnrollmentPolicy({ minimalKeyLength: 2048, hash: 'sha256', validityPeriodSeconds: 31536000, renewalPeriodSeconds: 15552000 });
    const xml = encodeGetPoliciesResponse({ relatesTo: 'urn:uuid:72048B64-0F19-448F-8C2E-B4C661860AA0', response: policy });
    expect(xml).toContain('<cryptoProviders xsi:nil="true"/>');
    for (const variant of [xml, prettyPrint(xml)]) {
      const { header, response } = decodeGetPoliciesResponse(variant);
      expect(response).toEqual(policy);
      expect(policyHash(response)).toBe('sha256');
      expect(header.relatesTo).toBe('urn:uuid:72048B64-0F19-448F-8C2E-B4C661860AA0');
    }
    const full: GetPoliciesResponse = {
      policyId: '{7F8A3C2E-1B4D-4E5F-8A9B-0C1D2E3F4A5B}',
      policyFriendlyName: 'mdmlab devices',
      nextUpdateHours: 8,
      policiesNotChanged: false,
      policies: [{ ...policy.policies[0]!, keySpec: 1, cryptoProviders: ['Microsoft Platform Crypto Provider', 'Microsoft Software Key Storage Provider'], privateKeyFlags: 16 }],
      oids: policy.oids,
    };
    expect(decodeGetPoliciesResponse(encodeGetPoliciesResponse({ response: full })).response).toEqual(full);
  });

  it('defaults to SHA-1 without a hash reference and refuses a reference to nothing or to an unknown hash', () => {
    const base = buildEnrollmentPolicy({ minimalKeyLength: 2048, hash: 'sha1', validityPeriodSeconds: 1, renewalPeriodSeconds: 1 });
    expect(policyHash({ ...base, policies: [{ ...base.policies[0]!, hashAlgorithmOidReference: undefined }] })).toBe('sha1');
    expectWindowsError(() => policyHash({ ...base, oids: [] }), 'invalidValue', 'GetPoliciesResponse/oIDs');
    expectWindowsError(() => policyHash({ ...base, oids: [{ value: '1.2.840.113549.2.5', group: 1, oidReferenceId: 0 }] }), 'invalidValue');
  });

  it('names malformed responses', () => {
    const xml = encodeGetPoliciesResponse({ response: buildEnrollmentPolicy({ minimalKeyLength: 2048, hash: 'sha1', validityPeriodSeconds: 1, renewalPeriodSeconds: 1 }) });
    expectWindowsError(() => decodeGetPoliciesResponse(xml.replace(/<policies>[\s\S]*<\/policies>/, '<policies/>')), 'invalidValue', 'GetPoliciesResponse/response/policies');
    expectWindowsError(() => decodeGetPoliciesResponse(xml.replace(/<policies>[\s\S]*<\/policies>/, '')), 'missingElement', 'GetPoliciesResponse/response/policies');
    expectWindowsError(() => decodeGetPoliciesResponse(xml.replace('<minimalKeyLength>2048', '<minimalKeyLength>big')), 'invalidValue', /minimalKeyLength$/);
    expectWindowsError(() => decodeGetPoliciesResponse(xml.replace('<value>1.3.14.3.2.26', '<value>sha1')), 'invalidValue', 'GetPoliciesResponse/oIDs/oID[0]/value');
  });
});

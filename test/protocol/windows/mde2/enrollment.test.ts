import { beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../../../certs/authority.js';
import { parseCsr } from '../../../../certs/csr.js';
import { generateRsaKeyPair } from '../../../../certs/keys.js';
import { buildWindowsCsr, windowsCsrIdentity } from '../../../../certs/windows-csr.js';
import {
  ACTIONS,
  contextItemsOf,
  ENCODING_TYPE_BASE64,
  decodeEnrollmentRequest,
  decodeEnrollmentResponse,
  decodeSoapEnvelope,
  encodeEnrollmentRequest,
  encodeEnrollmentResponse,
  enrollmentContextOf,
  enrollmentRequestDer,
  PASSWORD_TEXT,
  provisioningDocumentOf,
  REQUEST_TYPE_ISSUE,
  requestOperation,
  TOKEN_TYPE_DEVICE_ENROLLMENT,
  VALUE_TYPE,
  type EnrollmentContext,
} from '../../../../protocol/windows/mde2/index.js';
import {
  appAuthOf,
  buildEnrollmentProvisioningDoc,
  certificateDerOf,
  decodeProvisioningDoc,
  encodeProvisioningDoc,
  readEnrollmentProvisioning,
} from '../../../../protocol/windows/provisioning/index.js';
import { DEVICE_ID, expectWindowsError, HW_DEV_ID, msdoc, MSDOCS, prettyPrint, renamePrefixes, SERVER } from '../fixtures.js';

const context: EnrollmentContext = {
  uxInitiated: true,
  hwDevId: HW_DEV_ID,
  locale: 'en-US',
  targetedUserLoggedIn: true,
  osEdition: 72,
  deviceName: 'DESKTOP-28FGAI6',
  macAddresses: ['00-0C-29-51-60-9D', '1A-77-20-52-41-53'],
  imeis: [],
  deviceId: DEVICE_ID,
  enrollmentType: 'Full',
  deviceType: 'CIMClient_Windows',
  osVersion: '10.0.19043.2364',
  applicationVersion: '10.0.19043.2364',
  notInOobe: false,
  requestVersion: '4.0',
};

let ca: CertificateAuthority;
let csr: Buffer;

beforeAll(async () => {
  ca = await CertificateAuthority.create({ commonName: 'mdmlab test CA' });
  const { privateKey } = await generateRsaKeyPair();
  csr = buildWindowsCsr({ privateKey, requestGuid: '562A7F9A-6CD8-40B0-9E7E-0DBDD8A1C3F2', deviceId: DEVICE_ID });
});

describe('RequestSecurityToken (MS-WSTEP)', () => {
  it("decodes Microsoft's sample: UsernameToken with its Type, repeated MAC and IMEI, padded values", () => {
    const { header, request } = decodeEnrollmentRequest(msdoc(MSDOCS.rst));
    expect(header.security?.usernameToken).toEqual({
      username: 'user@contoso.com',
      password: 'mypassword',
      passwordType: PASSWORD_TEXT,
      id: 'uuid-cc1ccc1f-2fba-4bcf-b063-ffc0cac77917-4',
    });
    expect(request.tokenType).toBe(TOKEN_TYPE_DEVICE_ENROLLMENT);
    expect(request.requestType).toBe(REQUEST_TYPE_ISSUE);
    expect(request.tokenFormat).toBe('PKCS10');
    expect(request.token.value).toBe('DER format PKCS#10 certificate request in Base64 encoding Insterted Here');
    expect(request.context).toEqual({
      osEdition: 4,
      osVersion: '10.0.9999.0',
      deviceName: 'MY_WINDOWS_DEVICE',
      macAddresses: ['FF:FF:FF:FF:FF:FF', 'CC:CC:CC:CC:CC:CC'],
      imeis: ['49015420323756', '30215420323756'],
      enrollmentType: 'Full',
      deviceType: 'CIMClient_Windows',
      applicationVersion: '10.0.9999.0',
      deviceId: '7BA748C8-703E-4DF2-A74A-92984117346A',
      targetedUserLoggedIn: true,
    });
    expect(request.contextItems).toHaveLength(12);
    // The sample's token is a placeholder: asking for its bytes is a typed error, not garbage.
    expectWindowsError(() => enrollmentRequestDer(request), 'invalidValue', 'RequestSecurityToken/BinarySecurityToken');
  });

  it('round-trips a Windows 10 request with a real Windows CSR, whatever the prefixes and line breaks', () => {
    const xml = encodeEnrollmentRequest({
      messageId: 'urn:uuid:0d5a1441-5891-453b-becf-a2e5f6ea3749',
      to: `${SERVER}/EnrollmentServer/Enrollment.svc`,
      security: { usernameToken: { username: 'alice@contoso.com', password: 'one-time-token' } },
      csr,
      context,
    });
    for (const variant of [xml, prettyPrint(xml), renamePrefixes(xml, { s: 'soap', a: 'wsa', wsse: 'sec', wst: 'trust', ac: 'auth' })]) {
      const env = decodeSoapEnvelope(variant);
      expect(requestOperation(env)).toBe('requestSecurityToken');
      const { header, request } = decodeEnrollmentRequest(variant);
      expect(header.security?.usernameToken?.password).toBe('one-time-token');
      expect(request.context).toEqual(context);
      expect(request.contextItems.map((i) => i.name)).toEqual([
        'UXInitiated', 'HWDevID', 'Locale', 'TargetedUserLoggedIn', 'OSEdition', 'DeviceName', 'MAC', 'MAC',
        'DeviceID', 'EnrollmentType', 'DeviceType', 'OSVersion', 'ApplicationVersion', 'NotInOobe', 'RequestVersion',
      ]);
      const parsed = parseCsr(enrollmentRequestDer(request));
      expect(parsed.signatureValid).toBe(true);
      expect(windowsCsrIdentity(parsed).deviceId).toBe(DEVICE_ID);
    }
  });

  it('carries a federated or Entra token in the header instead of a UsernameToken', () => {
    const token = { valueType: VALUE_TYPE.deviceEnrollmentUserToken, encodingType: ENCODING_TYPE_BASE64, value: Buffer.from('opaque token from the authentication service').toString('base64') };
    const xml = encodeEnrollmentRequest({ messageId: 'urn:uuid:2', to: SERVER, security: { binarySecurityToken: token }, csr, context });
    const { header, request } = decodeEnrollmentRequest(xml);
    expect(header.security).toEqual({ binarySecurityToken: token });
    expect(request.token.valueType).toBe(VALUE_TYPE.pkcs10);
  });

  it('types context items by name, case-insensitively, keeping every item', () => {
    const items = [
      { name: 'deviceid', value: DEVICE_ID },
      { name: 'DeviceID', value: 'SECOND' },
      { name: 'TargetedUserLoggedIn', value: 'True' },
      { name: 'NotInOobe', value: '0' },
      { name: 'Custom', value: 'x' },
    ];
    expect(enrollmentContextOf(items)).toEqual({ deviceId: DEVICE_ID, targetedUserLoggedIn: true, notInOobe: false, macAddresses: [], imeis: [] });
    expectWindowsError(() => enrollmentContextOf([{ name: 'OSEdition', value: 'Pro' }]), 'invalidValue');
    expect(enrollmentContextOf(contextItemsOf(context))).toEqual(context);
  });

  it('names what a malformed request lacks', () => {
    const xml = encodeEnrollmentRequest({ messageId: 'm', to: SERVER, security: {}, csr, context });
    expectWindowsError(() => decodeEnrollmentRequest(xml.replace(/<wsse:BinarySecurityToken[^>]*>[^<]*<\/wsse:BinarySecurityToken>/, '')), 'missingElement', 'RequestSecurityToken/BinarySecurityToken');
    expectWindowsError(() => decodeEnrollmentRequest(xml.replace(/<wst:TokenType>[^<]*<\/wst:TokenType>/, '')), 'missingElement', 'RequestSecurityToken/TokenType');
    expectWindowsError(() => decodeEnrollmentRequest(xml.replace(VALUE_TYPE.pkcs10, 'urn:x#X509')), 'invalidValue', 'RequestSecurityToken/BinarySecurityToken/@ValueType');
    expectWindowsError(() => decodeEnrollmentRequest(xml.replace('#base64binary', '#hexbinary')), 'invalidValue', 'RequestSecurityToken/BinarySecurityToken/@EncodingType');
    expectWindowsError(() => decodeEnrollmentRequest(xml.replace('<ac:ContextItem Name="Locale">', '<ac:ContextItem>')), 'missingElement', 'AdditionalContext/ContextItem/@Name');
    expectWindowsError(() => decodeEnrollmentRequest(xml.replace(ACTIONS.requestSecurityToken, ACTIONS.discover)), 'unexpectedAction');
  });
});

describe('RequestSecurityTokenResponseCollection', () => {
  it("decodes Microsoft's sample, written in the SOAP 1.1 namespace", () => {
    const env = decodeSoapEnvelope(msdoc(MSDOCS.rstr));
    expect(env.soapVersion).toBe('1.1');
    const { header, response } = decodeEnrollmentResponse(msdoc(MSDOCS.rstr));
    expect(header.security?.timestamp).toEqual({ created: '2012-08-02T00:32:59.420Z', expires: '2012-08-02T00:37:59.420Z' });
    expect(response).toEqual({
      tokenType: TOKEN_TYPE_DEVICE_ENROLLMENT,
      token: { value: 'B64EncodedSampleBinarySecurityToken', valueType: VALUE_TYPE.provisioningDoc, encodingType: expect.stringMatching(/#base64binary$/) },
      requestId: '0',
      dispositionMessage: '',
    });
    expectWindowsError(() => provisioningDocumentOf(response), 'invalidValue');
  });

  it('carries the provisioning document from server to device: certificates verify, credentials arrive', () => {
    const request = decodeEnrollmentRequest(encodeEnrollmentRequest({ messageId: 'urn:uuid:1', to: SERVER, security: {}, csr, context })).request;
    const issued = ca.issueFromCsr(enrollmentRequestDer(request), { validityDays: 365, subjectOverride: [{ shortName: 'CN', value: DEVICE_ID }] });
    const nonce = Buffer.from('0123456789abcdef');
    const doc = buildEnrollmentProvisioningDoc({
      rootCertificate: ca.certDer,
      clientCertificate: issued.certDer,
      clientCertificateStore: 'User',
      application: {
        providerId: 'mdmlab',
        name: 'mdmlab',
        address: `${SERVER}/ManagementServer/MDM.svc`,
        serverCredentials: { secret: 'server-secret', nonce },
        clientCredentials: { type: 'DIGEST', name: DEVICE_ID, secret: 'client-secret', nonce },
      },
      dmClient: { poll: { numberOfFirstRetries: 8, intervalForFirstSetOfRetries: 15, numberOfSecondRetries: 5, intervalForSecondSetOfRetries: 3, numberOfRemainingScheduledRetries: 0, intervalForRemainingScheduledRetries: 1560, pollOnLogin: true } },
    });
    const xml = encodeEnrollmentResponse({
      relatesTo: 'urn:uuid:1',
      created: '2026-12-02T05:00:00.000Z',
      expires: '2026-12-02T05:05:00.000Z',
      provisioningDocument: encodeProvisioningDoc(doc),
    });
    const { header, response } = decodeEnrollmentResponse(prettyPrint(xml));
    expect(header).toMatchObject({ action: ACTIONS.requestSecurityTokenResponse, relatesTo: 'urn:uuid:1', security: { timestamp: { created: '2026-12-02T05:00:00.000Z' } } });
    const received = readEnrollmentProvisioning(decodeProvisioningDoc(provisioningDocumentOf(response)));
    expect(certificateDerOf(received.rootCertificates[0]!).equals(ca.certDer)).toBe(true);
    expect(certificateDerOf(received.clientCertificates[0]!).equals(issued.certDer)).toBe(true);
    expect(received.clientCertificates[0]!.store).toBe('My/User');
    const app = received.applications[0]!;
    expect(app.address).toBe(`${SERVER}/ManagementServer/MDM.svc`);
    expect(appAuthOf(app, 'APPSRV')).toEqual({ level: 'APPSRV', type: 'DIGEST', name: DEVICE_ID, secret: 'client-secret', data: nonce.toString('base64') });
    expect(received.dmClientProviders[0]!.providerId).toBe(app.providerId);
  });

  it('accepts the provisioning document ValueType in its variants and refuses a token of another type', () => {
    const xml = encodeEnrollmentResponse({ created: 'c', expires: 'e', provisioningDocument: '<wap-provisioningdoc/>' });
    for (const variant of ['http://schemas.microsoft.com/windows/pki/2009/01/enrollment#ProvisioningDoc', VALUE_TYPE.provisioningDoc.toLowerCase()]) {
      expect(provisioningDocumentOf(decodeEnrollmentResponse(xml.replace(VALUE_TYPE.provisioningDoc, variant)).response)).toBe('<wap-provisioningdoc/>');
    }
    expectWindowsError(() => decodeEnrollmentResponse(xml.replace(VALUE_TYPE.provisioningDoc, VALUE_TYPE.pkcs7)), 'invalidValue', /@ValueType$/);
    expectWindowsError(() => decodeEnrollmentResponse(xml.replace(/<RequestedSecurityToken>[\s\S]*<\/RequestedSecurityToken>/, '')), 'missingElement', /RequestedSecurityToken$/);
  });
});

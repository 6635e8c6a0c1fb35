import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  decodeDiscoverRequest,
  decodeDiscoverResponse,
  decodeSoapEnvelope,
  encodeDiscoverRequest,
  encodeDiscoverResponse,
  requestOperation,
  type DiscoverRequest,
  type DiscoverResponse,
} from '../../../../protocol/windows/mde2/index.js';
import { expectWindowsError, msdoc, MSDOCS, prettyPrint, renamePrefixes, SERVER } from '../fixtures.js';

const win10: DiscoverRequest = {
  emailAddress: 'alice@contoso.com',
  requestVersion: '4.0',
  deviceType: 'CIMClient_Windows',
  applicationVersion: '10.0.19043.2364',
  osEdition: 72,
  authPolicies: ['OnPremise', 'Federated'],
};

const onPremise: DiscoverResponse = {
  authPolicy: 'OnPremise',
  enrollmentVersion: '4.0',
  enrollmentPolicyServiceUrl: `${SERVER}/EnrollmentServer/Policy.svc`,
  enrollmentServiceUrl: `${SERVER}/EnrollmentServer/Enrollment.svc`,
};

describe('Discover request', () => {
  it("decodes Microsoft's sample (trailing / on the namespace, spaced urn:uuid, comments, wrapped values)", () => {
    const { header, request } = decodeDiscoverRequest(msdoc(MSDOCS.discoverRequest));
    expect(header).toEqual({
      action: ACTIONS.discover,
      messageId: 'urn:uuid: 748132ec-a575-4329-b01b-6171a9cf8478',
      replyTo: 'http://www.w3.org/2005/08/addressing/anonymous',
      to: 'https://ENROLLTEST.CONTOSO.COM/EnrollmentServer/Discovery.svc',
    });
    expect(request).toEqual({
      emailAddress: 'user@contoso.com',
      requestVersion: '3.0',
      deviceType: 'WindowsPhone',
      applicationVersion: '10.0.0.0',
      osEdition: 3,
      authPolicies: ['OnPremise'],
    });
  });

  it('round-trips as a Windows 10 client writes it, with any prefixes and line breaks', () => {
    const xml = encodeDiscoverRequest({ messageId: 'urn:uuid:748132ec-a575-4329-b01b-6171a9cf8478', to: `${SERVER}/EnrollmentServer/Discovery.svc`, request: win10 });
    for (const variant of [xml, prettyPrint(xml), renamePrefixes(xml, { s: 'soap', a: 'wsa' })]) {
      const { header, request } = decodeDiscoverRequest(variant);
      expect(request).toEqual(win10);
      expect(header.messageId).toBe('urn:uuid:748132ec-a575-4329-b01b-6171a9cf8478');
      expect(header.to).toBe(`${SERVER}/EnrollmentServer/Discovery.svc`);
      expect(requestOperation(decodeSoapEnvelope(variant))).toBe('discover');
    }
    const wp: DiscoverRequest = { emailAddress: '', requestVersion: '2.0', authPolicies: [] };
    expect(decodeDiscoverRequest(encodeDiscoverRequest({ messageId: 'urn:uuid:1', to: SERVER, request: wp })).request).toEqual(wp);
  });

  it('names what is missing or wrong', () => {
    const xml = encodeDiscoverRequest({ messageId: 'urn:uuid:1', to: SERVER, request: win10 });
    expectWindowsError(() => decodeDiscoverRequest(xml.replace(/<EmailAddress>.*?<\/EmailAddress>/, '')), 'missingElement', 'Discover/request/EmailAddress');
    expectWindowsError(() => decodeDiscoverRequest(xml.replace(/<RequestVersion>.*?<\/RequestVersion>/, '')), 'missingElement', 'Discover/request/RequestVersion');
    expectWindowsError(() => decodeDiscoverRequest(xml.replace('<RequestVersion>4.0', '<RequestVersion>four')), 'invalidValue', 'Discover/request/RequestVersion');
    expectWindowsError(() => decodeDiscoverRequest(xml.replace('<OSEdition>72', '<OSEdition>-1')), 'invalidValue', 'Discover/request/OSEdition');
    expectWindowsError(() => decodeDiscoverRequest(xml.replace('>Federated<', '>Kerberos<')), 'invalidValue', 'Discover/request/AuthPolicies/AuthPolicy');
    expectWindowsError(() => decodeDiscoverRequest(xml.replace(ACTIONS.discover, ACTIONS.getPolicies)), 'unexpectedAction', 'Header/Action');
    expectWindowsError(() => decodeDiscoverRequest(xml.replace(/<a:Action[^>]*>.*?<\/a:Action>/, '')), 'missingElement', 'Header/Action');
    expectWindowsError(() => decodeDiscoverRequest(xml.replace(/<Discover [\s\S]*<\/Discover>/, '<Other xmlns="urn:x"/>')), 'wrongRoot', 'Body/Other');
  });
});

describe('Discover response', () => {
  it("decodes Microsoft's federated sample with its ActivityId in no namespace", () => {
    const { header, response } = decodeDiscoverResponse(msdoc(MSDOCS.discoverResponseFederated));
    expect(header.relatesTo).toBe('urn:uuid: 748132ec-a575-4329-b01b-6171a9cf8478');
    expect(header.activityId).toEqual({ id: 'd9eb2fdd-e38a-46ee-bd93-aea9dc86a3b8' });
    expect(response).toEqual({
      authPolicy: 'Federated',
      enrollmentVersion: '3.0',
      enrollmentPolicyServiceUrl: 'https://enrolltest.contoso.com/ENROLLMENTSERVER/DEVICEENROLLMENTWEBSERVICE.SVC',
      enrollmentServiceUrl: 'https://enrolltest.contoso.com/ENROLLMENTSERVER/DEVICEENROLLMENTWEBSERVICE.SVC',
      authenticationServiceUrl: 'https://portal.manage.contoso.com/LoginRedirect.aspx',
    });
  });

  it('round-trips OnPremise and Federated answers, relating to the request', () => {
    const activityId = { id: '8c6060c4-3d78-4d73-ae17-e8bce88426ee', correlationId: '8c6060c4-3d78-4d73-ae17-e8bce88426ee' };
    const xml = encodeDiscoverResponse({ relatesTo: 'urn:uuid: 7481', activityId, response: onPremise });
    const decoded = decodeDiscoverResponse(renamePrefixes(xml, { s: 'env', a: 'addr' }));
    expect(decoded.response).toEqual(onPremise);
    expect(decoded.header).toMatchObject({ action: ACTIONS.discoverResponse, relatesTo: 'urn:uuid: 7481', activityId });
    const federated: DiscoverResponse = { ...onPremise, authPolicy: 'Federated', authenticationServiceUrl: `${SERVER}/auth` };
    expect(decodeDiscoverResponse(encodeDiscoverResponse({ response: federated })).response).toEqual(federated);
  });

  it('refuses a Federated answer without an authentication service, both ways', () => {
    expectWindowsError(() => encodeDiscoverResponse({ response: { ...onPremise, authPolicy: 'Federated' } }), 'missingElement');
    const xml = encodeDiscoverResponse({ response: { ...onPremise, authPolicy: 'Federated', authenticationServiceUrl: 'https://a' } });
    expectWindowsError(() => decodeDiscoverResponse(xml.replace(/<AuthenticationServiceUrl>.*?<\/AuthenticationServiceUrl>/, '')), 'missingElement', 'DiscoverResponse/DiscoverResult/AuthenticationServiceUrl');
  });

  it('refuses values XML cannot carry instead of sending them', () => {
    expectWindowsError(() => encodeDiscoverResponse({ response: { ...onPremise, enrollmentServiceUrl: 'https://a/\u0000' } }), 'invalidCharacter');
  });
});

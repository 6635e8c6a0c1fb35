import { describe, expect, it } from 'vitest';
import { el } from '../../../../protocol/xml/index.js';
import {
  ACTIONS,
  DEFAULT_SOAP_LIMITS,
  decodeSoapEnvelope,
  encodeDiscoverRequest,
  encodeSoapEnvelope,
  NS,
  operationOfAction,
  requestOperation,
  RESPONSE_ACTION,
} from '../../../../protocol/windows/mde2/index.js';
import { expectWindowsError, SERVER } from '../fixtures.js';

const discover = () => encodeDiscoverRequest({ messageId: 'urn:uuid:1', to: SERVER, request: { emailAddress: 'a@b.c', requestVersion: '4.0', authPolicies: ['OnPremise'] } });

describe('SOAP envelope', () => {
  it('writes SOAP 1.2 with WS-Addressing headers and mustUnderstand on Action and To', () => {
    const xml = encodeSoapEnvelope({
      action: ACTIONS.discover,
      messageId: 'urn:uuid:1',
      replyTo: 'http://www.w3.org/2005/08/addressing/anonymous',
      to: SERVER,
      body: () => el('x', { xmlns: 'urn:x' }),
    });
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?><s:Envelope xmlns:s="http:\/\/www.w3.org\/2003\/05\/soap-envelope"/);
    expect(xml).toContain(`<a:Action s:mustUnderstand="1">${ACTIONS.discover}</a:Action>`);
    expect(xml).toContain(`<a:To s:mustUnderstand="1">${SERVER}</a:To>`);
    const env = decodeSoapEnvelope(xml);
    expect(env.soapVersion).toBe('1.2');
    expect(env.payload).toMatchObject({ local: 'x', ns: 'urn:x' });
  });

  it('accepts default-namespace envelopes and any prefix for the same names', () => {
    const xml =
      `<Envelope xmlns="${NS.soap12}"><Header><Action xmlns="${NS.addressing}">\n  ${ACTIONS.getPolicies}\n</Action>` +
      `<wsa:MessageID xmlns:wsa="${NS.addressing}">urn:uuid:2</wsa:MessageID></Header><Body><p:GetPolicies xmlns:p="${NS.policy}"/></Body></Envelope>`;
    const env = decodeSoapEnvelope(xml);
    expect(env.header).toEqual({ action: ACTIONS.getPolicies, messageId: 'urn:uuid:2' });
    expect(requestOperation(env)).toBe('getPolicies');
  });

  it('maps request Actions to operations and response Actions, case-insensitively', () => {
    expect(operationOfAction(ACTIONS.requestSecurityToken.toLowerCase())).toBe('requestSecurityToken');
    expect(operationOfAction(` ${ACTIONS.discover} `)).toBe('discover');
    expect(operationOfAction(ACTIONS.discoverResponse)).toBeUndefined();
    expect(RESPONSE_ACTION.getPolicies).toBe(ACTIONS.getPoliciesResponse);
    expectWindowsError(() => requestOperation(decodeSoapEnvelope(discover().replace(ACTIONS.discover, 'urn:evil'))), 'unexpectedAction', 'Header/Action');
  });

  it('refuses a DOCTYPE or entity declaration before parsing', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>${discover().replace(/^<\?xml[^>]*>/, '').replace('a@b.c', '&x;')}`;
    expectWindowsError(() => decodeSoapEnvelope(xxe), 'doctypeRefused');
    const bomb = `<!DOCTYPE e [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><e/>`;
    expectWindowsError(() => decodeSoapEnvelope(bomb), 'doctypeRefused');
  });

  it('refuses oversized, deep, truncated and foreign documents with typed errors', () => {
    const big = discover().replace('a@b.c', 'x'.repeat(DEFAULT_SOAP_LIMITS.maxBytes));
    expectWindowsError(() => decodeSoapEnvelope(big), 'tooLarge');
    expectWindowsError(() => decodeSoapEnvelope(Buffer.from(big)), 'tooLarge');
    const deep = `<s:Envelope xmlns:s="${NS.soap12}"><s:Header/><s:Body>${'<x>'.repeat(40)}${'</x>'.repeat(40)}</s:Body></s:Envelope>`;
    expectWindowsError(() => decodeSoapEnvelope(deep), 'tooDeep');
    expectWindowsError(() => decodeSoapEnvelope(discover().slice(0, 300)), 'malformed');
    expectWindowsError(() => decodeSoapEnvelope(''), 'malformed');
    expectWindowsError(() => decodeSoapEnvelope('<Envelope><Header/><Body/></Envelope>'), 'wrongRoot', 'Envelope');
    expectWindowsError(() => decodeSoapEnvelope(`<s:Envelope xmlns:s="${NS.soap12}"><s:Body/></s:Envelope>`), 'missingElement', 'Envelope/Header');
    expectWindowsError(() => decodeSoapEnvelope(`<s:Envelope xmlns:s="${NS.soap12}"><s:Header/></s:Envelope>`), 'missingElement', 'Envelope/Body');
    expectWindowsError(() => decodeSoapEnvelope(Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?><e/>`)), 'unsupportedEncoding');
  });
});

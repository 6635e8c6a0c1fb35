import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  decodeSoapEnvelope,
  decodeSoapFault,
  encodeDiscoverResponse,
  encodeSoapFault,
  ENROLLMENT_ERROR_TYPES,
  ENROLLMENT_FAULT_SUBCODES,
  faultHresult,
  readSoapFault,
  RESPONSE_ACTION,
} from '../../../../protocol/windows/mde2/index.js';
import { expectWindowsError, msdoc, MSDOCS, renamePrefixes } from '../fixtures.js';

describe('SOAP faults (MS-MDE2 §2.2.10)', () => {
  it("decodes Microsoft's all-lower-case sample into canonical names", () => {
    const { header, fault } = decodeSoapFault(msdoc(MSDOCS.fault));
    expect(header.action).toBe('http://schemas.microsoft.com/windows/pki/2009/01/enrollment/rstrc/wstep');
    expect(header.relatesTo).toBe('urn:uuid:urn:uuid:0d5a1441-5891-453b-becf-a2e5f6ea3749');
    expect(header.activityId).toEqual({ id: '2493ee37-beeb-4cb9-833c-cadde9067645', correlationId: '2493ee37-beeb-4cb9-833c-cadde9067645' });
    expect(fault).toEqual({
      code: 'Receiver',
      subcode: 'Authorization',
      reason: 'device cap reached',
      lang: 'en-us',
      detail: { errorType: 'DeviceCapReached', message: 'device cap reached', traceId: '2493ee37-beeb-4cb9-833c-cadde9067645' },
    });
    expect(faultHresult(fault)).toBe(0x80180013);
  });

  it('round-trips every subcode with its namespace prefix, and the detail', () => {
    for (const subcode of Object.keys(ENROLLMENT_FAULT_SUBCODES) as (keyof typeof ENROLLMENT_FAULT_SUBCODES)[]) {
      const xml = encodeSoapFault({ action: RESPONSE_ACTION.requestSecurityToken, relatesTo: 'urn:uuid:1', fault: { subcode, reason: `failed: ${subcode}` } });
      const prefix = ENROLLMENT_FAULT_SUBCODES[subcode].prefix;
      expect(xml).toContain(`<s:Value>${prefix}:${subcode}</s:Value>`);
      const { header, fault } = decodeSoapFault(renamePrefixes(xml, { s: 'env' }));
      expect(header).toMatchObject({ action: ACTIONS.requestSecurityTokenResponse, relatesTo: 'urn:uuid:1' });
      expect(fault).toEqual({ code: 'Receiver', subcode, reason: `failed: ${subcode}`, lang: 'en-US' });
      expect(faultHresult(fault)).toBe(ENROLLMENT_FAULT_SUBCODES[subcode].hresult);
    }
    const withDetail = encodeSoapFault({
      action: RESPONSE_ACTION.requestSecurityToken,
      fault: { code: 'Sender', subcode: 'Authentication', reason: 'the enrollment token is unknown or already used', detail: { errorType: 'InvalidEnrollmentData', message: 'token spent', traceId: 't-1' } },
    });
    const { fault } = decodeSoapFault(withDetail);
    expect(fault).toEqual({
      code: 'Sender',
      subcode: 'Authentication',
      reason: 'the enrollment token is unknown or already used',
      lang: 'en-US',
      detail: { errorType: 'InvalidEnrollmentData', message: 'token spent', traceId: 't-1' },
    });
    expect(faultHresult(fault)).toBe(ENROLLMENT_ERROR_TYPES.InvalidEnrollmentData.hresult);
  });

  it('understands a SOAP 1.1 fault, keeps unknown subcodes as sent, and says when a Body holds no fault', () => {
    const soap11 =
      '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:a="http://www.w3.org/2005/08/addressing">' +
      '<e:Header><a:Action>urn:x</a:Action></e:Header><e:Body><e:Fault><faultcode>e:Client</faultcode><faultstring>bad</faultstring></e:Fault></e:Body></e:Envelope>';
    expect(decodeSoapFault(soap11).fault).toEqual({ code: 'Sender', reason: 'bad' });
    const custom = encodeSoapFault({ action: 'urn:x', fault: { subcode: 'MessageFormat', reason: 'r' } }).replace('s:MessageFormat', 'x:SomethingNew');
    expect(decodeSoapFault(custom).fault.subcode).toBe('SomethingNew');
    expect(faultHresult(decodeSoapFault(custom).fault)).toBeUndefined();
    const notFault = encodeDiscoverResponse({ response: { authPolicy: 'OnPremise', enrollmentVersion: '4.0', enrollmentPolicyServiceUrl: 'https://p', enrollmentServiceUrl: 'https://e' } });
    expect(readSoapFault(decodeSoapEnvelope(notFault))).toBeUndefined();
    expectWindowsError(() => decodeSoapFault(notFault), 'invalidValue', 'Body');
    expectWindowsError(() => decodeSoapFault(custom.replace(/<s:Code>[\s\S]*<\/s:Code>/, '')), 'missingElement', 'Fault/Code/Value');
  });
});

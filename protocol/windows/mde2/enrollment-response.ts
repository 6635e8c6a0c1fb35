/**
 * The enrollment response: RequestSecurityTokenResponseCollection (MS-WSTEP §3.1.4.1.1.2, and MS-MDE2's
 * enrollment service). Its BinarySecurityToken (ValueType …/DeviceEnrollmentProvisionDoc, base64) holds the
 * wap-provisioningdoc with the trusted root, the issued client certificate and the DM account.
 */
import { el, type XmlLimits } from '../../xml/index.js';
import { invalid, missing } from '../errors.js';
import { ACTIONS, ENCODING_TYPE_BASE64, NS, TOKEN_TYPE_DEVICE_ENROLLMENT, VALUE_TYPE } from './namespaces.js';
import { decodeSoapEnvelope, encodeSoapEnvelope, expectAction, expectPayload, type ActivityId, type SoapEnvelope, type SoapHeader } from './soap-envelope.js';
import { childValue, decodeBase64, requireSoapChild, requireValue, soapChild } from './soap-read.js';
import { readBinarySecurityToken, type BinarySecurityToken } from './ws-security.js';

export interface EnrollmentResponse {
  tokenType: string;
  /** The RequestedSecurityToken: the provisioning document, base64 as sent. */
  token: BinarySecurityToken;
  /** The issuing CA's request id; 0 in every known response (Microsoft's RSTR sample). */
  requestId?: string;
  dispositionMessage?: string;
}

/** Whether a ValueType names a provisioning document: the MS-WSTEP URI, or a variant ending the same way. */
function isProvisioningDocType(valueType: string | undefined): boolean {
  if (valueType === undefined) return true; // the type is implied by the response
  const v = valueType.toLowerCase();
  return v === VALUE_TYPE.provisioningDoc.toLowerCase() || /provision(ing)?doc$/.test(v);
}

export function readEnrollmentResponse(env: SoapEnvelope): EnrollmentResponse {
  expectAction(env, ACTIONS.requestSecurityTokenResponse);
  const collection = expectPayload(env, 'RequestSecurityTokenResponseCollection', NS.wsTrust);
  const base = 'RequestSecurityTokenResponseCollection/RequestSecurityTokenResponse';
  const rstr = requireSoapChild(collection, 'RequestSecurityTokenResponse', base, NS.wsTrust);
  const tokenType = requireValue(rstr, 'TokenType', `${base}/TokenType`, NS.wsTrust);
  const requested = requireSoapChild(rstr, 'RequestedSecurityToken', `${base}/RequestedSecurityToken`, NS.wsTrust);
  const bst = requireSoapChild(requested, 'BinarySecurityToken', `${base}/RequestedSecurityToken/BinarySecurityToken`, NS.wsse);
  const token = readBinarySecurityToken(bst);
  if (token.value === '') throw missing(`${base}/RequestedSecurityToken/BinarySecurityToken`, 'the provisioning document token is empty');
  if (!isProvisioningDocType(token.valueType)) {
    throw invalid(`${base}/RequestedSecurityToken/BinarySecurityToken/@ValueType`, `ValueType "${token.valueType!.slice(0, 120)}" is not a provisioning document`);
  }
  const out: EnrollmentResponse = { tokenType, token };
  const requestId = childValue(rstr, 'RequestID', NS.enrollment);
  const disposition = soapChild(rstr, 'DispositionMessage', NS.enrollment);
  if (requestId !== undefined) out.requestId = requestId;
  if (disposition) out.dispositionMessage = childValue(rstr, 'DispositionMessage', NS.enrollment) ?? '';
  return out;
}

export function decodeEnrollmentResponse(input: Buffer | string, limits?: XmlLimits): { header: SoapHeader; response: EnrollmentResponse } {
  const env = decodeSoapEnvelope(input, limits);
  return { header: env.header, response: readEnrollmentResponse(env) };
}

/** The wap-provisioningdoc XML the response carries, or invalidValue when the token is not base64 UTF-8. */
export function provisioningDocumentOf(response: EnrollmentResponse): string {
  const bytes = decodeBase64(response.token.value, 'RequestedSecurityToken/BinarySecurityToken');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalid('RequestedSecurityToken/BinarySecurityToken', 'the provisioning document is not UTF-8');
  }
}

export interface EnrollmentResponseInput {
  relatesTo?: string;
  activityId?: ActivityId;
  /** xsd:dateTime strings of the wsu:Timestamp (the caller's clock; MS-MDE2 samples use now and now + 5 min). */
  created: string;
  expires: string;
  /** The provisioning document (XML text). */
  provisioningDocument: string;
}

export function encodeEnrollmentResponse(input: EnrollmentResponseInput): string {
  return encodeSoapEnvelope({
    action: ACTIONS.requestSecurityTokenResponse,
    activityId: input.activityId,
    relatesTo: input.relatesTo,
    security: { timestamp: { created: input.created, expires: input.expires } },
    body: () =>
      el(
        'RequestSecurityTokenResponseCollection',
        { xmlns: NS.wsTrust },
        el(
          'RequestSecurityTokenResponse',
          null,
          el('TokenType', null, TOKEN_TYPE_DEVICE_ENROLLMENT),
          el('DispositionMessage', { xmlns: NS.enrollment }),
          el(
            'RequestedSecurityToken',
            null,
            el(
              'BinarySecurityToken',
              { xmlns: NS.wsse, ValueType: VALUE_TYPE.provisioningDoc, EncodingType: ENCODING_TYPE_BASE64 },
              Buffer.from(input.provisioningDocument, 'utf8').toString('base64'),
            ),
          ),
          el('RequestID', { xmlns: NS.enrollment }, '0'),
        ),
      ),
  });
}

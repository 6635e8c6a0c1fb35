/**
 * Namespaces, SOAP actions and URIs of Windows enrollment: MS-MDE2 (discovery, §3.1), MS-XCEP
 * (enrollment policy), MS-WSTEP (enrollment, §3.1.4.1.1) with WS-Addressing 1.0,
 * WS-Security 1.0 and WS-Trust 1.3.
 */

export const NS = {
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  /** SOAP 1.1: the RSTR sample of Microsoft's on-premises enrollment page uses it; accepted on decode only. */
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  addressing: 'http://www.w3.org/2005/08/addressing',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  wsTrust: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512',
  authorization: 'http://schemas.xmlsoap.org/ws/2006/12/authorization',
  /** MS-MDE2 discovery; Microsoft's sample request adds a trailing `/` that real clients do not send (both accepted). */
  discovery: 'http://schemas.microsoft.com/windows/management/2012/01/enrollment',
  /** MS-XCEP. */
  policy: 'http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy',
  /** MS-WSTEP: DispositionMessage, RequestID, deviceenrollmentserviceerror. */
  enrollment: 'http://schemas.microsoft.com/windows/pki/2009/01/enrollment',
  diagnostics: 'http://schemas.microsoft.com/2004/09/ServiceModel/Diagnostics',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xsd: 'http://www.w3.org/2001/XMLSchema',
} as const;

/** WS-Addressing Action of each message (MS-MDE2 §3.1, MS-XCEP, MS-WSTEP §3.1.4.1.1). */
export const ACTIONS = {
  discover: 'http://schemas.microsoft.com/windows/management/2012/01/enrollment/IDiscoveryService/Discover',
  discoverResponse: 'http://schemas.microsoft.com/windows/management/2012/01/enrollment/IDiscoveryService/DiscoverResponse',
  getPolicies: 'http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPolicies',
  getPoliciesResponse: 'http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPoliciesResponse',
  requestSecurityToken: 'http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RST/wstep',
  requestSecurityTokenResponse: 'http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RSTRC/wstep',
} as const;

export type EnrollmentOperation = 'discover' | 'getPolicies' | 'requestSecurityToken';

/** The response Action of each request Action; a fault answering a request carries the same (MS-MDE2 §2.2.10 sample). */
export const RESPONSE_ACTION: Readonly<Record<EnrollmentOperation, string>> = {
  discover: ACTIONS.discoverResponse,
  getPolicies: ACTIONS.getPoliciesResponse,
  requestSecurityToken: ACTIONS.requestSecurityTokenResponse,
};

/** The operation a request Action names; Actions compare case-insensitively (Microsoft's fault sample lower-cases them). */
export function operationOfAction(action: string): EnrollmentOperation | undefined {
  const a = action.trim().toLowerCase();
  if (a === ACTIONS.discover.toLowerCase()) return 'discover';
  if (a === ACTIONS.getPolicies.toLowerCase()) return 'getPolicies';
  if (a === ACTIONS.requestSecurityToken.toLowerCase()) return 'requestSecurityToken';
  return undefined;
}

export const WS_ADDRESSING_ANONYMOUS = 'http://www.w3.org/2005/08/addressing/anonymous';

/** WS-Trust token and request types used by MS-WSTEP and MS-MDE2. */
export const TOKEN_TYPE_DEVICE_ENROLLMENT = 'http://schemas.microsoft.com/5.0.0.0/ConfigurationManager/Enrollment/DeviceEnrollmentToken';
export const REQUEST_TYPE_ISSUE = 'http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue';
/** Certificate renewal (MS-WSTEP); decoded, not served. */
export const REQUEST_TYPE_RENEW = 'http://docs.oasis-open.org/ws-sx/ws-trust/200512/Renew';

/** BinarySecurityToken ValueTypes. */
export const VALUE_TYPE = {
  pkcs10: 'http://schemas.microsoft.com/windows/pki/2009/01/enrollment#PKCS10',
  pkcs7: 'http://schemas.microsoft.com/windows/pki/2009/01/enrollment#PKCS7',
  /** MS-WSTEP §3.1.4.1.1.2: the RSTR token MUST have this ValueType. */
  provisioningDoc: 'http://schemas.microsoft.com/5.0.0.0/ConfigurationManager/Enrollment/DeviceEnrollmentProvisionDoc',
  /** Federated enrollment: the token the authentication service handed out (MS-MDE2 federated authentication). */
  deviceEnrollmentUserToken: 'http://schemas.microsoft.com/5.0.0.0/ConfigurationManager/Enrollment/DeviceEnrollmentUserToken',
  /** Entra ID automatic enrollment. */
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
} as const;

export const ENCODING_TYPE_BASE64 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd#base64binary';
export const PASSWORD_TEXT = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';

/** HTTP Content-Type of every enrollment request and response (SOAP 1.2 over HTTP). */
export const SOAP_CONTENT_TYPE = 'application/soap+xml; charset=utf-8';

/** Well-known paths of the enrollment endpoints (MS-MDE2 §3.1: the discovery path is fixed). */
export const DISCOVERY_PATH = '/EnrollmentServer/Discovery.svc';

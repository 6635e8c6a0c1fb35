/**
 * Discovery (MS-MDE2 §3.1): the client POSTs a Discover request to /EnrollmentServer/Discovery.svc
 * and learns which authentication policy to use and where the policy and enrollment services are.
 * Request schema §3.1.4.1.3.1 (DiscoveryRequest), response schema DiscoveryResponse.
 */
import { el, type XmlLimits } from '../../xml/index.js';
import { invalid, missing } from '../errors.js';
import { ACTIONS, NS, WS_ADDRESSING_ANONYMOUS } from './namespaces.js';
import { decodeSoapEnvelope, encodeSoapEnvelope, expectAction, expectPayload, type ActivityId, type SoapEnvelope, type SoapHeader } from './soap-envelope.js';
import { childValue, readUnsigned, requireSoapChild, requireValue, soapChild, soapChildren, valueOf } from './soap-read.js';

/** MS-MDE2 AuthPolicyType. */
export const AUTH_POLICIES = ['OnPremise', 'Federated', 'Certificate'] as const;
export type AuthPolicy = (typeof AUTH_POLICIES)[number];

export interface DiscoverRequest {
  /** The user's address as typed; Windows sends an empty one when enrollment starts without it. */
  emailAddress: string;
  /** xsd:decimal as sent: 2.0 Windows Phone 8.1, 3.0 and up Windows 10 (4.0 … 6.0 observed). */
  requestVersion: string;
  /** `CIMClient_Windows` for Windows 10 desktop, `WindowsPhone` for phones. */
  deviceType?: string;
  /** Dotted quad, e.g. 10.0.19043.2364. */
  applicationVersion?: string;
  /** Product type (MS-MDE2 §2.2.9.6), e.g. 72 = PRODUCT_ENTERPRISE_EVALUATION. */
  osEdition?: number;
  /** Windows 10 sends it too (Microsoft's Windows 10 discovery sample). */
  osVersion?: string;
  /** Known policies the client offers, in its order; empty when it sent none. */
  authPolicies: AuthPolicy[];
}

export interface DiscoverResponse {
  authPolicy: AuthPolicy;
  /** 3.0 … 5.0 in the wild; the client then speaks that version of the protocol. */
  enrollmentVersion: string;
  enrollmentPolicyServiceUrl: string;
  enrollmentServiceUrl: string;
  /** Required for Federated (MS-MDE2 DiscoveryResponse), absent otherwise. */
  authenticationServiceUrl?: string;
}

const DECIMAL = /^\d{1,4}(\.\d{1,4})?$/;

function authPolicyOf(value: string, path: string): AuthPolicy {
  const p = AUTH_POLICIES.find((a) => a.toLowerCase() === value.toLowerCase());
  if (!p) throw invalid(path, `${path} must be one of ${AUTH_POLICIES.join(', ')}, got "${value.slice(0, 40)}"`);
  return p;
}

/** Reads the Discover payload of a decoded envelope. */
export function readDiscoverRequest(env: SoapEnvelope): DiscoverRequest {
  expectAction(env, ACTIONS.discover);
  const discover = expectPayload(env, 'Discover', NS.discovery);
  const r = requireSoapChild(discover, 'request', 'Discover/request', NS.discovery);
  const emailEl = soapChild(r, 'EmailAddress', NS.discovery);
  if (!emailEl) throw missing('Discover/request/EmailAddress');
  const requestVersion = requireValue(r, 'RequestVersion', 'Discover/request/RequestVersion', NS.discovery);
  if (!DECIMAL.test(requestVersion)) throw invalid('Discover/request/RequestVersion', `RequestVersion must be a decimal, got "${requestVersion.slice(0, 40)}"`);
  const out: DiscoverRequest = { emailAddress: valueOf(emailEl) ?? '', requestVersion, authPolicies: [] };
  const deviceType = childValue(r, 'DeviceType', NS.discovery);
  const applicationVersion = childValue(r, 'ApplicationVersion', NS.discovery);
  const osEdition = readUnsigned(childValue(r, 'OSEdition', NS.discovery), 'Discover/request/OSEdition');
  const osVersion = childValue(r, 'OSVersion', NS.discovery);
  if (deviceType) out.deviceType = deviceType;
  if (applicationVersion) out.applicationVersion = applicationVersion;
  if (osEdition !== undefined) out.osEdition = osEdition;
  if (osVersion) out.osVersion = osVersion;
  const policies = soapChild(r, 'AuthPolicies', NS.discovery);
  if (policies) {
    for (const p of soapChildren(policies, 'AuthPolicy', NS.discovery)) {
      const policy = authPolicyOf(valueOf(p) ?? '', 'Discover/request/AuthPolicies/AuthPolicy');
      if (!out.authPolicies.includes(policy)) out.authPolicies.push(policy);
    }
  }
  return out;
}

export function decodeDiscoverRequest(input: Buffer | string, limits?: XmlLimits): { header: SoapHeader; request: DiscoverRequest } {
  const env = decodeSoapEnvelope(input, limits);
  return { header: env.header, request: readDiscoverRequest(env) };
}

/** A Discover request as Windows sends it (element order of a Windows 10 client). */
export function encodeDiscoverRequest(input: { messageId: string; to: string; request: DiscoverRequest }): string {
  const r = input.request;
  const d = (name: string, v: string | number | undefined) => v !== undefined && el(name, null, v);
  return encodeSoapEnvelope({
    action: ACTIONS.discover,
    messageId: input.messageId,
    replyTo: WS_ADDRESSING_ANONYMOUS,
    to: input.to,
    body: () =>
      el(
        'Discover',
        { xmlns: NS.discovery },
        el(
          'request',
          { 'xmlns:i': NS.xsi },
          el('EmailAddress', null, r.emailAddress),
          el('RequestVersion', null, r.requestVersion),
          d('DeviceType', r.deviceType),
          d('ApplicationVersion', r.applicationVersion),
          d('OSEdition', r.osEdition),
          d('OSVersion', r.osVersion),
          el('AuthPolicies', null, r.authPolicies.map((p) => el('AuthPolicy', null, p))),
        ),
      ),
  });
}

export function readDiscoverResponse(env: SoapEnvelope): DiscoverResponse {
  expectAction(env, ACTIONS.discoverResponse);
  const resp = expectPayload(env, 'DiscoverResponse', NS.discovery);
  const result = requireSoapChild(resp, 'DiscoverResult', 'DiscoverResponse/DiscoverResult', NS.discovery);
  const path = (n: string) => `DiscoverResponse/DiscoverResult/${n}`;
  const out: DiscoverResponse = {
    authPolicy: authPolicyOf(requireValue(result, 'AuthPolicy', path('AuthPolicy'), NS.discovery), path('AuthPolicy')),
    enrollmentVersion: requireValue(result, 'EnrollmentVersion', path('EnrollmentVersion'), NS.discovery),
    enrollmentPolicyServiceUrl: requireValue(result, 'EnrollmentPolicyServiceUrl', path('EnrollmentPolicyServiceUrl'), NS.discovery),
    enrollmentServiceUrl: requireValue(result, 'EnrollmentServiceUrl', path('EnrollmentServiceUrl'), NS.discovery),
  };
  const auth = childValue(result, 'AuthenticationServiceUrl', NS.discovery);
  if (auth) out.authenticationServiceUrl = auth;
  if (out.authPolicy === 'Federated' && !out.authenticationServiceUrl) throw missing(path('AuthenticationServiceUrl'), 'a Federated DiscoverResult must name its AuthenticationServiceUrl');
  return out;
}

export function decodeDiscoverResponse(input: Buffer | string, limits?: XmlLimits): { header: SoapHeader; response: DiscoverResponse } {
  const env = decodeSoapEnvelope(input, limits);
  return { header: env.header, response: readDiscoverResponse(env) };
}

export function encodeDiscoverResponse(input: { relatesTo?: string; activityId?: ActivityId; response: DiscoverResponse }): string {
  const r = input.response;
  if (r.authPolicy === 'Federated' && !r.authenticationServiceUrl) {
    throw missing('DiscoverResult/AuthenticationServiceUrl', 'a Federated DiscoverResult must name its AuthenticationServiceUrl (MS-MDE2 DiscoveryResponse)');
  }
  return encodeSoapEnvelope({
    action: ACTIONS.discoverResponse,
    activityId: input.activityId,
    relatesTo: input.relatesTo,
    body: () =>
      el(
        'DiscoverResponse',
        { xmlns: NS.discovery },
        el(
          'DiscoverResult',
          null,
          el('AuthPolicy', null, r.authPolicy),
          el('EnrollmentVersion', null, r.enrollmentVersion),
          el('EnrollmentPolicyServiceUrl', null, r.enrollmentPolicyServiceUrl),
          el('EnrollmentServiceUrl', null, r.enrollmentServiceUrl),
          r.authenticationServiceUrl !== undefined && el('AuthenticationServiceUrl', null, r.authenticationServiceUrl),
        ),
      ),
  });
}

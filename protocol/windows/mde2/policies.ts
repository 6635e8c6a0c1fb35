/**
 * The enrollment policy service (MS-XCEP, used by MS-MDE2): GetPolicies tells the client which
 * key length, hash algorithm and key providers its certificate request must use. Windows honours
 * minimalKeyLength, hashAlgorithmOIDReference and cryptoProviders; without a policy it uses a
 * 2048-bit key and SHA-1 (Microsoft's federated enrollment page, "Enrollment policy web service").
 * Message shapes: MS-XCEP GetPolicies, Response, CertificateEnrollmentPolicy and OID, as in
 * Microsoft's on-premises sample response.
 */
import { el, type XmlElement, type XmlLimits } from '../../xml/index.js';
import { invalid } from '../errors.js';
import { ACTIONS, NS, WS_ADDRESSING_ANONYMOUS } from './namespaces.js';
import { decodeSoapEnvelope, encodeSoapEnvelope, expectAction, expectPayload, type ActivityId, type SoapEnvelope, type SoapHeader } from './soap-envelope.js';
import { childValue, readBoolean, requireSoapChild, soapChild, soapChildren, valueOf } from './soap-read.js';
import type { WsSecurity } from './ws-security.js';

export interface GetPoliciesRequest {
  /** client/lastUpdate (xsd:dateTime) when not nil. */
  lastUpdate?: string;
  /** client/preferredLanguage when not nil. */
  preferredLanguage?: string;
}

/** MS-XCEP OID: an object identifier the policies refer to by oIDReferenceID. */
export interface PolicyOid {
  value: string;
  /** CRYPT_*_OID_GROUP_ID (1 hash, 3 public key, 4 signature, …). */
  group: number;
  oidReferenceId: number;
  defaultName?: string;
}

/** One MS-XCEP CertificateEnrollmentPolicy and its Attributes, flattened. */
export interface CertificatePolicy {
  policyOidReference?: number;
  commonName?: string;
  policySchema?: number;
  validityPeriodSeconds?: number;
  renewalPeriodSeconds?: number;
  enroll?: boolean;
  autoEnroll?: boolean;
  minimalKeyLength?: number;
  keySpec?: number;
  keyUsageProperty?: number;
  algorithmOidReference?: number;
  cryptoProviders?: string[];
  majorRevision?: number;
  minorRevision?: number;
  privateKeyFlags?: number;
  subjectNameFlags?: number;
  enrollmentFlags?: number;
  generalFlags?: number;
  hashAlgorithmOidReference?: number;
}

export interface GetPoliciesResponse {
  policyId?: string;
  policyFriendlyName?: string;
  nextUpdateHours?: number;
  policiesNotChanged?: boolean;
  policies: CertificatePolicy[];
  oids: PolicyOid[];
}

/** Digests a policy can ask for (the OIDs Windows' CNG knows by these names). */
export type PolicyHash = 'sha1' | 'sha256' | 'sha384' | 'sha512';

const HASH_OIDS: Readonly<Record<string, PolicyHash>> = {
  '1.3.14.3.2.26': 'sha1', // sha1 (RFC 3279 §2.2.1)
  '1.3.14.3.2.29': 'sha1', // OIW sha1RSASign, the sample's reference
  '1.2.840.113549.1.1.5': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256', // RFC 5754 §2
  '1.2.840.113549.1.1.11': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '1.2.840.113549.1.1.12': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '1.2.840.113549.1.1.13': 'sha512',
};
const OID_OF_HASH: Readonly<Record<PolicyHash, { value: string; group: number; name: string }>> = {
  sha1: { value: '1.3.14.3.2.26', group: 1, name: 'sha1' },
  sha256: { value: '2.16.840.1.101.3.4.2.1', group: 1, name: 'sha256' },
  sha384: { value: '2.16.840.1.101.3.4.2.2', group: 1, name: 'sha384' },
  sha512: { value: '2.16.840.1.101.3.4.2.3', group: 1, name: 'sha512' },
};

/** A non-negative integer up to 2^53 (unsignedInt and unsignedLong fields alike). */
function num(parent: XmlElement, local: string, path: string): number | undefined {
  const v = childValue(parent, local, NS.policy);
  if (v === undefined || v === '') return undefined;
  if (!/^\d{1,15}$/.test(v)) throw invalid(`${path}/${local}`, `${local} must be a non-negative integer, got "${v.slice(0, 40)}"`);
  return Number(v);
}

export function readGetPoliciesRequest(env: SoapEnvelope): GetPoliciesRequest {
  expectAction(env, ACTIONS.getPolicies);
  const gp = expectPayload(env, 'GetPolicies', NS.policy);
  const out: GetPoliciesRequest = {};
  const client = soapChild(gp, 'client', NS.policy);
  if (client) {
    const lastUpdate = childValue(client, 'lastUpdate', NS.policy);
    const preferredLanguage = childValue(client, 'preferredLanguage', NS.policy);
    if (lastUpdate) out.lastUpdate = lastUpdate;
    if (preferredLanguage) out.preferredLanguage = preferredLanguage;
  }
  return out;
}

export function decodeGetPoliciesRequest(input: Buffer | string, limits?: XmlLimits): { header: SoapHeader; request: GetPoliciesRequest } {
  const env = decodeSoapEnvelope(input, limits);
  return { header: env.header, request: readGetPoliciesRequest(env) };
}

const nil = (name: string) => el(name, { 'xsi:nil': 'true' });
const opt = (name: string, v: string | number | boolean | undefined) => (v === undefined ? nil(name) : el(name, null, String(v)));

export function encodeGetPoliciesRequest(input: { messageId: string; to: string; security?: WsSecurity; request?: GetPoliciesRequest }): string {
  const r = input.request ?? {};
  return encodeSoapEnvelope({
    action: ACTIONS.getPolicies,
    messageId: input.messageId,
    replyTo: WS_ADDRESSING_ANONYMOUS,
    to: input.to,
    security: input.security,
    body: () =>
      el(
        'GetPolicies',
        { xmlns: NS.policy },
        el('client', null, opt('lastUpdate', r.lastUpdate), opt('preferredLanguage', r.preferredLanguage)),
        nil('requestFilter'),
      ),
  });
}

function readPolicy(p: XmlElement, i: number): CertificatePolicy {
  const path = `GetPoliciesResponse/response/policies/policy[${i}]`;
  const out: CertificatePolicy = {};
  const set = <K extends keyof CertificatePolicy>(k: K, v: CertificatePolicy[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('policyOidReference', num(p, 'policyOIDReference', path));
  const a = requireSoapChild(p, 'attributes', `${path}/attributes`, NS.policy);
  const ap = `${path}/attributes`;
  set('commonName', childValue(a, 'commonName', NS.policy));
  set('policySchema', num(a, 'policySchema', ap));
  const validity = soapChild(a, 'certificateValidity', NS.policy);
  if (validity) {
    set('validityPeriodSeconds', num(validity, 'validityPeriodSeconds', `${ap}/certificateValidity`));
    set('renewalPeriodSeconds', num(validity, 'renewalPeriodSeconds', `${ap}/certificateValidity`));
  }
  const permission = soapChild(a, 'permission', NS.policy);
  if (permission) {
    set('enroll', readBoolean(childValue(permission, 'enroll', NS.policy), `${ap}/permission/enroll`));
    set('autoEnroll', readBoolean(childValue(permission, 'autoEnroll', NS.policy), `${ap}/permission/autoEnroll`));
  }
  const key = soapChild(a, 'privateKeyAttributes', NS.policy);
  if (key) {
    const kp = `${ap}/privateKeyAttributes`;
    set('minimalKeyLength', num(key, 'minimalKeyLength', kp));
    set('keySpec', num(key, 'keySpec', kp));
    set('keyUsageProperty', num(key, 'keyUsageProperty', kp));
    set('algorithmOidReference', num(key, 'algorithmOIDReference', kp));
    const providers = soapChild(key, 'cryptoProviders', NS.policy);
    if (providers && valueOf(providers) !== undefined) {
      out.cryptoProviders = soapChildren(providers, 'provider', NS.policy).map((x) => valueOf(x) ?? '');
    }
  }
  const revision = soapChild(a, 'revision', NS.policy);
  if (revision) {
    set('majorRevision', num(revision, 'majorRevision', `${ap}/revision`));
    set('minorRevision', num(revision, 'minorRevision', `${ap}/revision`));
  }
  for (const k of ['privateKeyFlags', 'subjectNameFlags', 'enrollmentFlags', 'generalFlags'] as const) set(k, num(a, k, ap));
  set('hashAlgorithmOidReference', num(a, 'hashAlgorithmOIDReference', ap));
  return out;
}

export function readGetPoliciesResponse(env: SoapEnvelope): GetPoliciesResponse {
  expectAction(env, ACTIONS.getPoliciesResponse);
  const gpr = expectPayload(env, 'GetPoliciesResponse', NS.policy);
  const response = requireSoapChild(gpr, 'response', 'GetPoliciesResponse/response', NS.policy);
  const policies = requireSoapChild(response, 'policies', 'GetPoliciesResponse/response/policies', NS.policy);
  const out: GetPoliciesResponse = { policies: soapChildren(policies, 'policy', NS.policy).map(readPolicy), oids: [] };
  if (out.policies.length === 0) throw invalid('GetPoliciesResponse/response/policies', 'the response holds no policy');
  const policyId = childValue(response, 'policyID', NS.policy);
  const friendly = childValue(response, 'policyFriendlyName', NS.policy);
  const nextUpdateHours = num(response, 'nextUpdateHours', 'GetPoliciesResponse/response');
  const notChanged = readBoolean(childValue(response, 'policiesNotChanged', NS.policy), 'GetPoliciesResponse/response/policiesNotChanged');
  if (policyId) out.policyId = policyId;
  if (friendly) out.policyFriendlyName = friendly;
  if (nextUpdateHours !== undefined) out.nextUpdateHours = nextUpdateHours;
  if (notChanged !== undefined) out.policiesNotChanged = notChanged;
  const oids = soapChild(gpr, 'oIDs', NS.policy);
  for (const [i, o] of (oids ? soapChildren(oids, 'oID', NS.policy) : []).entries()) {
    const path = `GetPoliciesResponse/oIDs/oID[${i}]`;
    const value = childValue(o, 'value', NS.policy);
    if (!value || !/^\d+(\.\d+)+$/.test(value)) throw invalid(`${path}/value`, `oID value must be a dotted OID, got "${(value ?? '').slice(0, 60)}"`);
    const oid: PolicyOid = { value, group: num(o, 'group', path) ?? 0, oidReferenceId: num(o, 'oIDReferenceID', path) ?? 0 };
    const name = childValue(o, 'defaultName', NS.policy);
    if (name) oid.defaultName = name;
    out.oids.push(oid);
  }
  return out;
}

export function decodeGetPoliciesResponse(input: Buffer | string, limits?: XmlLimits): { header: SoapHeader; response: GetPoliciesResponse } {
  const env = decodeSoapEnvelope(input, limits);
  return { header: env.header, response: readGetPoliciesResponse(env) };
}

function encodePolicy(p: CertificatePolicy) {
  return el(
    'policy',
    null,
    opt('policyOIDReference', p.policyOidReference),
    nil('cAs'),
    el(
      'attributes',
      null,
      opt('commonName', p.commonName),
      opt('policySchema', p.policySchema),
      el('certificateValidity', null, opt('validityPeriodSeconds', p.validityPeriodSeconds), opt('renewalPeriodSeconds', p.renewalPeriodSeconds)),
      el('permission', null, opt('enroll', p.enroll), opt('autoEnroll', p.autoEnroll)),
      el(
        'privateKeyAttributes',
        null,
        opt('minimalKeyLength', p.minimalKeyLength),
        opt('keySpec', p.keySpec),
        opt('keyUsageProperty', p.keyUsageProperty),
        nil('permissions'),
        opt('algorithmOIDReference', p.algorithmOidReference),
        p.cryptoProviders === undefined ? nil('cryptoProviders') : el('cryptoProviders', null, p.cryptoProviders.map((c) => el('provider', null, c))),
      ),
      el('revision', null, opt('majorRevision', p.majorRevision), opt('minorRevision', p.minorRevision)),
      nil('supersededPolicies'),
      opt('privateKeyFlags', p.privateKeyFlags),
      opt('subjectNameFlags', p.subjectNameFlags),
      opt('enrollmentFlags', p.enrollmentFlags),
      opt('generalFlags', p.generalFlags),
      opt('hashAlgorithmOIDReference', p.hashAlgorithmOidReference),
      nil('rARequirements'),
      nil('keyArchivalAttributes'),
      nil('extensions'),
    ),
  );
}

/** The response in the shape of Microsoft's sample: absent values written as xsi:nil. */
export function encodeGetPoliciesResponse(input: { relatesTo?: string; activityId?: ActivityId; response: GetPoliciesResponse }): string {
  const r = input.response;
  return encodeSoapEnvelope({
    action: ACTIONS.getPoliciesResponse,
    activityId: input.activityId,
    relatesTo: input.relatesTo,
    body: () =>
      el(
        'GetPoliciesResponse',
        { xmlns: NS.policy },
        el(
          'response',
          null,
          r.policyId === undefined ? el('policyID') : el('policyID', null, r.policyId),
          opt('policyFriendlyName', r.policyFriendlyName),
          opt('nextUpdateHours', r.nextUpdateHours),
          opt('policiesNotChanged', r.policiesNotChanged),
          el('policies', null, r.policies.map(encodePolicy)),
        ),
        nil('cAs'),
        el(
          'oIDs',
          null,
          r.oids.map((o) => el('oID', null, el('value', null, o.value), el('group', null, o.group), el('oIDReferenceID', null, o.oidReferenceId), o.defaultName !== undefined && el('defaultName', null, o.defaultName))),
        ),
      ),
  });
}

/** One policy asking for an RSA key of `minimalKeyLength` bits and the given hash (referenced through oIDs). */
export function buildEnrollmentPolicy(input: {
  minimalKeyLength: number;
  hash: PolicyHash;
  validityPeriodSeconds: number;
  renewalPeriodSeconds: number;
  commonName?: string;
}): GetPoliciesResponse {
  const hashOid = OID_OF_HASH[input.hash];
  return {
    policies: [
      {
        policyOidReference: 0,
        commonName: input.commonName ?? 'mdmlab',
        policySchema: 3,
        validityPeriodSeconds: input.validityPeriodSeconds,
        renewalPeriodSeconds: input.renewalPeriodSeconds,
        enroll: true,
        autoEnroll: false,
        minimalKeyLength: input.minimalKeyLength,
        majorRevision: 101,
        minorRevision: 0,
        hashAlgorithmOidReference: 0,
      },
    ],
    oids: [{ value: hashOid.value, group: hashOid.group, oidReferenceId: 0, defaultName: hashOid.name }],
  };
}

/**
 * The hash the policy asks the client to sign its request with: the OID its hashAlgorithmOIDReference
 * points at, SHA-1 when it points nowhere (Windows' default without a policy).
 */
export function policyHash(response: GetPoliciesResponse, policy: CertificatePolicy | undefined = response.policies[0]): PolicyHash {
  const ref = policy?.hashAlgorithmOidReference;
  if (ref === undefined) return 'sha1';
  const oid = response.oids.find((o) => o.oidReferenceId === ref);
  if (!oid) throw invalid('GetPoliciesResponse/oIDs', `hashAlgorithmOIDReference ${ref} names no oID`);
  const hash = HASH_OIDS[oid.value];
  if (!hash) throw invalid('GetPoliciesResponse/oIDs', `hash algorithm ${oid.value} is not supported`);
  return hash;
}

import { randomUUID } from 'node:crypto';
import { readDiscoverRequest } from '../../protocol/windows/mde2/discovery.js';
import { encodeDiscoverResponse } from '../../protocol/windows/mde2/discovery.js';
import { readEnrollmentRequest } from '../../protocol/windows/mde2/enrollment-request.js';
import type { EnrollmentOperation } from '../../protocol/windows/mde2/namespaces.js';
import { buildEnrollmentPolicy, encodeGetPoliciesResponse, readGetPoliciesRequest } from '../../protocol/windows/mde2/policies.js';
import { decodeSoapEnvelope, requestOperation, type ActivityId, type SoapEnvelope } from '../../protocol/windows/mde2/soap-envelope.js';
import { isWindowsProtocolError } from '../../protocol/windows/errors.js';
import { isoNow } from '../domain/context.js';
import { checkRequestShape, judgeCertificateRequest } from './certificate-request.js';
import { checkEnrollmentCredentials } from './enrollment-credentials.js';
import { EnrollmentFault } from './enrollment-fault.js';
import { EnrollmentIssuance } from './enrollment-issuance.js';
import { ENROLLMENT_POLICY, WINDOWS_PATHS, type WindowsContext } from './windows-context.js';

/**
 * The largest enrollment message taken. A RequestSecurityToken with a 4096-bit key's request and a
 * Windows client's AdditionalContext is about 6 KB; the codec's own bound (256 KiB) is for any sender.
 */
export const ENROLLMENT_MESSAGE_LIMIT = 64 * 1024;
const SOAP_LIMITS = { maxBytes: ENROLLMENT_MESSAGE_LIMIT, maxDepth: 24, maxElements: 1500 };

const DAY_SECONDS = 86_400;

/** What an enrollment endpoint answers: the response envelope and, for logs, what was done. */
export interface EnrollmentAnswer {
  xml: string;
  operation: EnrollmentOperation;
  traceId: string;
}

/**
 * MS-MDE2 on-premise enrollment (§3.1 discovery, MS-XCEP policies, MS-WSTEP enrollment), one SOAP
 * 1.2 request at a time, dispatched by its WS-Addressing Action: the policy and enrollment
 * services may share one URL (MS-MDE2 DiscoveryResponse), so each endpoint takes any of the three.
 * A refusal is an EnrollmentFault carrying the request's MessageID and operation, which the HTTP
 * adapter answers as a SOAP fault; nothing is stored before the last check passed.
 */
export class EnrollmentService {
  private readonly issuance: EnrollmentIssuance;

  constructor(private readonly ctx: WindowsContext) {
    this.issuance = new EnrollmentIssuance(ctx);
  }

  async handle(body: Buffer): Promise<EnrollmentAnswer> {
    const traceId = randomUUID();
    const activityId: ActivityId = { id: traceId, correlationId: traceId };
    let env: SoapEnvelope | undefined;
    let operation: EnrollmentOperation | undefined;
    try {
      env = decoded(() => decodeSoapEnvelope(body, SOAP_LIMITS));
      operation = decoded(() => requestOperation(env!), 'unknownAction');
      const relatesTo = env.header.messageId;
      const xml =
        operation === 'discover'
          ? this.discover(env, relatesTo, activityId)
          : operation === 'getPolicies'
            ? await this.getPolicies(env, relatesTo, activityId)
            : await this.requestSecurityToken(env, relatesTo, activityId, traceId);
      return { xml, operation, traceId };
    } catch (err) {
      if (err instanceof EnrollmentFault) {
        err.relatesTo = env?.header.messageId;
        err.operation = operation;
      }
      throw err;
    }
  }

  /**
   * Discover (MS-MDE2 §3.1.4.1): OnPremise authentication and where the policy and enrollment
   * services are. EnrollmentVersion 4.0 for a client offering 4.0 or later, else the client's own
   * (Windows Phone 8.1 asks 2.0 or 3.0 and speaks no later). Nothing is checked of the user yet:
   * Windows discovers before it asks for credentials.
   */
  private discover(env: SoapEnvelope, relatesTo: string | undefined, activityId: ActivityId): string {
    const request = decoded(() => readDiscoverRequest(env));
    if (request.authPolicies.length > 0 && !request.authPolicies.includes('OnPremise')) throw new EnrollmentFault('authPolicyNotOffered');
    const base = this.ctx.baseUrl();
    return encodeDiscoverResponse({
      ...(relatesTo !== undefined ? { relatesTo } : {}),
      activityId,
      response: {
        authPolicy: 'OnPremise',
        enrollmentVersion: Number(request.requestVersion) >= 4 ? '4.0' : request.requestVersion,
        enrollmentPolicyServiceUrl: `${base}${WINDOWS_PATHS.policy}`,
        enrollmentServiceUrl: `${base}${WINDOWS_PATHS.enrollment}`,
      },
    });
  }

  /**
   * GetPolicies (MS-XCEP): checks the credentials without spending them, then tells the client to
   * make an RSA key of at least 2048 bits and sign its request with SHA-256.
   */
  private async getPolicies(env: SoapEnvelope, relatesTo: string | undefined, activityId: ActivityId): Promise<string> {
    decoded(() => readGetPoliciesRequest(env));
    await checkEnrollmentCredentials(this.ctx.store, env.header.security, isoNow(this.ctx));
    return encodeGetPoliciesResponse({
      ...(relatesTo !== undefined ? { relatesTo } : {}),
      activityId,
      response: buildEnrollmentPolicy({
        minimalKeyLength: ENROLLMENT_POLICY.minimalKeyLength,
        hash: ENROLLMENT_POLICY.hash,
        validityPeriodSeconds: ENROLLMENT_POLICY.validityDays * DAY_SECONDS,
        renewalPeriodSeconds: ENROLLMENT_POLICY.renewalDays * DAY_SECONDS,
      }),
    });
  }

  /**
   * RequestSecurityToken (MS-WSTEP §3.1.4.1): cheapest checks first — the request's shape, then the
   * credentials (a read), so an unauthenticated client never makes the server do RSA work; then the
   * certificate request (key limits before its signature); then, in one unit of work, the token is
   * spent, the device bound and the certificate issued (enrollment-issuance.ts).
   */
  private async requestSecurityToken(env: SoapEnvelope, relatesTo: string | undefined, activityId: ActivityId, traceId: string): Promise<string> {
    const request = decoded(() => readEnrollmentRequest(env));
    checkRequestShape(request);
    await checkEnrollmentCredentials(this.ctx.store, env.header.security, isoNow(this.ctx));
    const judged = judgeCertificateRequest(request);
    return this.issuance.issue({ security: env.header.security, request, judged, relatesTo, activityId, traceId });
  }
}

/** Decoding is where the client is at fault, and only there: a codec refusal becomes the fault naming it. */
function decoded<T>(decode: () => T, code: 'malformedMessage' | 'unknownAction' = 'malformedMessage'): T {
  try {
    return decode();
  } catch (err) {
    if (!isWindowsProtocolError(err)) throw err;
    if (err.code === 'tooLarge') throw new EnrollmentFault('bodyTooLarge', err.message);
    throw new EnrollmentFault(err.code === 'unexpectedAction' ? 'unknownAction' : code, err.message);
  }
}

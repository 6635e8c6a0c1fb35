/**
 * The provisioning document an enrollment server returns (MS-MDE2's provisioning document,
 * Microsoft's on-premises enrollment sample): the trusted root in CertificateStore/Root/System, the issued client certificate
 * in CertificateStore/My/User (or My/System for device enrollment) under its upper-case SHA-1
 * thumbprint with the PrivateKeyContainer the request's key goes to, optional WSTEP renewal settings,
 * the DM account as a w7 APPLICATION (w7 APPLICATION CSP) and the DMClient poll schedule (DMClient CSP).
 *
 * DMClient's Push node cannot be set here ("not configurable in WAP provisioning XML", DMClient CSP):
 * the server sets Push/PFN in its first OMA-DM session.
 */
import { createHash } from 'node:crypto';
import { invalid } from '../errors.js';
import { characteristic, parm, type WapCharacteristic, type WapProvisioningDoc } from './wap-document.js';

/** Certificate thumbprint as Windows names store entries: SHA-1 of the DER, upper-case hex. */
export function certificateThumbprint(der: Buffer): string {
  return createHash('sha1').update(der).digest('hex').toUpperCase();
}

/** How the server proves itself to the DM client (AAUTHLEVEL CLIENT); w7 requires DIGEST at this level. */
export interface ServerCredentials {
  name?: string;
  secret: string;
  /** The binary nonce, sent base64 in AAUTHDATA. */
  nonce: Buffer;
}

/** What the DM client sends to the server (AAUTHLEVEL APPSRV): syncml:auth-md5 (DIGEST) or auth-basic (BASIC). */
export interface ClientCredentials {
  type: 'DIGEST' | 'BASIC';
  name: string;
  secret: string;
  /** The nonce for the client's first digest (base64 in AAUTHDATA); the server's Chal replaces it afterwards. */
  nonce?: Buffer;
}

export interface W7ApplicationInput {
  /** PROVIDER-ID; the DMClient Provider node must carry the same name. */
  providerId: string;
  name: string;
  /** ADDR: the OMA-DM endpoint. */
  address: string;
  /** Defaults as in Microsoft's sample: 6 retries, 30 s initial and 120 s maximum back-off. */
  connRetryFreq?: number;
  initialBackoffTime?: number;
  maxBackoffTime?: number;
  defaultEncoding?: 'application/vnd.syncml.dm+xml' | 'application/vnd.syncml.dm+wbxml';
  /** e.g. `Subject=CN%3D<DeviceID>&Stores=My%5CUser`: which certificate the client presents in TLS. */
  sslClientCertSearchCriteria?: string;
  serverCredentials: ServerCredentials;
  clientCredentials: ClientCredentials;
}

/** DMClient CSP Provider/{ProviderID}/Poll (minutes and counts). */
export interface PollSchedule {
  numberOfFirstRetries: number;
  intervalForFirstSetOfRetries: number;
  numberOfSecondRetries: number;
  intervalForSecondSetOfRetries: number;
  /** 0 = forever. */
  numberOfRemainingScheduledRetries: number;
  intervalForRemainingScheduledRetries: number;
  pollOnLogin?: boolean;
  allUsersPollOnFirstLogin?: boolean;
}

export interface EnrollmentProvisioningInput {
  rootCertificate: Buffer;
  clientCertificate: Buffer;
  /** `User` for a user enrollment (EnrollmentType Full), `System` for a device enrollment. */
  clientCertificateStore: 'User' | 'System';
  renew?: { roboSupport: boolean; renewPeriodDays: number; retryIntervalDays: number };
  application: W7ApplicationInput;
  dmClient: { poll: PollSchedule; entDeviceName?: string; upn?: string };
}

/** Poll fields and their DMClient CSP parm names. */
export const POLL_PARMS: ReadonlyArray<readonly [keyof PollSchedule, string]> = [
  ['numberOfFirstRetries', 'NumberOfFirstRetries'],
  ['intervalForFirstSetOfRetries', 'IntervalForFirstSetOfRetries'],
  ['numberOfSecondRetries', 'NumberOfSecondRetries'],
  ['intervalForSecondSetOfRetries', 'IntervalForSecondSetOfRetries'],
  ['numberOfRemainingScheduledRetries', 'NumberOfRemainingScheduledRetries'],
  ['intervalForRemainingScheduledRetries', 'IntervalForRemainingScheduledRetries'],
  ['pollOnLogin', 'PollOnLogin'],
  ['allUsersPollOnFirstLogin', 'AllUsersPollOnFirstLogin'],
];

function count(v: number, field: string): number {
  if (!Number.isSafeInteger(v) || v < 0 || v > 0xffffffff) throw invalid(field, `${field} must be a non-negative integer, got ${v}`);
  return v;
}

function nonEmpty(v: string, field: string): string {
  if (v.trim() === '') throw invalid(field, `${field} must not be empty`);
  return v;
}

function appAuth(level: 'CLIENT' | 'APPSRV', type: string, name: string | undefined, secret: string, nonce: Buffer | undefined): WapCharacteristic {
  return characteristic(
    'APPAUTH',
    parm('AAUTHLEVEL', level),
    parm('AAUTHTYPE', type),
    name !== undefined && parm('AAUTHNAME', name),
    parm('AAUTHSECRET', secret),
    nonce !== undefined && parm('AAUTHDATA', nonce.toString('base64')),
  );
}

export function buildW7Application(a: W7ApplicationInput): WapCharacteristic {
  nonEmpty(a.providerId, 'application.providerId');
  if (!/^https?:\/\/[^\s]+$/i.test(a.address)) throw invalid('application.address', `ADDR must be an http(s) URL, got "${a.address.slice(0, 80)}"`);
  if (a.serverCredentials.nonce.length === 0) throw invalid('application.serverCredentials.nonce', 'the server nonce must not be empty');
  return characteristic(
    'APPLICATION',
    parm('APPID', 'w7'),
    parm('PROVIDER-ID', a.providerId),
    parm('NAME', a.name),
    parm('ADDR', a.address),
    parm('CONNRETRYFREQ', count(a.connRetryFreq ?? 6, 'application.connRetryFreq')),
    parm('INITIALBACKOFFTIME', count(a.initialBackoffTime ?? 30000, 'application.initialBackoffTime')),
    parm('MAXBACKOFFTIME', count(a.maxBackoffTime ?? 120000, 'application.maxBackoffTime')),
    parm('BACKCOMPATRETRYDISABLED'),
    parm('DEFAULTENCODING', a.defaultEncoding ?? 'application/vnd.syncml.dm+xml'),
    a.sslClientCertSearchCriteria !== undefined && parm('SSLCLIENTCERTSEARCHCRITERIA', a.sslClientCertSearchCriteria),
    appAuth('CLIENT', 'DIGEST', a.serverCredentials.name, a.serverCredentials.secret, a.serverCredentials.nonce),
    appAuth('APPSRV', a.clientCredentials.type, nonEmpty(a.clientCredentials.name, 'application.clientCredentials.name'), a.clientCredentials.secret, a.clientCredentials.nonce),
  );
}

export function buildDmClientProvider(providerId: string, d: EnrollmentProvisioningInput['dmClient']): WapCharacteristic {
  const poll = characteristic(
    'Poll',
    ...POLL_PARMS.map(([field, name]) => {
      const v = d.poll[field];
      if (v === undefined) return undefined;
      return typeof v === 'boolean' ? parm(name, v, 'boolean') : parm(name, count(v, `dmClient.poll.${field}`), 'integer');
    }),
  );
  return characteristic(
    'DMClient',
    characteristic(
      'Provider',
      characteristic(
        providerId,
        d.upn !== undefined && parm('UPN', d.upn, 'string'),
        poll,
        d.entDeviceName !== undefined && parm('EntDeviceName', d.entDeviceName, 'string'),
      ),
    ),
  );
}

/** The whole document, in the order of Microsoft's sample. */
export function buildEnrollmentProvisioningDoc(input: EnrollmentProvisioningInput): WapProvisioningDoc {
  const r = input.renew;
  const root = characteristic(
    'CertificateStore',
    characteristic(
      'Root',
      characteristic('System', characteristic(certificateThumbprint(input.rootCertificate), parm('EncodedCertificate', input.rootCertificate.toString('base64')))),
    ),
  );
  const my = characteristic(
    'CertificateStore',
    characteristic(
      'My',
      characteristic(
        input.clientCertificateStore,
        characteristic(certificateThumbprint(input.clientCertificate), parm('EncodedCertificate', input.clientCertificate.toString('base64'))),
        // "This tag must be present for XML syntax correctness" (Microsoft's sample).
        characteristic('PrivateKeyContainer'),
      ),
      r !== undefined &&
        characteristic(
          'WSTEP',
          characteristic(
            'Renew',
            parm('ROBOSupport', r.roboSupport, 'boolean'),
            parm('RenewPeriod', count(r.renewPeriodDays, 'renew.renewPeriodDays'), 'integer'),
            parm('RetryInterval', count(r.retryIntervalDays, 'renew.retryIntervalDays'), 'integer'),
          ),
        ),
    ),
  );
  return {
    version: '1.1',
    characteristics: [root, my, buildW7Application(input.application), buildDmClientProvider(input.application.providerId, input.dmClient)],
  };
}

/**
 * Reading an enrollment provisioning document on the device side, as the Windows enrollment client
 * does before it applies it: which certificates go to which store, where the DM server is, which
 * credentials each side uses, and the poll schedule (MS-MDE2; w7 APPLICATION, CertificateStore
 * and DMClient CSPs). Values stay as written; only numbers and booleans are typed.
 */
import { createHash } from 'node:crypto';
import { invalid } from '../errors.js';
import { POLL_PARMS, type PollSchedule } from './enrollment-document.js';
import { characteristicsAt, characteristicsOf, parmOf, parmsOf, type WapCharacteristic, type WapProvisioningDoc } from './wap-document.js';

export interface ProvisionedCertificate {
  /** `Root/System`, `My/User`, `My/System`, … */
  store: string;
  /** The characteristic type: the certificate's SHA-1 thumbprint in upper-case hex. */
  thumbprint: string;
  /** EncodedCertificate as written (base64 DER); see certificateDerOf. */
  encodedCertificate: string;
}

export interface ProvisionedAppAuth {
  /** CLIENT: the server's credentials; APPSRV: the client's. */
  level: string;
  type?: string;
  name?: string;
  secret?: string;
  /** AAUTHDATA: the base64 nonce. */
  data?: string;
}

export interface ProvisionedApplication {
  providerId: string;
  name?: string;
  address: string;
  connRetryFreq?: number;
  initialBackoffTime?: number;
  maxBackoffTime?: number;
  backCompatRetryDisabled: boolean;
  defaultEncoding?: string;
  sslClientCertSearchCriteria?: string;
  auth: ProvisionedAppAuth[];
  /** Every parm of the characteristic by name (ServerList, ROLE and others this reader does not type). */
  parms: Record<string, string | undefined>;
}

export interface ProvisionedDmClientProvider {
  providerId: string;
  poll: Partial<PollSchedule>;
  /** Parms directly under the provider (EntDeviceName, UPN, …). */
  parms: Record<string, string | undefined>;
}

export interface EnrollmentProvisioning {
  rootCertificates: ProvisionedCertificate[];
  /** Client certificates from My/User and My/System. */
  clientCertificates: ProvisionedCertificate[];
  renew?: { roboSupport?: boolean; renewPeriodDays?: number; retryIntervalDays?: number };
  applications: ProvisionedApplication[];
  dmClientProviders: ProvisionedDmClientProvider[];
}

function int(value: string | undefined, path: string): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (!/^-?\d{1,10}$/.test(v)) throw invalid(path, `${path} must be an integer, got "${value.slice(0, 40)}"`);
  return Number(v);
}

function bool(value: string | undefined, path: string): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalid(path, `${path} must be true or false, got "${value.slice(0, 40)}"`);
}

function parmRecord(c: WapCharacteristic): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const p of parmsOf(c)) if (!(p.name in out)) out[p.name] = p.value;
  return out;
}

function certificatesIn(doc: WapProvisioningDoc, store: string, location: string): ProvisionedCertificate[] {
  const out: ProvisionedCertificate[] = [];
  for (const loc of characteristicsAt(doc, ['CertificateStore', store, location])) {
    for (const entry of loc.children) {
      if (entry.kind !== 'characteristic' || entry.type === 'PrivateKeyContainer') continue;
      const encoded = parmOf(entry, 'EncodedCertificate')?.value;
      if (encoded === undefined) continue;
      out.push({ store: `${store}/${location}`, thumbprint: entry.type, encodedCertificate: encoded });
    }
  }
  return out;
}

function readApplication(app: WapCharacteristic, i: number): ProvisionedApplication {
  const path = `APPLICATION[${i}]`;
  const parms = parmRecord(app);
  // ADDR is a parm of w7; OMA CP also allows it inside an APPADDR characteristic.
  const address = parms.ADDR ?? characteristicsOf(app, 'APPADDR').map((a) => parmOf(a, 'ADDR')?.value).find((v) => v !== undefined);
  if (parms['PROVIDER-ID'] === undefined) throw invalid(`${path}/PROVIDER-ID`, 'the w7 APPLICATION has no PROVIDER-ID');
  if (address === undefined) throw invalid(`${path}/ADDR`, 'the w7 APPLICATION has no ADDR');
  const out: ProvisionedApplication = {
    providerId: parms['PROVIDER-ID'],
    address,
    backCompatRetryDisabled: 'BACKCOMPATRETRYDISABLED' in parms,
    auth: characteristicsOf(app, 'APPAUTH').map((a) => {
      const p = parmRecord(a);
      const auth: ProvisionedAppAuth = { level: p.AAUTHLEVEL ?? '' };
      if (p.AAUTHTYPE !== undefined) auth.type = p.AAUTHTYPE;
      if (p.AAUTHNAME !== undefined) auth.name = p.AAUTHNAME;
      if (p.AAUTHSECRET !== undefined) auth.secret = p.AAUTHSECRET;
      if (p.AAUTHDATA !== undefined) auth.data = p.AAUTHDATA;
      return auth;
    }),
    parms,
  };
  const set = <K extends keyof ProvisionedApplication>(k: K, v: ProvisionedApplication[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('name', parms.NAME);
  set('connRetryFreq', int(parms.CONNRETRYFREQ, `${path}/CONNRETRYFREQ`));
  set('initialBackoffTime', int(parms.INITIALBACKOFFTIME, `${path}/INITIALBACKOFFTIME`));
  set('maxBackoffTime', int(parms.MAXBACKOFFTIME, `${path}/MAXBACKOFFTIME`));
  set('defaultEncoding', parms.DEFAULTENCODING);
  set('sslClientCertSearchCriteria', parms.SSLCLIENTCERTSEARCHCRITERIA);
  return out;
}

function readProvider(p: WapCharacteristic): ProvisionedDmClientProvider {
  const poll: Partial<PollSchedule> = {};
  const target = poll as Record<string, number | boolean>;
  for (const pc of characteristicsOf(p, 'Poll')) {
    const parms = parmRecord(pc);
    for (const [field, name] of POLL_PARMS) {
      const path = `DMClient/Provider/${p.type}/Poll/${name}`;
      const v = field === 'pollOnLogin' || field === 'allUsersPollOnFirstLogin' ? bool(parms[name], path) : int(parms[name], path);
      if (v !== undefined) target[field] = v;
    }
  }
  return { providerId: p.type, poll, parms: parmRecord(p) };
}

export function readEnrollmentProvisioning(doc: WapProvisioningDoc): EnrollmentProvisioning {
  const out: EnrollmentProvisioning = {
    rootCertificates: certificatesIn(doc, 'Root', 'System'),
    clientCertificates: [...certificatesIn(doc, 'My', 'User'), ...certificatesIn(doc, 'My', 'System')],
    applications: characteristicsOf(doc, 'APPLICATION')
      .filter((a) => parmOf(a, 'APPID')?.value === 'w7')
      .map(readApplication),
    dmClientProviders: characteristicsAt(doc, ['DMClient', 'Provider'])
      .flatMap((p) => p.children.filter((c): c is WapCharacteristic => c.kind === 'characteristic'))
      .map(readProvider),
  };
  const renew = characteristicsAt(doc, ['CertificateStore', 'My', 'WSTEP', 'Renew'])[0];
  if (renew) {
    const p = parmRecord(renew);
    out.renew = {};
    const robo = bool(p.ROBOSupport, 'WSTEP/Renew/ROBOSupport');
    const period = int(p.RenewPeriod, 'WSTEP/Renew/RenewPeriod');
    const retry = int(p.RetryInterval, 'WSTEP/Renew/RetryInterval');
    if (robo !== undefined) out.renew.roboSupport = robo;
    if (period !== undefined) out.renew.renewPeriodDays = period;
    if (retry !== undefined) out.renew.retryIntervalDays = retry;
  }
  return out;
}

/** The APPAUTH block of `level` (CLIENT or APPSRV). */
export function appAuthOf(app: ProvisionedApplication, level: 'CLIENT' | 'APPSRV'): ProvisionedAppAuth | undefined {
  return app.auth.find((a) => a.level.toUpperCase() === level);
}

/** The certificate's DER, checked against its thumbprint; invalidValue when either does not hold. */
export function certificateDerOf(cert: ProvisionedCertificate): Buffer {
  const b64 = cert.encodedCertificate.replace(/\s+/g, '');
  if (b64.length === 0 || b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
    throw invalid(`CertificateStore/${cert.store}/${cert.thumbprint}/EncodedCertificate`, 'EncodedCertificate is not base64');
  }
  const der = Buffer.from(b64, 'base64');
  const actual = createHash('sha1').update(der).digest('hex');
  if (actual !== cert.thumbprint.toLowerCase()) {
    throw invalid(`CertificateStore/${cert.store}/${cert.thumbprint}`, `the certificate's SHA-1 thumbprint is ${actual.toUpperCase()}, not ${cert.thumbprint}`);
  }
  return der;
}

/**
 * What would make Windows refuse the document, in words: no w7 APPLICATION, a DMClient provider that
 * is not the w7 PROVIDER-ID ("must match", Microsoft's sample), a missing APPAUTH level (both CLIENT
 * and APPSRV should be present) or a CLIENT level that is not DIGEST (w7 APPLICATION CSP).
 */
export function provisioningProblems(p: EnrollmentProvisioning): string[] {
  const problems: string[] = [];
  if (p.applications.length === 0) problems.push('no w7 APPLICATION characteristic');
  if (p.clientCertificates.length === 0) problems.push('no client certificate in CertificateStore/My');
  for (const app of p.applications) {
    const client = appAuthOf(app, 'CLIENT');
    if (!client) problems.push(`APPLICATION ${app.providerId} has no APPAUTH with AAUTHLEVEL CLIENT`);
    else if (client.type?.toUpperCase() !== 'DIGEST') problems.push(`APPLICATION ${app.providerId}: AAUTHLEVEL CLIENT must use AAUTHTYPE DIGEST, not ${client.type ?? '(none)'}`);
    if (!appAuthOf(app, 'APPSRV')) problems.push(`APPLICATION ${app.providerId} has no APPAUTH with AAUTHLEVEL APPSRV`);
  }
  const ids = new Set(p.applications.map((a) => a.providerId));
  for (const provider of p.dmClientProviders) {
    if (!ids.has(provider.providerId)) problems.push(`DMClient Provider ${provider.providerId} matches no w7 PROVIDER-ID (${[...ids].join(', ') || 'none'})`);
  }
  return problems;
}

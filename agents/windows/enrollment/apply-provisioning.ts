import { createHash } from 'node:crypto';
import { POLL_PARMS, type ProvisionedApplication, type ProvisionedDmClientProvider } from '../../../protocol/windows/provisioning/index.js';
import { isSuccess, type DmTree } from '../dm-tree/index.js';
import { dmAccountUri, DMCLIENT_PROVIDERS, CLIENT_CREDENTIALS, SERVER_CREDENTIALS } from '../omadm/dm-account.js';
import type { WindowsEnrollment, WindowsIdentity } from '../device-state.js';
import type { EnrollmentOutcome } from './mde2-enrollment.js';

/**
 * Applying the enrollment's provisioning document to the device's management tree, as the Windows
 * enrollment client hands each characteristic to its CSP (the device writing its own tree: the
 * server's AccessTypes do not apply):
 * - CertificateStore: Root/System and My/User (or My/System) entries by SHA-1 thumbprint, and the
 *   WSTEP renewal settings (CertificateStore CSP). The DDF has no My/System: a device enrollment's
 *   certificate then lives only with the device's identity, as its key does.
 * - w7 APPLICATION → ./SyncML/DMAcc/{AccountUID} ("Mapping Between w7 and DMS Configuration Service
 *   Providers"; DMAcc CSP: the AccountUID is the SHA-256 of the PROVIDER-ID): ServerID, Name,
 *   AppAddr Addr, and each APPAUTH block under AppAuth — APPSRV (the client's credentials towards
 *   the server) as CLCRED, CLIENT (the server's towards the client) as SRVCRED — with its nonce.
 * - DMClient/Provider/{ProviderID}: the Poll schedule, UPN and EntDeviceName (DMClient CSP), and its
 *   Push node, empty until the server sets Push/PFN.
 * Returns the LocURIs the tree refused, for the log (a node the DDF does not define).
 */
export function applyProvisioning(tree: DmTree, outcome: EnrollmentOutcome, clientStore: 'User' | 'System'): string[] {
  const refused: string[] = [];
  const set = (uri: string, value?: string) => {
    const status = tree.setLocal(uri, value);
    if (!isSuccess(status.code)) refused.push(`${uri} (${status.code}${status.reason ? `: ${status.reason}` : ''})`);
  };
  const { provisioning, application, dmClient } = outcome;
  for (const c of provisioning.rootCertificates) set(`./Vendor/MSFT/CertificateStore/Root/System/${c.thumbprint}/EncodedCertificate`, c.encodedCertificate.replace(/\s+/g, ''));
  for (const c of provisioning.clientCertificates) {
    const store = c.store.endsWith('/System') ? 'System' : clientStore;
    set(`./Vendor/MSFT/CertificateStore/My/${store}/${c.thumbprint}/EncodedCertificate`, c.encodedCertificate.replace(/\s+/g, ''));
  }
  const renew = provisioning.renew;
  if (renew) {
    const base = './Vendor/MSFT/CertificateStore/My/WSTEP/Renew';
    if (renew.roboSupport !== undefined) set(`${base}/ROBOSupport`, String(renew.roboSupport));
    if (renew.renewPeriodDays !== undefined) set(`${base}/RenewPeriod`, String(renew.renewPeriodDays));
    if (renew.retryIntervalDays !== undefined) set(`${base}/RetryInterval`, String(renew.retryIntervalDays));
  }
  applyApplication(application, set);
  if (dmClient) applyDmClient(dmClient, set);
  return refused;
}

/** ./SyncML/DMAcc/{AccountUID} for a w7 PROVIDER-ID (DMAcc CSP: SHA-256 of the PROVIDER-ID). */
export function accountUidOf(providerId: string): string {
  return createHash('sha256').update(providerId, 'utf8').digest('hex').toUpperCase();
}

function applyApplication(app: ProvisionedApplication, set: (uri: string, value?: string) => void): void {
  const acc = dmAccountUri(accountUidOf(app.providerId));
  set(`${acc}/AppID`, 'w7');
  set(`${acc}/ServerID`, app.providerId);
  if (app.name !== undefined) set(`${acc}/Name`, app.name);
  set(`${acc}/AppAddr/1/Addr`, app.address);
  set(`${acc}/AppAddr/1/AddrType`, 'URI');
  for (const auth of app.auth) {
    const level = auth.level.toUpperCase();
    const object = level === 'APPSRV' ? CLIENT_CREDENTIALS : level === 'CLIENT' ? SERVER_CREDENTIALS : undefined;
    if (!object) continue;
    const base = `${acc}/AppAuth/${object}`;
    set(`${base}/AAuthLevel`, object);
    if (auth.type !== undefined) set(`${base}/AAuthType`, auth.type.toUpperCase());
    if (auth.name !== undefined) set(`${base}/AAuthName`, auth.name);
    if (auth.secret !== undefined) set(`${base}/AAuthSecret`, auth.secret);
    if (auth.data !== undefined) set(`${base}/AAuthData`, auth.data.replace(/\s+/g, ''));
  }
  const ext = `${acc}/Ext/Microsoft`;
  set(`${ext}/ProtoVer`, '1.2');
  if (app.defaultEncoding !== undefined) set(`${ext}/DefaultEncoding`, app.defaultEncoding);
  if (app.connRetryFreq !== undefined) set(`${ext}/ConnRetryFreq`, String(app.connRetryFreq));
  if (app.initialBackoffTime !== undefined) set(`${ext}/InitialBackOffTime`, String(app.initialBackoffTime));
  if (app.maxBackoffTime !== undefined) set(`${ext}/MaxBackOffTime`, String(app.maxBackoffTime));
  if (app.backCompatRetryDisabled) set(`${ext}/BackCompatRetryDisabled`, 'true');
  if (app.sslClientCertSearchCriteria !== undefined) set(`${ext}/SSLCLIENTCERTSEARCHCRITERIA`, app.sslClientCertSearchCriteria);
}

function applyDmClient(p: ProvisionedDmClientProvider, set: (uri: string, value?: string) => void): void {
  const base = `${DMCLIENT_PROVIDERS}/${encodeURIComponent(p.providerId)}`;
  set(base);
  // The provider comes with its (empty) Push node: a provisioning document cannot set Push (DMClient
  // CSP), and Microsoft's push page has the server Replace Push/PFN in a session.
  set(`${base}/Push`);
  for (const [field, name] of POLL_PARMS) {
    const v = p.poll[field];
    if (v !== undefined) set(`${base}/Poll/${name}`, String(v));
  }
  if (p.parms.UPN !== undefined) set(`${base}/UPN`, p.parms.UPN);
  if (p.parms.EntDeviceName !== undefined) set(`${base}/EntDeviceName`, p.parms.EntDeviceName);
}

/** What the device keeps of an enrollment beside its tree: the DM account's place and its identity. */
export function enrollmentRecords(outcome: EnrollmentOutcome, facts: { upn: string; discoveryUrl: string; enrolledAt: number }): { enrollment: WindowsEnrollment; identity: WindowsIdentity } {
  const providerId = outcome.application.providerId;
  return {
    enrollment: { providerId, accountUid: accountUidOf(providerId), serverUrl: outcome.application.address, ...facts },
    identity: { keyPem: outcome.keyPem, certDer: outcome.certDer, rootCertDers: outcome.rootCertDers },
  };
}

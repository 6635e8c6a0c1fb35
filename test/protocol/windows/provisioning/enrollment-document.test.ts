import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../../../certs/authority.js';
import {
  appAuthOf,
  buildEnrollmentProvisioningDoc,
  certificateDerOf,
  certificateThumbprint,
  characteristicsAt,
  decodeProvisioningDoc,
  encodeProvisioningDoc,
  parmOf,
  provisioningProblems,
  readEnrollmentProvisioning,
  type EnrollmentProvisioningInput,
} from '../../../../protocol/windows/provisioning/index.js';
import { DEVICE_ID, expectWindowsError, msdoc, MSDOCS, SERVER, spec } from '../fixtures.js';

let root: Buffer;
let client: Buffer;

beforeAll(async () => {
  const ca = await CertificateAuthority.create({ commonName: 'mdmlab provisioning test CA' });
  const device = await CertificateAuthority.create({ commonName: DEVICE_ID }); // any other certificate will do
  root = ca.certDer;
  client = device.certDer;
});

const input = (): EnrollmentProvisioningInput => ({
  rootCertificate: root,
  clientCertificate: client,
  clientCertificateStore: 'User',
  renew: { roboSupport: true, renewPeriodDays: 60, retryIntervalDays: 4 },
  application: {
    providerId: 'mdmlab',
    name: 'mdmlab',
    address: `${SERVER}/ManagementServer/MDM.svc`,
    sslClientCertSearchCriteria: `Subject=CN%3D${DEVICE_ID}&Stores=My%5CUser`,
    serverCredentials: { secret: 'server-secret', nonce: Buffer.from([0, 1, 2, 250]) },
    clientCredentials: { type: 'DIGEST', name: DEVICE_ID, secret: 'device-secret', nonce: Buffer.from('first nonce') },
  },
  dmClient: {
    poll: { numberOfFirstRetries: 8, intervalForFirstSetOfRetries: 15, numberOfSecondRetries: 5, intervalForSecondSetOfRetries: 3, numberOfRemainingScheduledRetries: 0, intervalForRemainingScheduledRetries: 1560, pollOnLogin: true },
    entDeviceName: 'alice_Windows',
    upn: 'alice@contoso.com',
  },
});

describe('the enrollment provisioning document', () => {
  it('names certificates by their upper-case SHA-1 thumbprint', () => {
    expect(certificateThumbprint(root)).toBe(createHash('sha1').update(root).digest('hex').toUpperCase());
    expect(certificateThumbprint(root)).toMatch(/^[0-9A-F]{40}$/);
  });

  it('has the shape of Microsoft sample: Root/System, My/User with PrivateKeyContainer, WSTEP, w7 with both APPAUTH, DMClient', () => {
    const doc = buildEnrollmentProvisioningDoc(input());
    const sample = decodeProvisioningDoc(msdoc(MSDOCS.provisioningDoc));
    const shape = (d: typeof doc) => d.characteristics.map((c) => c.type);
    expect(shape(doc)).toEqual(shape(sample));
    const my = characteristicsAt(doc, ['CertificateStore', 'My', 'User'])[0]!;
    expect(my.children.map((c) => (c.kind === 'characteristic' ? c.type : c.name))).toEqual([certificateThumbprint(client), 'PrivateKeyContainer']);
    const app = doc.characteristics[2]!;
    expect(app.children.map((c) => (c.kind === 'parm' ? c.name : c.type))).toEqual([
      'APPID', 'PROVIDER-ID', 'NAME', 'ADDR', 'CONNRETRYFREQ', 'INITIALBACKOFFTIME', 'MAXBACKOFFTIME', 'BACKCOMPATRETRYDISABLED', 'DEFAULTENCODING', 'SSLCLIENTCERTSEARCHCRITERIA', 'APPAUTH', 'APPAUTH',
    ]);
    expect(parmOf(app, 'DEFAULTENCODING')?.value).toBe('application/vnd.syncml.dm+xml');
    expect(parmOf(characteristicsAt(doc, ['DMClient', 'Provider', 'mdmlab', 'Poll'])[0]!, 'IntervalForRemainingScheduledRetries')).toEqual({
      kind: 'parm', name: 'IntervalForRemainingScheduledRetries', value: '1560', datatype: 'integer',
    });
  });

  it('reads back on the device as it was built, with no problem to report', () => {
    const read = readEnrollmentProvisioning(decodeProvisioningDoc(encodeProvisioningDoc(buildEnrollmentProvisioningDoc(input()))));
    expect(certificateDerOf(read.rootCertificates[0]!).equals(root)).toBe(true);
    expect(read.clientCertificates.map((c) => c.store)).toEqual(['My/User']);
    expect(certificateDerOf(read.clientCertificates[0]!).equals(client)).toBe(true);
    expect(read.renew).toEqual({ roboSupport: true, renewPeriodDays: 60, retryIntervalDays: 4 });
    const app = read.applications[0]!;
    expect(app).toMatchObject({ providerId: 'mdmlab', name: 'mdmlab', address: `${SERVER}/ManagementServer/MDM.svc`, connRetryFreq: 6, initialBackoffTime: 30000, maxBackoffTime: 120000, backCompatRetryDisabled: true, defaultEncoding: 'application/vnd.syncml.dm+xml' });
    expect(appAuthOf(app, 'CLIENT')).toEqual({ level: 'CLIENT', type: 'DIGEST', secret: 'server-secret', data: 'AAEC+g==' });
    expect(appAuthOf(app, 'APPSRV')).toEqual({ level: 'APPSRV', type: 'DIGEST', name: DEVICE_ID, secret: 'device-secret', data: Buffer.from('first nonce').toString('base64') });
    expect(read.dmClientProviders).toEqual([{ providerId: 'mdmlab', poll: input().dmClient.poll, parms: { UPN: 'alice@contoso.com', EntDeviceName: 'alice_Windows' } }]);
    expect(provisioningProblems(read)).toEqual([]);
    const device = readEnrollmentProvisioning(buildEnrollmentProvisioningDoc({ ...input(), clientCertificateStore: 'System' }));
    expect(device.clientCertificates.map((c) => c.store)).toEqual(['My/System']);
  });

  it("reads Microsoft's sample and the WSO2 templates, and reports their inconsistencies", () => {
    const sample = readEnrollmentProvisioning(decodeProvisioningDoc(msdoc(MSDOCS.provisioningDoc)));
    expect(sample.applications[0]!.providerId).toBe(sample.dmClientProviders[0]!.providerId);
    expect(sample.dmClientProviders[0]!.poll).toMatchObject({ numberOfFirstRetries: 8, intervalForRemainingScheduledRetries: 1560, pollOnLogin: true });
    // The sample's APPSRV is BASIC, which w7 allows; its certificates are placeholders.
    expect(provisioningProblems(sample)).toEqual([]);
    expectWindowsError(() => certificateDerOf(sample.rootCertificates[0]!), 'invalidValue');
    const win10 = readEnrollmentProvisioning(decodeProvisioningDoc(spec('provisioning', 'wso2-win10-wap-provisioning.template.xml')));
    expect(provisioningProblems(win10)).toEqual(['DMClient Provider TestMDMServer matches no w7 PROVIDER-ID (MobiCDMServer)']);
  });

  it('catches a certificate stored under another thumbprint', () => {
    const doc = buildEnrollmentProvisioningDoc(input());
    const read = readEnrollmentProvisioning(doc);
    expectWindowsError(() => certificateDerOf({ ...read.rootCertificates[0]!, thumbprint: certificateThumbprint(client) }), 'invalidValue', /^CertificateStore\/Root\/System\//);
  });

  it('refuses inputs Windows would not accept, naming the field', () => {
    const bad = (patch: (i: EnrollmentProvisioningInput) => void, field: string) => {
      const i = input();
      patch(i);
      expectWindowsError(() => buildEnrollmentProvisioningDoc(i), 'invalidValue', field);
    };
    bad((i) => (i.application.providerId = ' '), 'application.providerId');
    bad((i) => (i.application.address = 'ftp://x'), 'application.address');
    bad((i) => (i.application.serverCredentials.nonce = Buffer.alloc(0)), 'application.serverCredentials.nonce');
    bad((i) => (i.application.clientCredentials.name = ''), 'application.clientCredentials.name');
    bad((i) => (i.dmClient.poll.intervalForFirstSetOfRetries = -1), 'dmClient.poll.intervalForFirstSetOfRetries');
    bad((i) => (i.renew!.renewPeriodDays = 1.5), 'renew.renewPeriodDays');
  });
});

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../../certs/authority.js';
import { isWindowsDeviceError } from '../../../agents/windows/errors.js';
import { dmAccountUri, readDmAccount, SERVER_CREDENTIALS } from '../../../agents/windows/omadm/dm-account.js';
import { accountUidOf } from '../../../agents/windows/enrollment/apply-provisioning.js';
import { decodeEnrollmentRequest, encodeDiscoverResponse, enrollmentRequestDer } from '../../../protocol/windows/mde2/index.js';
import { decodeSyncML, encodeSyncML, replyHeader, syncHdrStatus } from '../../../protocol/windows/syncml/index.js';
import { KeyPool } from '../../../agents/identity/key-pool.js';
import { WindowsDevice } from '../../../agents/windows/windows-device.js';

/**
 * Not only mdmlab's server: the device enrolls with answers shaped as Microsoft documents them
 * (the MS-MDE2 and Microsoft Learn enrollment samples, read at run time): the GetPolicies sample verbatim, the RSTR
 * sample (SOAP 1.1 namespace, values wrapped in whitespace) carrying Microsoft's provisioning
 * document sample with real certificates put in — whose APPSRV block gives the client BASIC
 * credentials, the way a server following the w7 APPLICATION CSP provisions them — and the
 * lower-case fault sample.
 */
const MSDOCS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/specs/windows/msdocs');
const sample = (name: string) => readFileSync(path.join(MSDOCS, name), 'utf8');
const thumb = (der: Buffer) => createHash('sha1').update(der).digest('hex').toUpperCase();

interface SpecServer {
  url: string;
  /** OMA-DM messages received at the sample's management path. */
  dm: string[];
  close(): Promise<void>;
}

async function specServer(enrollmentAnswer: 'sample' | 'fault'): Promise<SpecServer> {
  const ca = await CertificateAuthority.create({ commonName: 'Spec server CA' });
  const dm: string[] = [];
  let base = '';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const soap = (status: number, xml: string) => res.writeHead(status, { 'content-type': 'application/soap+xml; charset=utf-8' }).end(xml);
      if (req.url === '/EnrollmentServer/Discovery.svc' && req.method === 'GET') return res.writeHead(200).end();
      if (req.url === '/EnrollmentServer/Discovery.svc') {
        return soap(200, encodeDiscoverResponse({ response: { authPolicy: 'OnPremise', enrollmentVersion: '3.0', enrollmentPolicyServiceUrl: `${base}/ENROLLMENTSERVER/PolicyService.svc`, enrollmentServiceUrl: `${base}/ENROLLMENTSERVER/EnrollmentService.svc` } }));
      }
      if (req.url === '/ENROLLMENTSERVER/PolicyService.svc') return soap(200, sample('msdocs-onprem-03-getpolicies-response.xml'));
      if (req.url === '/ENROLLMENTSERVER/EnrollmentService.svc') {
        if (enrollmentAnswer === 'fault') return soap(500, sample('msdocs-06-soap-fault-devicecapreached-lowercase.xml'));
        const csr = enrollmentRequestDer(decodeEnrollmentRequest(body).request);
        const issued = ca.issueFromCsr(csr, { validityDays: 30 }).certDer;
        const doc = sample('msdocs-onprem-05-wap-provisioningdoc-sample.xml')
          .replace('031336C933CC7E228B88880D78824FB2909A0A2F', thumb(ca.certDer))
          .replace('B64 encoded cert insert here', ca.certDer.toString('base64'))
          .replace('F9A4F20FC50D990FDD0E3DB9AFCBF401818D5462', thumb(issued))
          .replace('B64EncodedCertInsertedHere', issued.toString('base64'))
          .replace('https://DM.contoso.com:443/omadm/Windows.ashx', `${base}/omadm/Windows.ashx`)
          .replace('B64encodedBinaryNonceInsertedHere', Buffer.from('server nonce').toString('base64'));
        return soap(200, sample('msdocs-onprem-04-rstr-response-soap11ns.xml').replace('B64EncodedSampleBinarySecurityToken', Buffer.from(doc).toString('base64')));
      }
      if (req.url === '/omadm/Windows.ashx') {
        dm.push(body.toString('utf8'));
        const m = decodeSyncML(body);
        return res.writeHead(200, { 'content-type': 'application/vnd.syncml.dm+xml' }).end(encodeSyncML({ header: replyHeader(m.header, m.header.msgId), commands: [syncHdrStatus(m.header, '1', 212)], final: true }));
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: `${base}/EnrollmentServer/Discovery.svc`, dm, close: () => new Promise((r) => server.close(() => r())) };
}

const pool = new KeyPool({ seed: 'windows-spec-server' });
let device: WindowsDevice | undefined;
let spec: SpecServer | undefined;
afterEach(async () => {
  await device?.stop();
  await spec?.close();
  spec = undefined;
  device = undefined;
});

describe('a Windows device against answers shaped as Microsoft documents them', () => {
  it('enrolls with the samples, takes the APPSRV block as its own credentials (BASIC here) and the sample poll schedule', async () => {
    spec = await specServer('sample');
    device = await WindowsDevice.create({ keyPool: pool, pollIntervalMs: 0 });
    await device.enroll({ discoveryUrl: spec.url, upn: 'user@contoso.com', token: 'password' });
    expect(device.enrollment).toMatchObject({ providerId: 'TestMDMServer', accountUid: accountUidOf('TestMDMServer') });
    const account = readDmAccount(device.tree, accountUidOf('TestMDMServer'));
    expect(account?.client).toMatchObject({ type: 'BASIC', name: 'testclient', secret: 'password2' });
    expect(device.tree.value(`${dmAccountUri(accountUidOf('TestMDMServer'))}/AppAuth/${SERVER_CREDENTIALS}/AAuthSecret`)).toBe('password1');
    expect(device.tree.value('./Vendor/MSFT/DMClient/Provider/TestMDMServer/Poll/IntervalForRemainingScheduledRetries')).toBe('1560');
    expect(device.tree.value('./Vendor/MSFT/CertificateStore/My/WSTEP/Renew/RenewPeriod')).toBe('60');
    // Its first session went to the sample's management address with syncml:auth-basic.
    const [first] = spec.dm;
    const cred = decodeSyncML(first!).header.cred;
    expect(cred?.meta.type).toBe('syncml:auth-basic');
    expect(Buffer.from(cred!.data, 'base64').toString()).toBe('testclient:password2');
  });

  it('reports the lower-case fault sample as the refusal Windows shows (DeviceCapReached, 0x80180013)', async () => {
    spec = await specServer('fault');
    device = await WindowsDevice.create({ keyPool: pool, pollIntervalMs: 0 });
    const err = await device.enroll({ discoveryUrl: spec.url, upn: 'user@contoso.com', token: 'password' }).catch((e: unknown) => e);
    expect(isWindowsDeviceError(err, 'enrollmentRefused')).toBe(true);
    expect((err as Error).message).toContain('Authorization/DeviceCapReached (0x80180013): device cap reached');
    expect(device.isEnrolled()).toBe(false);
  });
});

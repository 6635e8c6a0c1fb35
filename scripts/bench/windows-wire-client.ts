import { randomUUID, type KeyObject } from 'node:crypto';
import http from 'node:http';
import { buildWindowsCsr } from '../../certs/windows-csr.js';
import { decodeDiscoverResponse, encodeDiscoverRequest } from '../../protocol/windows/mde2/discovery.js';
import { encodeEnrollmentRequest } from '../../protocol/windows/mde2/enrollment-request.js';
import { decodeEnrollmentResponse, provisioningDocumentOf } from '../../protocol/windows/mde2/enrollment-response.js';
import { SOAP_CONTENT_TYPE } from '../../protocol/windows/mde2/namespaces.js';
import { encodeGetPoliciesRequest } from '../../protocol/windows/mde2/policies.js';
import { appAuthOf, readEnrollmentProvisioning } from '../../protocol/windows/provisioning/enrollment-reader.js';
import { decodeProvisioningDoc } from '../../protocol/windows/provisioning/wap-document.js';
import { loginStatusAlert } from '../../protocol/windows/syncml/alert-codes.js';
import { AUTH_MD5, FORMAT_B64, md5CredentialHash, md5DigestFromHash } from '../../protocol/windows/syncml/auth-md5.js';
import { decodeSyncML } from '../../protocol/windows/syncml/decode.js';
import { encodeSyncML } from '../../protocol/windows/syncml/encode.js';
import { statusFor } from '../../protocol/windows/syncml/replies.js';
import { SYNCML_DM_CONTENT_TYPE, type SyncMLCommand, type SyncMLMessage } from '../../protocol/windows/syncml/types.js';

/**
 * A minimal Windows client for the benchmark, written with the protocol codecs: one MS-MDE2
 * enrollment (discovery, policies, RequestSecurityToken) and OMA-DM messages with syncml:auth-md5
 * and nonce chaining. The simulated device (agents/windows) is the real client; this one only
 * has to produce the idle sessions a fleet makes most of.
 */
export interface BenchDevice {
  deviceId: string;
  managementUrl: string;
  /** MD5(name:secret), base64-free: what each digest is made from. */
  credentialHash: Buffer;
  nonce: Buffer;
  session: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export function post(url: string, contentType: string, body: Buffer | string, keepAlive: http.Agent = agent): Promise<{ status: number; body: Buffer }> {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: keepAlive, headers: { 'content-type': contentType, 'content-length': bytes.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(bytes);
  });
}

/** Enrolls one device with `upn` and its (reusable) enrollment token. */
export async function enrollBenchDevice(discoveryUrl: string, upn: string, token: string, key: { privateKey: KeyObject; publicKey: KeyObject }, deviceId: string): Promise<BenchDevice> {
  const soap = async (url: string, xml: string) => {
    const res = await post(url, SOAP_CONTENT_TYPE, xml);
    if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
    return res.body.toString('utf8');
  };
  const discovery = decodeDiscoverResponse(
    await soap(discoveryUrl, encodeDiscoverRequest({ messageId: `urn:uuid:${randomUUID()}`, to: discoveryUrl, request: { emailAddress: upn, requestVersion: '4.0', authPolicies: ['OnPremise'] } })),
  ).response;
  const security = { usernameToken: { username: upn, password: token } };
  await soap(discovery.enrollmentPolicyServiceUrl, encodeGetPoliciesRequest({ messageId: `urn:uuid:${randomUUID()}`, to: discovery.enrollmentPolicyServiceUrl, security }));
  const csr = buildWindowsCsr({ privateKey: key.privateKey, publicKey: key.publicKey, requestGuid: randomUUID().toUpperCase(), deviceId, digest: 'sha256' });
  const rstr = await soap(
    discovery.enrollmentServiceUrl,
    encodeEnrollmentRequest({ messageId: `urn:uuid:${randomUUID()}`, to: discovery.enrollmentServiceUrl, security, csr, context: { deviceId, enrollmentType: 'Full', deviceType: 'CIMClient_Windows', macAddresses: [], imeis: [] } }),
  );
  const provisioning = readEnrollmentProvisioning(decodeProvisioningDoc(provisioningDocumentOf(decodeEnrollmentResponse(rstr).response)));
  const app = provisioning.applications[0]!;
  const client = appAuthOf(app, 'APPSRV')!; // w7 APPLICATION: APPSRV holds what the client presents to the server
  return { deviceId, managementUrl: app.address, credentialHash: md5CredentialHash(client.name!, client.secret!), nonce: Buffer.from(client.data!, 'base64'), session: 0 };
}

/** The first package of a Windows 10 session: Alert 1201, LoginStatus, DevInfo (as in MS-MDM §4's example). */
export function idleMessage(d: BenchDevice): string {
  d.session++;
  const commands: SyncMLCommand[] = [
    { kind: 'Alert', cmdId: '1', code: 1201, items: [] },
    loginStatusAlert('2', 'user'),
    {
      kind: 'Replace',
      cmdId: '3',
      items: [
        ['DevId', d.deviceId],
        ['Man', 'Contoso Ltd.'],
        ['Mod', 'Surface Laptop 4'],
        ['DmV', '1.3'],
        ['Lang', 'en-US'],
      ].map(([k, v]) => ({ source: `./DevInfo/${k}`, meta: { format: 'chr' }, data: v })),
    },
  ];
  return encodeSyncML({
    header: { verDtd: '1.2', verProto: 'DM/1.2', sessionId: d.session.toString(16).toUpperCase(), msgId: '1', target: { locUri: d.managementUrl }, source: { locUri: d.deviceId }, cred: credential(d) },
    commands,
    final: true,
  });
}

/** syncml:auth-md5 from the kept credential hash and the latest nonce. */
const credential = (d: BenchDevice) => ({ meta: { type: AUTH_MD5, format: FORMAT_B64 }, data: md5DigestFromHash(d.credentialHash, d.nonce) });

const NEXT_NONCE = /<NextNonce[^>]*>([^<]+)<\/NextNonce>/;
const HDR_STATUS = /<Cmd>SyncHdr<\/Cmd>.*?<Data>(\d{3})<\/Data>/;

/** Keeps the nonce chain from a reply, cheaply (the load client must not be the bottleneck); the SyncHdr status. */
export function takeReply(d: BenchDevice, reply: string): { code: number; commands: boolean } {
  const nonce = NEXT_NONCE.exec(reply)?.[1];
  if (nonce) d.nonce = Buffer.from(nonce, 'base64');
  return { code: Number(HDR_STATUS.exec(reply)?.[1] ?? 0), commands: /<(Add|Replace|Delete|Get|Exec|Atomic|Alert)>/.test(reply) };
}

/**
 * The device's first session, answered as a device with push does: Replace PFN accepted, and the
 * Get of ChannelURI answered with `channelUri`, so that its later idle sessions are one message.
 */
export async function firstSession(d: BenchDevice, channelUri: string): Promise<void> {
  const first = await post(d.managementUrl, SYNCML_DM_CONTENT_TYPE, idleMessage(d));
  const reply: SyncMLMessage = decodeSyncML(first.body);
  takeReply(d, first.body.toString('utf8'));
  const answers: SyncMLCommand[] = [{ ...statusFor({ kind: 'Alert', cmdId: '0', code: 0, items: [] }, reply.header.msgId, '1', 200), cmdRef: '0', cmd: 'SyncHdr' }];
  let id = 2;
  for (const c of reply.commands) {
    if (c.kind === 'Status' || c.kind === 'Results' || c.kind === 'Invalid') continue;
    answers.push(statusFor(c, reply.header.msgId, String(id++), 200));
    if (c.kind === 'Get') answers.push({ kind: 'Results', cmdId: String(id++), msgRef: reply.header.msgId, cmdRef: c.cmdId, targetRefs: [], sourceRefs: [], items: [{ source: c.items[0]!.target!, data: channelUri }] });
  }
  const second = encodeSyncML({
    header: { verDtd: '1.2', verProto: 'DM/1.2', sessionId: reply.header.sessionId, msgId: '2', target: { locUri: d.managementUrl }, source: { locUri: d.deviceId }, cred: credential(d) },
    commands: answers,
    final: true,
  });
  const end = await post(d.managementUrl, SYNCML_DM_CONTENT_TYPE, second);
  const verdict = takeReply(d, end.body.toString('utf8'));
  if (verdict.code !== 200 || verdict.commands) throw new Error(`the first session of ${d.deviceId} did not end: ${end.body.toString("utf8").slice(0, 1500)}`);
}

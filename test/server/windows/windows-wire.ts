import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import WebSocket from 'ws';
import { buildWindowsCsr } from '../../../certs/windows-csr.js';
import { generateRsaKeyPair, type RsaKeyPair } from '../../../certs/keys.js';
import { decodeDiscoverResponse, encodeDiscoverRequest } from '../../../protocol/windows/mde2/discovery.js';
import { encodeEnrollmentRequest, type EnrollmentContext } from '../../../protocol/windows/mde2/enrollment-request.js';
import { decodeEnrollmentResponse, provisioningDocumentOf } from '../../../protocol/windows/mde2/enrollment-response.js';
import { SOAP_CONTENT_TYPE } from '../../../protocol/windows/mde2/namespaces.js';
import { decodeGetPoliciesResponse, encodeGetPoliciesRequest, policyHash } from '../../../protocol/windows/mde2/policies.js';
import { decodeSoapFault, type SoapFault } from '../../../protocol/windows/mde2/soap-fault.js';
import { appAuthOf, certificateDerOf, readEnrollmentProvisioning, type EnrollmentProvisioning } from '../../../protocol/windows/provisioning/enrollment-reader.js';
import { decodeProvisioningDoc } from '../../../protocol/windows/provisioning/wap-document.js';
import { loginStatusAlert } from '../../../protocol/windows/syncml/alert-codes.js';
import { md5Credential, nonceOfChallenge } from '../../../protocol/windows/syncml/auth-md5.js';
import { decodeSyncML } from '../../../protocol/windows/syncml/decode.js';
import { encodeSyncML } from '../../../protocol/windows/syncml/encode.js';
import { statusFor } from '../../../protocol/windows/syncml/replies.js';
import { SYNCML_DM_CONTENT_TYPE, type SyncMLCommand, type SyncMLCredential, type SyncMLMessage, type SyncMLMeta } from '../../../protocol/windows/syncml/types.js';
import { binary } from '../../helpers/apple-wire.js';
import type { TestServer } from '../../helpers/server.js';

/** What the clients need of a server: its URL and admin API, and its CA when it serves TLS (the fuzz suite's server process has no TestServer). */
export type WindowsWireServer = Pick<TestServer, 'url' | 'api'> & { identity?: { ca: { certPem: string } } };

/**
 * Wire-level Windows clients for server tests: MS-MDE2 enrollment and OMA-DM messages built with
 * the codecs, sent over real HTTP, including what a well-behaved device would never send. Device
 * behaviour itself (the DM tree, the mail store) is the simulated device's, tested in test/agents.
 */

export type WindowsPlatform = 'windows10' | 'windowsPhone81';

export const DISCOVERY = '/EnrollmentServer/Discovery.svc';
export const POLICY = '/EnrollmentServer/Policy.svc';
export const ENROLLMENT = '/EnrollmentServer/Enrollment.svc';
export const MANAGEMENT = '/ManagementServer/MDM.svc';

/** supertest against the server, trusting its CA when it serves TLS; with `identity`, presenting that client certificate. */
export function http(server: WindowsWireServer, identity?: { certPem: string; keyPem: string }) {
  const tls = server.url.startsWith('https:');
  const secure = <T extends request.Test>(t: T): T => {
    if (!tls || !server.identity) return t;
    let out = t.ca(server.identity.ca.certPem) as T;
    if (identity) out = out.cert(identity.certPem).key(identity.keyPem) as T;
    return out;
  };
  return {
    get: (path: string) => secure(request(server.url).get(path)),
    post: (path: string) => secure(request(server.url).post(path)),
  };
}

export const newDeviceId = (): string => randomBytes(16).toString('hex').toUpperCase();
export const messageId = (): string => `urn:uuid:${randomUUID()}`;

export interface WindowsToken {
  userId: string;
  upn: string;
  token: string;
  discoveryUrl: string;
}

export async function windowsToken(server: WindowsWireServer, upn: string, platform: WindowsPlatform = 'windows10', extra: Record<string, unknown> = {}): Promise<WindowsToken> {
  const existing = (await server.api.get(`/users?upn=${encodeURIComponent(upn)}`)).body as { id: string }[];
  const userId = existing[0]?.id ?? (await server.api.post('/users', { upn }).expect(201)).body.id;
  const t = (await server.api.post('/enrollment-tokens', { userId, platform, ...extra }).expect(201)).body;
  return { userId, upn: t.upn, token: t.token, discoveryUrl: t.discoveryUrl };
}

export interface SoapAnswer {
  status: number;
  text: string;
  contentType: string;
  fault?: SoapFault;
}

export async function soapPost(server: WindowsWireServer, path: string, body: string | Buffer, contentType = SOAP_CONTENT_TYPE): Promise<SoapAnswer> {
  const res = await http(server).post(path).set('Content-Type', contentType).send(Buffer.isBuffer(body) ? body : Buffer.from(body)).buffer(true).parse(binary);
  const text = (res.body as Buffer).toString('utf8');
  const answer: SoapAnswer = { status: res.status, text, contentType: String(res.headers['content-type'] ?? '') };
  if (/:Fault|<Fault/i.test(text)) answer.fault = decodeSoapFault(text).fault;
  return answer;
}

export const usernameToken = (username: string, password: string) => ({ usernameToken: { username, password } });

export function rstBody(server: WindowsWireServer, opts: { upn: string; password: string; csr: Buffer; context: EnrollmentContext; messageId?: string }): string {
  return encodeEnrollmentRequest({
    messageId: opts.messageId ?? messageId(),
    to: `${server.url}${ENROLLMENT}`,
    security: usernameToken(opts.upn, opts.password),
    csr: opts.csr,
    context: opts.context,
  });
}

export function windowsContext(platform: WindowsPlatform, deviceId: string, extra: Partial<EnrollmentContext> = {}): EnrollmentContext {
  return platform === 'windows10'
    ? { deviceId, deviceType: 'CIMClient_Windows', enrollmentType: 'Full', osEdition: 72, osVersion: '10.0.19043.2364', applicationVersion: '10.0.19043.2364', deviceName: 'DESKTOP-LAB', requestVersion: '4.0', macAddresses: ['00-0C-29-11-22-33'], imeis: [], ...extra }
    : { deviceId, deviceType: 'WindowsPhone', enrollmentType: 'Device', osVersion: '8.10.14219.341', applicationVersion: '8.10.14219.341', requestVersion: '2.0', macAddresses: [], imeis: ['490154203237518'], ...extra };
}

export interface EnrolledWindows {
  platform: WindowsPlatform;
  deviceId: string;
  keys: RsaKeyPair;
  certDer: Buffer;
  provisioning: EnrollmentProvisioning;
  /** The provisioning document as the server wrote it. */
  provisioningXml: string;
  /** The APPSRV APPAUTH: what the device digests with (w7 APPLICATION CSP). */
  authName: string;
  authSecret: string;
  nonce: Buffer;
  managementUrl: string;
  token: WindowsToken;
  discovery: ReturnType<typeof decodeDiscoverResponse>['response'];
}

/** A whole MS-MDE2 enrollment as a Windows client makes it: discovery, policies, RequestSecurityToken. */
export async function enrollWindows(server: WindowsWireServer, upn: string, opts: { platform?: WindowsPlatform; deviceId?: string; keys?: RsaKeyPair; token?: WindowsToken } = {}): Promise<EnrolledWindows> {
  const platform = opts.platform ?? 'windows10';
  const token = opts.token ?? (await windowsToken(server, upn, platform));
  const deviceId = opts.deviceId ?? newDeviceId();
  await http(server).get(DISCOVERY).expect(200);
  const requestVersion = platform === 'windows10' ? '4.0' : '2.0';
  const discover = await soapPost(
    server,
    DISCOVERY,
    encodeDiscoverRequest({ messageId: messageId(), to: token.discoveryUrl, request: { emailAddress: upn, requestVersion, deviceType: platform === 'windows10' ? 'CIMClient_Windows' : 'WindowsPhone', authPolicies: ['OnPremise', 'Federated'] } }),
  );
  if (discover.status !== 200) throw new Error(`discovery refused: ${discover.text}`);
  const discovery = decodeDiscoverResponse(discover.text).response;
  const policies = await soapPost(server, new URL(discovery.enrollmentPolicyServiceUrl).pathname, encodeGetPoliciesRequest({ messageId: messageId(), to: discovery.enrollmentPolicyServiceUrl, security: usernameToken(upn, token.token) }));
  if (policies.status !== 200) throw new Error(`policies refused: ${policies.text}`);
  const hash = policyHash(decodeGetPoliciesResponse(policies.text).response);
  const keys = opts.keys ?? (await generateRsaKeyPair(2048));
  const csr = buildWindowsCsr({ privateKey: keys.privateKey, publicKey: keys.publicKey, requestGuid: randomUUID().toUpperCase(), deviceId, digest: hash });
  const rst = await soapPost(server, new URL(discovery.enrollmentServiceUrl).pathname, rstBody(server, { upn, password: token.token, csr, context: windowsContext(platform, deviceId) }));
  if (rst.status !== 200) throw new Error(`enrollment refused: ${rst.text}`);
  const provisioningXml = provisioningDocumentOf(decodeEnrollmentResponse(rst.text).response);
  const provisioning = readEnrollmentProvisioning(decodeProvisioningDoc(provisioningXml));
  const app = provisioning.applications[0]!;
  const client = appAuthOf(app, 'APPSRV')!; // [fix from windows-device] APPSRV: the client's credentials
  return {
    platform,
    deviceId,
    keys,
    certDer: certificateDerOf(provisioning.clientCertificates[0]!),
    provisioning,
    provisioningXml,
    authName: client.name!,
    authSecret: client.secret!,
    nonce: Buffer.from(client.data!, 'base64'),
    managementUrl: app.address,
    token,
    discovery,
  };
}

export interface SendOptions {
  final?: boolean;
  /** md5 (default): a digest with the current nonce; none: no Cred; or the Cred to send as it is. */
  cred?: 'md5' | 'none' | SyncMLCredential;
  /** Keep the nonce after the reply (to replay a message). */
  keepNonce?: boolean;
  sessionId?: string;
  msgId?: number;
  source?: string;
  /** SyncHdr Meta (MaxMsgSize). */
  meta?: SyncMLMeta;
}

/**
 * An OMA-DM client over the wire: SessionID, MsgID and the nonce chain kept as a Windows client
 * keeps them. `send` posts one message and decodes the reply; the caller decides what it says.
 */
export class WireDmClient {
  sessionId = 0;
  msgId = 0;
  nonce: Buffer;
  lastReply: SyncMLMessage | undefined;
  lastRaw = '';
  /** With a TLS server: the client certificate the connection presents (mutual TLS), if any. */
  tlsIdentity: { certPem: string; keyPem: string } | undefined;

  constructor(
    readonly server: WindowsWireServer,
    readonly device: EnrolledWindows,
  ) {
    this.nonce = device.nonce;
  }

  get sessionHex(): string {
    return this.sessionId.toString(16).toUpperCase();
  }

  /** The message as bytes, Cred included (for tests that replay or tamper). */
  build(commands: SyncMLCommand[], opts: SendOptions = {}): string {
    const cred = opts.cred ?? 'md5';
    const header = {
      verDtd: '1.2',
      verProto: 'DM/1.2',
      sessionId: opts.sessionId ?? this.sessionHex,
      msgId: String(opts.msgId ?? this.msgId),
      target: { locUri: this.device.managementUrl },
      source: { locUri: opts.source ?? this.device.deviceId },
      ...(cred === 'none' ? {} : { cred: cred === 'md5' ? md5Credential(this.device.authName, this.device.authSecret, this.nonce) : cred }),
      ...(opts.meta ? { meta: opts.meta } : {}),
    };
    return encodeSyncML({ header, commands, final: opts.final ?? true });
  }

  async post(body: string | Buffer, contentType = SYNCML_DM_CONTENT_TYPE): Promise<{ status: number; text: string }> {
    const url = new URL(this.device.managementUrl);
    const res = await http(this.server, this.tlsIdentity).post(`${url.pathname}?mode=Maintenance&Platform=WoA`).set('Content-Type', contentType).send(Buffer.isBuffer(body) ? body : Buffer.from(body)).buffer(true).parse(binary);
    return { status: res.status, text: (res.body as Buffer).toString('utf8') };
  }

  /** Sends commands in the current session (the caller moves MsgID with next()). */
  async send(commands: SyncMLCommand[], opts: SendOptions = {}): Promise<SyncMLMessage> {
    const res = await this.post(this.build(commands, opts));
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.text}`);
    this.lastRaw = res.text;
    const reply = decodeSyncML(res.text);
    this.lastReply = reply;
    const chal = reply.commands.find((c) => c.kind === 'Status' && c.cmd === 'SyncHdr');
    if (!opts.keepNonce && chal?.kind === 'Status' && chal.chal?.nextNonce) this.nonce = nonceOfChallenge(chal.chal);
    return reply;
  }

  /** A new session's first message: Alert 1201 (or 1200), LoginStatus on Windows 10, DevInfo. */
  async open(alert = 1201, extra: SyncMLCommand[] = [], opts: SendOptions = {}): Promise<SyncMLMessage> {
    this.sessionId++;
    this.msgId = 1;
    const commands: SyncMLCommand[] = [{ kind: 'Alert', cmdId: '1', code: alert, items: [] }];
    if (this.device.platform === 'windows10') commands.push(loginStatusAlert('2', 'user'));
    commands.push({
      kind: 'Replace',
      cmdId: '3',
      items: [
        ['DevId', this.device.deviceId],
        ['Man', 'Contoso Ltd.'],
        ['Mod', this.device.platform === 'windows10' ? 'Surface Laptop 4' : 'Lumia 930'],
        ['DmV', '1.3'],
        ['Lang', 'en-US'],
      ].map(([k, v]) => ({ source: `./DevInfo/${k}`, meta: { format: 'chr' }, data: v })),
    });
    return this.send([...commands, ...extra], opts);
  }

  /** The next message of the session: MsgID + 1. */
  async next(commands: SyncMLCommand[], opts: SendOptions = {}): Promise<SyncMLMessage> {
    this.msgId++;
    return this.send(commands, opts);
  }

  /**
   * The Statuses (and Results) a device gives the server's commands in `reply`: `code` decides each
   * (default 200), Results answer Gets with `results`. CmdIDs of the answer start at 1.
   */
  answer(reply: SyncMLMessage, code: (c: SyncMLCommand, parent?: SyncMLCommand) => number = () => 200, results: (target: string) => string | undefined = () => undefined): SyncMLCommand[] {
    let id = 1;
    const out: SyncMLCommand[] = [{ ...statusFor({ kind: 'Alert', cmdId: '0', code: 0, items: [] }, reply.header.msgId, String(id++), 200), cmdRef: '0', cmd: 'SyncHdr' }];
    const visit = (c: SyncMLCommand, parent?: SyncMLCommand) => {
      if (c.kind === 'Status' || c.kind === 'Results' || c.kind === 'Invalid') return;
      if (c.kind === 'Alert') return;
      out.push(statusFor(c, reply.header.msgId, String(id++), code(c, parent)));
      if (c.kind === 'Atomic' || c.kind === 'Sequence') for (const inner of c.commands) visit(inner, c);
      if (c.kind === 'Get') {
        const data = results(c.items[0]?.target ?? '');
        if (data !== undefined) {
          out.push({ kind: 'Results', cmdId: String(id++), msgRef: reply.header.msgId, cmdRef: c.cmdId, targetRefs: [], sourceRefs: [], items: [{ source: c.items[0]!.target!, meta: { format: 'chr' }, data }] });
        }
      }
    };
    for (const c of reply.commands) visit(c);
    return out;
  }
}

/** The server's commands in a reply (everything but Status and Results). */
export const serverCommands = (reply: SyncMLMessage): SyncMLCommand[] => reply.commands.filter((c) => c.kind !== 'Status' && c.kind !== 'Results');

/** The Status of the reply's SyncHdr. */
export function hdrStatus(reply: SyncMLMessage) {
  const s = reply.commands[0];
  if (s?.kind !== 'Status' || s.cmd !== 'SyncHdr') throw new Error('the reply does not start with the Status of the SyncHdr');
  return s;
}

/** A device's connection to the push gateway (the WNS-like channel of the contract): its token and what it received. */
export interface PushConnection {
  token: string;
  channelUri: string;
  notifications: { topic: string; payload: Record<string, string> }[];
  /** Resolves at the next notification. */
  next(): Promise<{ topic: string; payload: Record<string, string> }>;
  close(): Promise<void>;
}

export async function connectPush(server: WindowsWireServer): Promise<PushConnection> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/push`);
  const notifications: PushConnection['notifications'] = [];
  let waiting: ((n: PushConnection['notifications'][number]) => void) | undefined;
  const token = await new Promise<string>((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connect' })));
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { type: string; token?: string; topic?: string; payload?: Record<string, string> };
      if (m.type === 'token') resolve(m.token!);
      if (m.type === 'notification') {
        const n = { topic: m.topic!, payload: m.payload ?? {} };
        notifications.push(n);
        waiting?.(n);
        waiting = undefined;
      }
    });
    ws.on('error', reject);
  });
  return {
    token,
    channelUri: `${server.url}/push/wns/${token}`,
    notifications,
    next: () => new Promise((resolve) => (waiting = resolve)),
    close: () =>
      new Promise((resolve) => {
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
}

/** A user in a group to which a new email profile of `platform` is deployed; the profile's id. */
export async function deployProfile(server: WindowsWireServer, upn: string, platform: 'windows10' | 'windowsPhone81', name: string, settings: Record<string, unknown> = {}): Promise<{ profileId: string; groupId: string; userId: string }> {
  const existing = (await server.api.get(`/users?upn=${encodeURIComponent(upn)}`)).body as { id: string }[];
  const userId = existing[0]?.id ?? (await server.api.post('/users', { upn }).expect(201)).body.id;
  const groupId = (await server.api.post('/groups', { name: `g-${name}` }).expect(201)).body.id as string;
  await server.api.post(`/groups/${groupId}/members`, { users: [userId] }).expect(200);
  const profileId = (await server.api.post('/email-profiles', { platform, name, host: 'mail.contoso.com', accountName: `${name} mail`, ...settings }).expect(201)).body.id as string;
  await server.api.put(`/email-profiles/${profileId}/deployment`, { groupIds: [groupId] }).expect(200);
  return { profileId, groupId, userId };
}

export async function deviceOf(server: WindowsWireServer, deviceId: string): Promise<Record<string, any>> {
  const d = ((await server.api.get(`/devices?hardwareId=${deviceId}`).expect(200)).body as { id: string }[])[0]!;
  return (await server.api.get(`/devices/${d.id}`).expect(200)).body;
}

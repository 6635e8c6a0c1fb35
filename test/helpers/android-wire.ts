import { randomBytes, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import http from 'node:http';
import https from 'node:https';
import WebSocket from 'ws';
import { buildCsr } from '../../certs/csr.js';
import { certificateKeyId, signRequest, type SignRequestOptions } from '../../certs/http-signature.js';
import { generateRsaKeyPair, privateKeyToPem, type RsaKeyPair } from '../../certs/keys.js';
import { derToPem } from '../../certs/pem.js';
import { encodeDeviceReport, type DeviceReport } from '../../protocol/android/amapi/device.js';
import { decodePolicy, type Policy } from '../../protocol/android/amapi/policy.js';
import { accountKeyedAppState, type AccountStateReport } from '../../protocol/android/app-states.js';
import { ANDROID_CHANNEL_PATHS, decodeChannelError, type ChannelError } from '../../protocol/android/channel.js';
import { decodeProvisioningQr } from '../../protocol/android/provisioning/qr-code.js';
import { decodeRegistrationResponse, encodeRegistrationRequest } from '../../protocol/android/registration.js';
import type { TestServer } from './server.js';

export { eventually } from './device-world.js';

/**
 * Wire-level helpers for the Android channel: what a device sends, built with the codecs, signed
 * with RFC 9421 (certs/http-signature.ts) or sent over mutual TLS, including what a well-behaved
 * device would not send. The simulated devices live in agents/; these craft requests by hand.
 */

export type AndroidPlatform = 'samsungKnox' | 'androidForWork';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  /** The channel error, when the body is one. */
  error?: ChannelError;
}

/** What the helpers need of a server: its URL and admin token (a TestServer, or a fuzzed `mdmlab serve` process), and its CA over TLS. */
export type AndroidWireServer = Pick<TestServer, 'url' | 'adminToken'> & { identity?: { ca: { certPem: string } } };

export interface RequestOptions {
  method: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Client certificate and key (PEM) for mutual TLS, and the CA to trust. */
  tls?: { cert?: string; key?: string; ca: string };
}

/** A plain request, nothing added: what the test says is what is sent. */
export function rawRequest(url: string, opts: RequestOptions): Promise<RawResponse> {
  const body = opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body);
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method: opts.method,
        headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...opts.headers },
        agent: false,
        ...(opts.tls ? { ca: opts.tls.ca, ...(opts.tls.cert ? { cert: opts.tls.cert, key: opts.tls.key } : {}), servername: 'localhost' } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          const text = buf.toString('utf8');
          const decoded = buf.length > 0 && /json/.test(String(res.headers['content-type'])) ? decodeChannelError(buf) : undefined;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, text, ...(decoded?.ok ? { error: decoded.value } : {}) });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The admin API over HTTP or HTTPS (trusting the server's CA), JSON in and out; throws on an unexpected status. */
export async function admin<T = unknown>(server: AndroidWireServer, method: string, path: string, body?: unknown, expectStatus?: number): Promise<T> {
  const res = await rawRequest(`${server.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${server.adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    ...(server.url.startsWith('https:') && server.identity ? { tls: { ca: server.identity.ca.certPem } } : {}),
  });
  const want = expectStatus ?? (method === 'POST' ? 201 : 200);
  if (res.status !== want) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return (res.text ? JSON.parse(res.text) : undefined) as T;
}

export async function createUser(server: AndroidWireServer, upn: string, extra: Record<string, unknown> = {}): Promise<string> {
  const existing = await admin<{ id: string }[]>(server, 'GET', `/users?upn=${encodeURIComponent(upn)}`);
  return existing[0]?.id ?? (await admin<{ id: string }>(server, 'POST', '/users', { upn, ...extra })).id;
}

/** An enrollment token of the admin API for the platform, with the token read back out of its QR code. */
export async function androidToken(server: AndroidWireServer, upn: string, platform: AndroidPlatform, body: Record<string, unknown> = {}): Promise<{ userId: string; token: string; qrCode: string; serverUrl: string }> {
  const userId = await createUser(server, upn);
  const t = await admin<{ token: string; qrCode: string }>(server, 'POST', '/enrollment-tokens', { userId, platform, ...body });
  const qr = decodeProvisioningQr(t.qrCode);
  if (!qr.ok) throw new Error(`QR payload refused: ${qr.error.message}`);
  return { userId, token: qr.value.enrollmentToken, qrCode: t.qrCode, serverUrl: qr.value.serverUrl };
}

export function deviceFacts(platform: AndroidPlatform, serial: string, extra: Partial<DeviceReport> = {}): DeviceReport {
  return {
    managementMode: platform === 'samsungKnox' ? 'DEVICE_OWNER' : 'PROFILE_OWNER',
    ownership: platform === 'samsungKnox' ? 'COMPANY_OWNED' : 'PERSONALLY_OWNED',
    apiLevel: 28,
    hardwareInfo: { brand: 'samsung', manufacturer: 'samsung', model: platform === 'samsungKnox' ? 'SM-G973F' : 'Pixel 7', serialNumber: serial },
    softwareInfo: { androidVersion: '9' },
    ...(platform === 'samsungKnox' ? { mdmlab: { knoxVersion: '3.2.1', knoxApiLevel: 27 } } : {}),
    ...extra,
  };
}

export interface AndroidDevice {
  platform: AndroidPlatform;
  serial: string;
  keys: RsaKeyPair;
  certDer: Buffer;
  keyId: string;
  deviceName: string;
  policyName: string;
  deviceId: string;
  baseUrl: string;
  caPem: string;
}

export function registrationBody(token: string, keys: RsaKeyPair, facts: DeviceReport): string {
  const csr = buildCsr({ privateKey: keys.privateKey, publicKey: keys.publicKey, subject: [{ shortName: 'CN', value: 'android device' }] });
  return encodeRegistrationRequest({ enrollmentToken: token, certificateSigningRequest: csr.toString('base64'), device: facts });
}

export function register(server: AndroidWireServer, body: string | Buffer, headers: Record<string, string> = {}, tls?: RequestOptions['tls']): Promise<RawResponse> {
  return rawRequest(`${server.url}${ANDROID_CHANNEL_PATHS.register}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, ...(tls ? { tls } : {}) });
}

/** Registers the real way: token from the admin API, a fresh key, the device's facts. */
export async function registerDevice(
  server: AndroidWireServer,
  upn: string,
  platform: AndroidPlatform,
  opts: { serial?: string; keys?: RsaKeyPair; facts?: Partial<DeviceReport>; tls?: RequestOptions['tls'] } = {},
): Promise<AndroidDevice> {
  const { token } = await androidToken(server, upn, platform);
  const keys = opts.keys ?? (await generateRsaKeyPair(2048));
  const serial = opts.serial ?? `R${randomBytes(5).toString('hex').toUpperCase()}`;
  const res = await register(server, registrationBody(token, keys, deviceFacts(platform, serial, opts.facts)), {}, opts.tls);
  if (res.status !== 201) throw new Error(`registration refused: ${res.status} ${res.text}`);
  const answer = decodeRegistrationResponse(res.body);
  if (!answer.ok) throw new Error(`registration answer refused: ${answer.error.message}`);
  const certDer = Buffer.from(answer.value.certificate, 'base64');
  return {
    platform,
    serial,
    keys,
    certDer,
    keyId: certificateKeyId(certDer),
    deviceName: answer.value.deviceName,
    policyName: answer.value.policyName,
    deviceId: answer.value.deviceName.split('/').pop()!,
    baseUrl: server.url,
    caPem: derToPem(Buffer.from(answer.value.caCertificate, 'base64'), 'CERTIFICATE'),
  };
}

export interface SignedOptions {
  body?: Buffer | string;
  headers?: Record<string, string>;
  /** Sign for this URL instead of the one requested (a signature made for another server). */
  signedUrl?: string;
  /** `nonce: null` signs without one. */
  sign?: Partial<Omit<SignRequestOptions, 'nonce'>> & { key?: KeyObject; keyId?: string; nonce?: string | null };
  /** Send without a signature. */
  unsigned?: boolean;
  /** Replace the body after signing (tampering). */
  sendBody?: Buffer | string;
}

/** A request as a device sends it in plain-HTTP lab mode: RFC 9421 signed, with a fresh nonce. */
export function signed(device: AndroidDevice, method: string, path: string, opts: SignedOptions = {}): Promise<RawResponse> {
  const url = `${device.baseUrl}${path}`;
  const body = opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body);
  const headers: Record<string, string> = { ...(body ? { 'content-type': 'application/json' } : {}), ...opts.headers };
  if (!opts.unsigned) {
    const fields = signRequest(
      { method, targetUri: opts.signedUrl ?? url, headers, ...(body ? { body } : {}) },
      {
        privateKey: opts.sign?.key ?? device.keys.privateKey,
        keyId: opts.sign?.keyId ?? device.keyId,
        created: opts.sign?.created ?? new Date(),
        ...(opts.sign?.nonce === null ? {} : { nonce: opts.sign?.nonce ?? randomBytes(16).toString('base64url') }),
        ...(opts.sign?.algorithm ? { algorithm: opts.sign.algorithm } : {}),
        ...(opts.sign?.expiresInSeconds !== undefined ? { expiresInSeconds: opts.sign.expiresInSeconds } : {}),
        ...(opts.sign?.tag !== undefined ? { tag: opts.sign.tag } : {}),
        ...(opts.sign?.components ? { components: opts.sign.components } : {}),
      },
    );
    Object.assign(headers, fields);
  }
  const sent = opts.sendBody ?? body;
  return rawRequest(url, { method, headers, ...(sent !== undefined ? { body: sent } : {}), ...(url.startsWith('https:') ? { tls: { ca: device.caPem } } : {}) });
}

export async function fetchPolicy(device: AndroidDevice, etag?: string): Promise<{ res: RawResponse; policy?: Policy; etag?: string }> {
  const res = await signed(device, 'GET', ANDROID_CHANNEL_PATHS.policy, etag ? { headers: { 'if-none-match': etag } } : {});
  if (res.status !== 200) return { res, ...(res.headers.etag ? { etag: res.headers.etag } : {}) };
  const decoded = decodePolicy(res.body);
  if (!decoded.ok) throw new Error(`the server's policy does not decode: ${decoded.error.message}`);
  return { res, policy: decoded.value, etag: res.headers.etag! };
}

export function sendReport(device: AndroidDevice, report: DeviceReport | string, opts: SignedOptions = {}): Promise<RawResponse> {
  return signed(device, 'POST', ANDROID_CHANNEL_PATHS.report, { ...opts, body: typeof report === 'string' ? report : encodeDeviceReport(report) });
}

/** A report on `version` of the device's policy, with keyed app states and non-compliance details. */
export function reportOn(
  device: AndroidDevice,
  version: string | number,
  parts: { apps?: { packageName: string; states?: AccountStateReport[]; state?: 'INSTALLED' | 'REMOVED' }[]; details?: DeviceReport['nonComplianceDetails']; extra?: Partial<DeviceReport> } = {},
): DeviceReport {
  const time = new Date().toISOString();
  return {
    ...deviceFacts(device.platform, device.serial),
    name: device.deviceName,
    appliedPolicyName: device.policyName,
    appliedPolicyVersion: String(version),
    appliedState: 'ACTIVE',
    ...(parts.apps
      ? { applicationReports: parts.apps.map((a) => ({ packageName: a.packageName, state: a.state ?? 'INSTALLED', ...(a.states ? { keyedAppStates: a.states.map((s) => accountKeyedAppState(s, time)) } : {}) })) }
      : {}),
    ...(parts.details ? { nonComplianceDetails: parts.details, policyCompliant: false } : { policyCompliant: true }),
    ...parts.extra,
  };
}

/** TLS client options for a device over mutual TLS. */
export function deviceTls(device: AndroidDevice): { cert: string; key: string; ca: string } {
  return { cert: derToPem(device.certDer, 'CERTIFICATE'), key: privateKeyToPem(device.keys.privateKey), ca: device.caPem };
}

/** A push gateway connection as an Android device keeps it: its token, and the notifications it receives. */
export async function pushListener(server: TestServer, presentToken?: string): Promise<{ token: string; received: { topic: string; payload: Record<string, string> }[]; close: () => Promise<void>; next: () => Promise<{ topic: string; payload: Record<string, string> }> }> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/push`);
  const received: { topic: string; payload: Record<string, string> }[] = [];
  const notifications: { topic: string; payload: Record<string, string> }[] = [];
  const waiters: ((n: { topic: string; payload: Record<string, string> }) => void)[] = [];
  const token = await new Promise<string>((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connect', ...(presentToken ? { token: presentToken } : {}) })));
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { type: string; token?: string; topic?: string; payload?: Record<string, string> };
      if (m.type === 'token') resolve(m.token!);
      if (m.type === 'notification') {
        const n = { topic: m.topic!, payload: m.payload! };
        received.push(n);
        const waiter = waiters.shift();
        if (waiter) waiter(n);
        else notifications.push(n);
      }
    });
    ws.on('error', reject);
  });
  return {
    token,
    received,
    next: () => new Promise((resolve) => (notifications.length > 0 ? resolve(notifications.shift()!) : waiters.push(resolve))),
    close: () =>
      new Promise((resolve) => {
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
}

/**
 * Everything the Android channel can make the server hold, as one string: "nothing stored" is
 * `expect(await storeSnapshot(server)).toBe(before)`. Read with a second, read-only connection
 * (WAL readers see every committed transaction).
 */
export function storeSnapshot(server: TestServer, opts: { except?: readonly string[] } = {}): string {
  const db = new Database(join(server.dataDir, 'mdmlab.db'), { readonly: true, fileMustExist: true });
  try {
    const tables = ['devices', 'android_devices', 'android_key_pairs', 'issued_certificates', 'enrollment_tokens', 'profile_states', 'alerts', 'managed_app_deployments'].filter((t) => !opts.except?.includes(t));
    // lastSeenAt is kept to the minute in the background (a read-only sync may touch it): not part of what a request stores.
    return JSON.stringify(tables.map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all().map((r) => ({ ...(r as object), last_seen_at: undefined }))));
  } finally {
    db.close();
  }
}

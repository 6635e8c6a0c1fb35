import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyPool } from '../../../agents/identity/key-pool.js';
import { HttpClient, type HttpRequest, type HttpResponse } from '../../../agents/transport/http.js';
import { WindowsDevice, type WindowsDeviceOptions } from '../../../agents/windows/windows-device.js';
import type { EnrollmentTicket } from '../../../agents/device.js';
import type { ServerConfig } from '../../../server/config.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * A real server (plain HTTP lab mode by default, `tls` for the faithful setup) and simulated
 * Windows devices against it, with an admin client that trusts the lab CA. Every request the
 * devices send goes through one HttpClient that records it, so a test can see the wire.
 */
export interface WindowsTestWorld {
  server: TestServer;
  caPem: string | undefined;
  http: RecordingHttpClient;
  admin: Admin;
  newDevice(options?: WindowsDeviceOptions): Promise<WindowsDevice>;
  /** A user in a fresh group. */
  newUser(upn: string, extra?: { primarySmtp?: string; username?: string }): Promise<{ userId: string; groupId: string }>;
  ticket(userId: string, platform?: 'windows10' | 'windowsPhone81'): Promise<EnrollmentTicket>;
  /** The server's view of the device with this DeviceID. */
  serverDevice(deviceId: string): Promise<ServerDevice>;
  deploy(groupIds: string[], settings?: Record<string, unknown>): Promise<{ id: string }>;
  tempDir(): string;
  close(): Promise<void>;
}

export interface ServerDevice {
  id: string;
  platform: string;
  status: 'enrolled' | 'unenrolled';
  compliance: 'compliant' | 'nonCompliant';
  hardwareId: string;
  profiles: { profileId: string; state: string; detail?: string; profileVersion: number; installedVersion?: number }[];
  alerts: { kind: string }[];
  pendingCommands: number;
  windows?: {
    deviceId: string;
    enrollmentType: string;
    certificateStore: string;
    enrollmentContext: Record<string, string>;
    devInfo: Record<string, string>;
    loginStatus?: string;
    push: { pfnSet: boolean; channelUri?: string };
    accounts?: { profileId: string; accountGuid: string }[];
    unenrolledAt?: string;
  };
}

export interface Admin {
  get<T = any>(path: string): Promise<T>;
  post<T = any>(path: string, body?: unknown): Promise<T>;
  put<T = any>(path: string, body?: unknown): Promise<T>;
  patch<T = any>(path: string, body?: unknown): Promise<T>;
  delete<T = any>(path: string): Promise<T>;
}

/** The devices' HTTP client, keeping every request (method, path, body) in order. */
export class RecordingHttpClient extends HttpClient {
  readonly sent: { method: string; path: string; body: string; clientCertificate: boolean }[] = [];
  override request(req: HttpRequest): Promise<HttpResponse> {
    const url = new URL(String(req.url));
    this.sent.push({ method: req.method, path: url.pathname, body: req.body === undefined ? '' : String(req.body), clientCertificate: req.clientCertificate !== undefined });
    return super.request(req);
  }
  /** The OMA-DM messages sent so far. */
  syncml(): string[] {
    return this.sent.filter((r) => r.path.endsWith('/MDM.svc')).map((r) => r.body);
  }
}

let pool: KeyPool | undefined;

export async function startWindowsWorld(config: Partial<ServerConfig> = {}): Promise<WindowsTestWorld> {
  const server = await startTestServer(config);
  const caPem = config.tls ? server.identity.ca.certPem : undefined;
  const http = new RecordingHttpClient({ timeoutMs: 10_000 });
  const admin = adminClient(server, http, caPem);
  const devices: WindowsDevice[] = [];
  const dirs: string[] = [];
  // Keys of its own: the process-wide pool other test files in this worker share is not drained.
  pool ??= new KeyPool({ seed: 'windows-device-tests' });
  let seq = 0;
  const world: WindowsTestWorld = {
    server,
    caPem,
    http,
    admin,
    async newDevice(options = {}) {
      const device = await WindowsDevice.create({ http, keyPool: pool, pollIntervalMs: 0, seed: `win-${++seq}-${Date.now()}`, retry: { initialMs: 50, maxMs: 200 }, ...(caPem ? { caPem } : {}), ...options });
      devices.push(device);
      return device;
    },
    async newUser(upn, extra = {}) {
      const user = await admin.post('/users', { upn, ...extra });
      const group = await admin.post('/groups', { name: `group of ${upn}` });
      await admin.post(`/groups/${group.id}/members`, { users: [user.id] });
      return { userId: user.id, groupId: group.id };
    },
    async ticket(userId, platform = 'windows10') {
      return admin.post('/enrollment-tokens', { userId, platform });
    },
    async serverDevice(deviceId) {
      const [found] = await admin.get<{ id: string }[]>(`/devices?hardwareId=${deviceId}`);
      if (!found) throw new Error(`the server has no device ${deviceId}`);
      return admin.get<ServerDevice>(`/devices/${found.id}`);
    },
    async deploy(groupIds, settings = {}) {
      const profile = await admin.post('/email-profiles', {
        platform: 'windows10',
        name: `Corp mail ${Math.random().toString(36).slice(2, 8)}`,
        host: 'mail.contoso.com',
        accountName: 'Corp mail',
        ...settings,
      });
      await admin.put(`/email-profiles/${profile.id}/deployment`, { groupIds });
      return { id: profile.id };
    },
    tempDir() {
      const dir = mkdtempSync(join(tmpdir(), 'mdmlab-windows-'));
      dirs.push(dir);
      return dir;
    },
    async close() {
      await Promise.allSettled(devices.map((d) => d.stop()));
      await server.stop();
      http.destroy();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}

function adminClient(server: TestServer, http: HttpClient, caPem: string | undefined): Admin {
  const call = async <T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH', path: string, body?: unknown): Promise<T> => {
    const res = await http.request({
      method,
      url: `${server.url}/api/v1${path}`,
      headers: { authorization: `Bearer ${server.adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(caPem ? { caPem } : {}),
    });
    const text = res.body.toString('utf8');
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    get: (p) => call('GET', p),
    post: (p, b) => call('POST', p, b ?? {}),
    put: (p, b) => call('PUT', p, b ?? {}),
    patch: (p, b) => call('PATCH', p, b ?? {}),
    delete: (p) => call('DELETE', p),
  };
}

/** Waits for the device to be idle and the server to have nothing queued for it. */
export async function settle(world: WindowsTestWorld, device: WindowsDevice, timeoutMs = 10_000): Promise<ServerDevice> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await device.whenIdle(Math.max(1, until - Date.now()));
    const view = await world.serverDevice(device.deviceId);
    if (view.pendingCommands === 0 && device.isIdle()) return view;
    if (Date.now() > until) throw new Error(`device ${device.id} did not settle: ${view.pendingCommands} commands pending`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Polls `probe` until `accept` likes its value. */
export async function eventually<T>(probe: () => Promise<T>, accept: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!accept(last)) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 25));
    last = await probe();
  }
  return last;
}

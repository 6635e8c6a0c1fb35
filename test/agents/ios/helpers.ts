import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IosDevice, type IosDeviceOptions } from '../../../agents/ios/ios-device.js';
import { HttpClient } from '../../../agents/transport/http.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * A real server with TLS (com.apple.mdm requires https ServerURL / CheckInURL, so an http server
 * cannot enroll iOS devices) and an admin client that trusts its CA (supertest's `server.api`
 * does not). Devices are created trusting the same CA, with the periodic check-in off.
 */
export interface IosTestWorld {
  server: TestServer;
  caPem: string;
  admin: Admin;
  http: HttpClient;
  devices: IosDevice[];
  newDevice(options?: IosDeviceOptions): Promise<IosDevice>;
  /** A user in a fresh group, with an enrollment URL. */
  newUser(upn: string, extra?: { primarySmtp?: string; username?: string }): Promise<{ userId: string; groupId: string; enrollUrl: string }>;
  enrollUrl(userId: string): Promise<string>;
  /** The server's view of the device with this UDID. */
  serverDevice(udid: string): Promise<ServerDevice>;
  tempDir(): string;
  close(): Promise<void>;
}

export interface ServerDevice {
  id: string;
  status: 'enrolled' | 'unenrolled';
  compliance: 'compliant' | 'nonCompliant';
  hardwareId: string;
  profiles: { profileId: string; state: string; detail?: string; profileVersion: number }[];
  alerts: { kind: string; profileId?: string; message: string; details?: Record<string, unknown> }[];
  pendingCommands: number;
  apple?: { udid: string; pushToken?: string; installedProfiles?: { identifier: string; managed?: boolean }[] };
}

export interface Admin {
  get<T = any>(path: string): Promise<T>;
  post<T = any>(path: string, body?: unknown): Promise<T>;
  put<T = any>(path: string, body?: unknown): Promise<T>;
  patch<T = any>(path: string, body?: unknown): Promise<T>;
  delete<T = any>(path: string): Promise<T>;
}

function adminClient(server: TestServer, http: HttpClient, caPem: string): Admin {
  const call = async <T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH', path: string, body?: unknown): Promise<T> => {
    const res = await http.request({
      method: method as 'GET',
      url: `${server.url}/api/v1${path}`,
      headers: { authorization: `Bearer ${server.adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      caPem,
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

export async function startIosWorld(): Promise<IosTestWorld> {
  const server = await startTestServer({ tls: true });
  const caPem = server.identity.ca.certPem;
  const http = new HttpClient({ timeoutMs: 10_000 });
  const admin = adminClient(server, http, caPem);
  const devices: IosDevice[] = [];
  const dirs: string[] = [];
  let seq = 0;
  const world: IosTestWorld = {
    server,
    caPem,
    admin,
    http,
    devices,
    async newDevice(options = {}) {
      const device = await IosDevice.create({ caPem, http, periodicCheckInMs: 0, seed: `test-${++seq}-${Date.now()}`, ...options });
      devices.push(device);
      return device;
    },
    async newUser(upn, extra = {}) {
      const user = await admin.post('/users', { upn, ...extra });
      const group = await admin.post('/groups', { name: `group of ${upn}` });
      await admin.post(`/groups/${group.id}/members`, { users: [user.id] });
      return { userId: user.id, groupId: group.id, enrollUrl: await world.enrollUrl(user.id) };
    },
    async enrollUrl(userId) {
      return (await admin.post('/enrollment-tokens', { userId })).enrollUrl as string;
    },
    async serverDevice(udid) {
      const list = await admin.get<{ id: string; hardwareId: string }[]>('/devices');
      const found = list.find((d) => d.hardwareId === udid);
      if (!found) throw new Error(`the server has no device ${udid}`);
      return admin.get<ServerDevice>(`/devices/${found.id}`);
    },
    tempDir() {
      const dir = mkdtempSync(join(tmpdir(), 'mdmlab-ios-'));
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

/** An iOS email profile with the admin API's defaults plus `settings`, deployed to `groupIds`. */
export async function deployProfile(admin: Admin, groupIds: string[], settings: Record<string, unknown> = {}): Promise<{ id: string; identifier: string }> {
  const profile = await admin.post('/email-profiles', {
    platform: 'ios',
    name: `Corp mail ${Math.random().toString(36).slice(2, 8)}`,
    host: 'mail.contoso.com',
    accountName: 'Corp mail',
    ...settings,
  });
  await admin.put(`/email-profiles/${profile.id}/deployment`, { groupIds });
  return { id: profile.id, identifier: `com.mdmlab.email.${profile.id}` };
}

/** Polls `probe` until it returns a value `accept` likes (server state changes after the device answered). */
export async function eventually<T>(probe: () => Promise<T>, accept: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!accept(last)) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 25));
    last = await probe();
  }
  return last;
}

/** Waits for the device to be idle and the server to have nothing queued for it. */
export async function settle(world: IosTestWorld, device: IosDevice, timeoutMs = 5000): Promise<ServerDevice> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await device.whenIdle(Math.max(1, until - Date.now()));
    const view = await world.serverDevice(device.udid);
    if (view.pendingCommands === 0 && device.isIdle()) return view;
    if (Date.now() > until) throw new Error(`device ${device.id} did not settle: ${view.pendingCommands} commands pending`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

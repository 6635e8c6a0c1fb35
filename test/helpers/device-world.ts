import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpClient } from '../../agents/transport/http.js';
import type { TestServer } from './server.js';

/**
 * What every platform's device-test world shares: an admin client over real HTTP (through the
 * devices' own client, so it trusts the lab CA when the server runs TLS), users in groups,
 * profiles deployed, temporary folders, polling helpers, and one teardown.
 */

export interface Admin {
  get<T = any>(path: string): Promise<T>;
  post<T = any>(path: string, body?: unknown): Promise<T>;
  put<T = any>(path: string, body?: unknown): Promise<T>;
  patch<T = any>(path: string, body?: unknown): Promise<T>;
  delete<T = any>(path: string): Promise<T>;
}

/** The admin API at `server`, any answer above 2xx thrown with its body. */
export function adminClient(server: TestServer, http: HttpClient, caPem: string | undefined): Admin {
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

/** A simulated device as the worlds hold it. */
export interface WorldDevice {
  readonly id: string;
  whenIdle(timeoutMs: number): Promise<unknown>;
  isIdle(): boolean;
  stop(): Promise<unknown>;
}

/** The parts of a world that do not depend on the platform. */
export interface WorldBase {
  admin: Admin;
  /** A user in a fresh group. */
  newUser(upn: string, extra?: { primarySmtp?: string; username?: string }): Promise<{ userId: string; groupId: string }>;
  /** An email profile of `platform` with the admin API's defaults plus `settings`, deployed to `groupIds`. */
  deploy(platform: string, groupIds: string[], settings?: Record<string, unknown>): Promise<{ id: string }>;
  /** The server's view of the device whose hardware id is `hardwareId`. */
  serverDevice<T>(hardwareId: string): Promise<T>;
  /** Keeps a device for the teardown. */
  track<D extends WorldDevice>(device: D): D;
  tempDir(): string;
  /** Stops every tracked device, then the server (unless it was given), then removes the folders. */
  close(): Promise<void>;
}

export function worldBase(server: TestServer, http: HttpClient, caPem: string | undefined, opts: { tempPrefix: string; ownsServer?: boolean }): WorldBase {
  const admin = adminClient(server, http, caPem);
  const devices: WorldDevice[] = [];
  const dirs: string[] = [];
  return {
    admin,
    async newUser(upn, extra = {}) {
      const user = await admin.post('/users', { upn, ...extra });
      const group = await admin.post('/groups', { name: `group of ${upn}` });
      await admin.post(`/groups/${group.id}/members`, { users: [user.id] });
      return { userId: user.id, groupId: group.id };
    },
    deploy: (platform, groupIds, settings) => deployEmailProfile(admin, platform, groupIds, settings),
    async serverDevice<T>(hardwareId: string) {
      const [found] = await admin.get<{ id: string }[]>(`/devices?hardwareId=${encodeURIComponent(hardwareId)}`);
      if (!found) throw new Error(`the server has no device ${hardwareId}`);
      return admin.get<T>(`/devices/${found.id}`);
    },
    track(device) {
      devices.push(device);
      return device;
    },
    tempDir() {
      const dir = mkdtempSync(join(tmpdir(), opts.tempPrefix));
      dirs.push(dir);
      return dir;
    },
    async close() {
      await Promise.allSettled(devices.map((d) => d.stop()));
      if (opts.ownsServer !== false) await server.stop();
      http.destroy();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An email profile of `platform` with the admin API's defaults plus `settings`, deployed to `groupIds`. */
export async function deployEmailProfile(admin: Admin, platform: string, groupIds: string[], settings: Record<string, unknown> = {}): Promise<{ id: string }> {
  const profile = await admin.post('/email-profiles', { platform, name: `Corp mail ${Math.random().toString(36).slice(2, 8)}`, host: 'mail.contoso.com', accountName: 'Corp mail', ...settings });
  await admin.put(`/email-profiles/${profile.id}/deployment`, { groupIds });
  return { id: profile.id };
}

/** Polls `probe` until `accept` likes its value (server state changes after the device answered, a push on its way). */
export async function eventually<T>(probe: () => Promise<T> | T, accept: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!accept(last)) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 25));
    last = await probe();
  }
  return last;
}

/** Waits for the device to be idle and the server (its view read by `view`) to have nothing queued for it. */
export async function settleDevice<V extends { pendingCommands: number }>(device: WorldDevice, view: () => Promise<V>, timeoutMs: number): Promise<V> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await device.whenIdle(Math.max(1, until - Date.now()));
    const seen = await view();
    if (seen.pendingCommands === 0 && device.isIdle()) return seen;
    if (Date.now() > until) throw new Error(`device ${device.id} did not settle: ${seen.pendingCommands} commands pending`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

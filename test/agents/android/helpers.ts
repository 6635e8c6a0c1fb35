import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AndroidDeviceOptions } from '../../../agents/android-channel/android-device.js';
import { AfwDevice } from '../../../agents/android/afw-device.js';
import { KnoxDevice } from '../../../agents/knox/knox-device.js';
import { admin, createUser } from '../../helpers/android-wire.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * A real server (plain HTTP, lab mode: devices sign their requests) and simulated Android devices
 * made against it, with the periodic sync off. Admin calls go through the admin API over HTTP.
 */
export interface AndroidWorld {
  server: TestServer;
  knox(options?: AndroidDeviceOptions): Promise<KnoxDevice>;
  afw(options?: AndroidDeviceOptions): Promise<AfwDevice>;
  /** A user in a fresh group. */
  user(upn: string): Promise<{ userId: string; groupId: string }>;
  /** The admin API's enrollment-token answer for the user and platform (the device's ticket). */
  ticket(userId: string, platform: 'samsungKnox' | 'androidForWork'): Promise<{ token: string; qrCode: string }>;
  profile(body: Record<string, unknown>, groupIds: string[]): Promise<string>;
  serverDevice(serial: string): Promise<ServerDevice>;
  tempDir(): string;
  close(): Promise<void>;
}

export interface ServerDevice {
  id: string;
  status: string;
  compliance: string;
  profiles: { profileId: string; state: string; detail?: string }[];
  alerts: { kind: string; profileId?: string }[];
}

let n = 0;

export async function androidWorld(server?: TestServer): Promise<AndroidWorld> {
  const srv = server ?? (await startTestServer());
  const devices: { stop(): Promise<void> }[] = [];
  const dirs: string[] = [];
  const base = (o: AndroidDeviceOptions = {}): AndroidDeviceOptions => ({ serverUrl: srv.url, periodicSyncMs: 0, seed: `android-${++n}`, ...o });
  return {
    server: srv,
    async knox(o) {
      const d = await KnoxDevice.create(base(o));
      devices.push(d);
      return d;
    },
    async afw(o) {
      const d = await AfwDevice.create(base(o));
      devices.push(d);
      return d;
    },
    async user(upn) {
      const userId = await createUser(srv, upn);
      const groupId = (await admin<{ id: string }>(srv, 'POST', '/groups', { name: `group ${++n}` })).id;
      await admin(srv, 'POST', `/groups/${groupId}/members`, { users: [userId] }, 200);
      return { userId, groupId };
    },
    ticket: (userId, platform) => admin(srv, 'POST', '/enrollment-tokens', { userId, platform }),
    async profile(body, groupIds) {
      const id = (await admin<{ id: string }>(srv, 'POST', '/email-profiles', { name: `profile ${++n}`, accountName: 'Corp', useSsl: false, ...body })).id;
      if (groupIds.length > 0) await admin(srv, 'PUT', `/email-profiles/${id}/deployment`, { groupIds }, 200);
      return id;
    },
    async serverDevice(serial) {
      const list = await admin<{ id: string; hardwareId: string }[]>(srv, 'GET', '/devices');
      const found = list.find((d) => d.hardwareId === serial);
      if (!found) throw new Error(`the server knows no device ${serial}`);
      return admin<ServerDevice>(srv, 'GET', `/devices/${found.id}`);
    },
    tempDir() {
      const dir = mkdtempSync(join(tmpdir(), 'mdmlab-android-'));
      dirs.push(dir);
      return dir;
    },
    async close() {
      for (const d of devices) await d.stop();
      if (!server) await srv.stop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The server's state of one profile on the device. */
export async function profileState(world: AndroidWorld, serial: string, profileId: string): Promise<{ state: string; detail?: string } | undefined> {
  return (await world.serverDevice(serial)).profiles.find((p) => p.profileId === profileId);
}

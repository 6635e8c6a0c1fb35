import { IosDevice, type IosDeviceOptions } from '../../../agents/ios/ios-device.js';
import { HttpClient } from '../../../agents/transport/http.js';
import { deployEmailProfile, settleDevice, worldBase, type Admin } from '../../helpers/device-world.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

export { eventually, type Admin } from '../../helpers/device-world.js';

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

export async function startIosWorld(): Promise<IosTestWorld> {
  const server = await startTestServer({ tls: true });
  const caPem = server.identity.ca.certPem;
  const http = new HttpClient({ timeoutMs: 10_000 });
  const base = worldBase(server, http, caPem, { tempPrefix: 'mdmlab-ios-' });
  const { admin } = base;
  const devices: IosDevice[] = [];
  let seq = 0;
  const world: IosTestWorld = {
    server,
    caPem,
    admin,
    http,
    devices,
    async newDevice(options = {}) {
      const device = base.track(await IosDevice.create({ caPem, http, periodicCheckInMs: 0, seed: `test-${++seq}-${Date.now()}`, ...options }));
      devices.push(device);
      return device;
    },
    async newUser(upn, extra = {}) {
      const user = await base.newUser(upn, extra);
      return { ...user, enrollUrl: await world.enrollUrl(user.userId) };
    },
    async enrollUrl(userId) {
      return (await admin.post('/enrollment-tokens', { userId })).enrollUrl as string;
    },
    serverDevice: (udid) => base.serverDevice<ServerDevice>(udid),
    tempDir: base.tempDir,
    close: base.close,
  };
  return world;
}

/** An iOS email profile with the admin API's defaults plus `settings`, deployed to `groupIds`. */
export async function deployProfile(admin: Admin, groupIds: string[], settings: Record<string, unknown> = {}): Promise<{ id: string; identifier: string }> {
  const { id } = await deployEmailProfile(admin, 'ios', groupIds, settings);
  return { id, identifier: `com.mdmlab.email.${id}` };
}

/** Waits for the device to be idle and the server to have nothing queued for it. */
export function settle(world: IosTestWorld, device: IosDevice, timeoutMs = 5000): Promise<ServerDevice> {
  return settleDevice(device, () => world.serverDevice(device.udid), timeoutMs);
}

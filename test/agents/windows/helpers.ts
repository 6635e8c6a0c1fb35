import { KeyPool } from '../../../agents/identity/key-pool.js';
import { HttpClient, type HttpRequest, type HttpResponse } from '../../../agents/transport/http.js';
import { WindowsDevice, type WindowsDeviceOptions } from '../../../agents/windows/windows-device.js';
import type { EnrollmentTicket } from '../../../agents/device.js';
import type { ServerConfig } from '../../../server/config.js';
import { settleDevice, worldBase, type Admin } from '../../helpers/device-world.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

export { eventually, type Admin } from '../../helpers/device-world.js';

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
  const base = worldBase(server, http, caPem, { tempPrefix: 'mdmlab-windows-' });
  const { admin } = base;
  // Keys of its own: the process-wide pool other test files in this worker share is not drained.
  pool ??= new KeyPool({ seed: 'windows-device-tests' });
  let seq = 0;
  return {
    server,
    caPem,
    http,
    admin,
    async newDevice(options = {}) {
      return base.track(await WindowsDevice.create({ http, keyPool: pool, pollIntervalMs: 0, seed: `win-${++seq}-${Date.now()}`, retry: { initialMs: 50, maxMs: 200 }, ...(caPem ? { caPem } : {}), ...options }));
    },
    newUser: base.newUser,
    ticket: (userId, platform = 'windows10') => admin.post('/enrollment-tokens', { userId, platform }),
    serverDevice: (deviceId) => base.serverDevice<ServerDevice>(deviceId),
    deploy: (groupIds, settings) => base.deploy('windows10', groupIds, settings),
    tempDir: base.tempDir,
    close: base.close,
  };
}

/** Waits for the device to be idle and the server to have nothing queued for it. */
export function settle(world: WindowsTestWorld, device: WindowsDevice, timeoutMs = 10_000): Promise<ServerDevice> {
  return settleDevice(device, () => world.serverDevice(device.deviceId), timeoutMs);
}

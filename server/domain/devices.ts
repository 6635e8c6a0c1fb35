import { DEVICE_PLATFORMS, type DevicePlatform } from '../../protocol/admin/platforms.js';
import { MdmlabError, notFound } from '../errors/mdmlab-error.js';
import { AllowReenrollment, REENROLLMENT_DEFAULT_MINUTES } from './schemas.js';
import { parseBody } from './validate.js';
import type { AlertRecord, DeviceRecord, ProfileStateRecord } from '../store/records.js';
import { complianceByDevice, complianceOf, type Compliance } from './compliance.js';
import type { DomainContext } from './context.js';
import type { Reconciler } from './reconciler.js';

export interface DeviceView extends DeviceRecord {
  userUpn?: string;
  compliance: Compliance;
  profiles: (ProfileStateRecord & { profileName?: string })[];
  alerts: AlertRecord[];
  /** Commands waiting in the queue, plus work waiting outside it (an Android policy not applied yet). */
  pendingCommands: number;
  /**
   * What the device's platform knows of it, under the platform module's name: `apple` (UDID, topic,
   * push token, what it last listed as installed), `windows`, `android`.
   */
  [platformFacts: string]: unknown;
}

/** The platform facts of one device, by platform module name (from the platform modules). */
export type DeviceFactsSource = (device: DeviceRecord) => Promise<Record<string, Record<string, unknown>>>;

export interface ReenrollmentAllowance {
  deviceId: string;
  allowedUntil: string;
}

/**
 * Devices appear when a platform enrolls them; this is the read side the admin API shows, and the
 * one decision about a device an administrator takes: allowing it to enroll again with a new
 * identity while the old one is still bound (the device was erased, or its CheckOut was lost).
 */
export class DeviceService {
  constructor(
    private readonly ctx: DomainContext,
    private readonly facts: DeviceFactsSource = async () => ({}),
    private readonly reconciler?: Reconciler,
  ) {}

  async list(query: { platform?: string; userId?: string; status?: string; hardwareId?: string }): Promise<(DeviceRecord & { compliance: Compliance })[]> {
    if (query.platform !== undefined && !(DEVICE_PLATFORMS as readonly string[]).includes(query.platform)) {
      throw new MdmlabError('invalidQuery', `platform must be one of ${DEVICE_PLATFORMS.join(', ')}`, 'platform');
    }
    if (query.status !== undefined && query.status !== 'enrolled' && query.status !== 'unenrolled') {
      throw new MdmlabError('invalidQuery', 'status must be enrolled or unenrolled', 'status');
    }
    const devices = await this.ctx.store.devices.list({
      ...(query.platform ? { platform: query.platform as DevicePlatform } : {}),
      ...(query.userId ? { userId: query.userId } : {}),
      ...(query.status ? { status: query.status as DeviceRecord['status'] } : {}),
    });
    const compliance = complianceByDevice(await this.ctx.store.profileStates.all());
    return devices
      .filter((d) => query.hardwareId === undefined || d.hardwareId === query.hardwareId)
      .map((d) => ({ ...d, compliance: compliance.get(d.id) ?? 'compliant' }));
  }

  /**
   * Lets the next enrollment of the device bind a new identity, once, until the allowance expires.
   * Without it a bound device refuses every other identity (an enrollmentConflict alert says so).
   */
  async allowReenrollment(id: string, body: unknown): Promise<ReenrollmentAllowance> {
    const input = parseBody<{ expiresInMinutes?: number }>(AllowReenrollment, body ?? {});
    const allowedUntil = new Date(this.ctx.now().getTime() + (input.expiresInMinutes ?? REENROLLMENT_DEFAULT_MINUTES) * 60_000).toISOString();
    await this.ctx.store.transaction(async (tx) => {
      const device = await tx.devices.get(id);
      if (!device) throw notFound('device', id);
      await tx.devices.update({ ...device, reenrollmentAllowedUntil: allowedUntil });
    });
    this.ctx.log.info({ deviceId: id, allowedUntil }, 're-enrollment allowed');
    return { deviceId: id, allowedUntil };
  }

  async get(id: string): Promise<DeviceView> {
    const { store } = this.ctx;
    const device = await store.devices.get(id);
    if (!device) throw notFound('device', id);
    const states = await store.profileStates.forDevice(id);
    const names = new Map((await store.emailProfiles.list()).map((p) => [p.id, p.definition.name]));
    const user = device.userId ? await store.users.get(device.userId) : undefined;
    return {
      ...device,
      ...(user ? { userUpn: user.upn } : {}),
      compliance: complianceOf(states.map((s) => s.state)),
      profiles: states.map((s) => ({ ...s, ...(names.has(s.profileId) ? { profileName: names.get(s.profileId)! } : {}) })),
      alerts: await store.alerts.list({ deviceId: id, active: true }),
      pendingCommands: (await store.commands.forDevice(id)).length + ((await this.reconciler?.pendingWork(device)) ?? 0),
      ...(await this.facts(device)),
    };
  }
}

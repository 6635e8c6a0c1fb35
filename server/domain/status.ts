import { PROFILE_STATES, type ProfileState } from '../store/records.js';
import { complianceByDevice } from './compliance.js';
import type { DomainContext } from './context.js';
import type { Reconciler } from './reconciler.js';

export interface ProfileStatus {
  profileId: string;
  name: string;
  platform: string;
  version: number;
  groupIds: string[];
  counts: Record<ProfileState, number>;
}

export interface StatusOverview {
  profiles: ProfileStatus[];
  devices: { enrolled: number; compliant: number; nonCompliant: number };
  activeAlerts: number;
  /**
   * Commands queued or sent and not yet answered, plus devices with work waiting outside the queue
   * (an Android policy not applied yet), fleet-wide: 0 means nothing is in flight.
   */
  pendingCommands: number;
}

const zero = (): Record<ProfileState, number> => Object.fromEntries(PROFILE_STATES.map((s) => [s, 0])) as Record<ProfileState, number>;

/** The overview: per profile, how many devices are in each state; fleet compliance; open alerts. */
export class StatusService {
  constructor(
    private readonly ctx: DomainContext,
    private readonly reconciler?: Reconciler,
  ) {}

  async overview(): Promise<StatusOverview> {
    const { store } = this.ctx;
    const profiles = await store.emailProfiles.list();
    const counts = new Map<string, Record<ProfileState, number>>();
    for (const c of await store.profileStates.counts()) {
      const row = counts.get(c.profileId) ?? zero();
      row[c.state] = c.count;
      counts.set(c.profileId, row);
    }
    const deployments = await store.deployments.all();
    const devices = await store.devices.list({ status: 'enrolled' });
    const compliance = complianceByDevice(await store.profileStates.all());
    const nonCompliant = devices.filter((d) => compliance.get(d.id) === 'nonCompliant').length;
    return {
      profiles: profiles.map((p) => ({
        profileId: p.id,
        name: p.definition.name,
        platform: p.definition.platform,
        version: p.version,
        groupIds: deployments.filter((d) => d.profileId === p.id).map((d) => d.groupId),
        counts: counts.get(p.id) ?? zero(),
      })),
      devices: { enrolled: devices.length, compliant: devices.length - nonCompliant, nonCompliant },
      activeAlerts: (await store.alerts.list({ active: true })).length,
      pendingCommands: (await store.commands.countPending()) + ((await this.reconciler?.devicesWithPendingWork())?.length ?? 0),
    };
  }
}

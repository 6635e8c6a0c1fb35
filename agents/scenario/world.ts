import type { AdminClient } from '../admin/admin-client.js';
import type { SimulatedDevice } from '../device.js';
import type { ScenarioDevice } from './scenario-types.js';

/** A scenario device and what the server knows it as once it has enrolled. */
export interface WorldDevice {
  spec: ScenarioDevice;
  device: SimulatedDevice;
  /** The server's device id, known after the first enrollment. */
  serverId?: string;
  online: boolean;
  /** Groups that list this device by id, joined when it first enrolls. */
  pendingGroups: Set<string>;
}

/**
 * The names of a scenario file mapped to the server's ids, as the run creates them: users by UPN,
 * groups by name, certificate and email profiles by ref, devices by their file id.
 */
export class ScenarioWorld {
  readonly users = new Map<string, string>();
  readonly groups = new Map<string, string>();
  readonly certificates = new Map<string, string>();
  readonly profiles = new Map<string, string>();
  readonly devices = new Map<string, WorldDevice>();

  constructor(readonly admin: AdminClient) {}

  userId(upn: string): string {
    const id = this.users.get(upn.toLowerCase());
    if (!id) throw new Error(`user ${upn} was not created`);
    return id;
  }

  device(id: string): WorldDevice {
    const d = this.devices.get(id);
    if (!d) throw new Error(`device ${id} was not created`);
    return d;
  }

  profileId(ref: string): string {
    const id = this.profiles.get(ref);
    if (!id) throw new Error(`email profile ${ref} was not created`);
    return id;
  }

  /** The ref of a server profile id, for messages and for the device's managed accounts. */
  profileRef(profileId: string): string | undefined {
    for (const [ref, id] of this.profiles) if (id === profileId) return ref;
    return undefined;
  }

  /** Certificate profile refs in a settings body become server ids. */
  withCertificateIds(settings: Record<string, unknown>): Record<string, unknown> {
    const out = { ...settings };
    for (const field of ['identityCertificateProfileId', 'signingCertificateProfileId']) {
      const ref = out[field];
      if (typeof ref === 'string') out[field] = this.certificates.get(ref) ?? ref;
    }
    return out;
  }
}

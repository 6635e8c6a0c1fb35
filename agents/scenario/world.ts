import type { AdminClient } from '../admin/admin-client.js';
import type { CommandHandledEvent, SimulatedDevice } from '../device.js';
import type { ScenarioDevice } from './scenario-types.js';

/** A scenario device and what the server knows it as once it has enrolled. */
export interface WorldDevice {
  spec: ScenarioDevice;
  device: SimulatedDevice;
  /** The server's device id, known after the first enrollment. */
  serverId?: string;
  /** The serial number the device reported when it enrolled, as the server lists it. */
  serialNumber?: string;
  online: boolean;
  /** Groups that list this device by id, joined when it first enrolls. */
  pendingGroups: Set<string>;
  /** The commands the device answered during the run, oldest first (the `commands` expectation). */
  answered: CommandHandledEvent[];
}

/** How many answers a device keeps for the `commands` expectation (the newest). */
export const MAX_ANSWERS_KEPT = 1000;

/** A directory user the run relies on: made by this run, or already there (the directory is shared). */
export interface WorldUser {
  id: string;
  upn: string;
  createdByRun: boolean;
  /** A reused user whose address or user name the run changed to the file's: what to put back. */
  original?: { primarySmtp: string; username: string };
}

/** Names longer than the API's 128 characters lose the end of the file's name, never the tag. */
const MAX_NAME = 128;

/**
 * The names of a scenario file mapped to the server's ids, as the run creates them: users by UPN,
 * groups by name, certificate and email profiles by ref, devices by their file id.
 *
 * On a shared server (`--server`) every object the run creates is named with the run's tag
 * (`sales · run 3f9a1c`), so repeated and parallel runs of one file never collide on the server's
 * unique names; the file's names keep pointing at this run's objects through these maps.
 */
export class ScenarioWorld {
  readonly #admin: AdminClient | undefined;
  readonly users = new Map<string, WorldUser>();
  readonly groups = new Map<string, string>();
  readonly certificates = new Map<string, string>();
  readonly profiles = new Map<string, string>();
  /** Refs of email profiles a step deleted (the ref still names the id, for expectations). */
  readonly deletedProfiles = new Set<string>();
  readonly devices = new Map<string, WorldDevice>();

  constructor(
    /** mdmlab's admin API; absent on a server that is not mdmlab's (`--foreign`), where nothing may call it. */
    admin: AdminClient | undefined,
    /** The run tag on a shared server; absent on the embedded one, where names stay as in the file. */
    readonly tag?: string,
  ) {
    this.#admin = admin;
  }

  get admin(): AdminClient {
    if (!this.#admin) throw new Error("this run plays against a server that is not mdmlab's: its admin API is not used");
    return this.#admin;
  }

  /** The server is not mdmlab's: administrator steps are the operator's, expectations device-side only. */
  get foreign(): boolean {
    return this.#admin === undefined;
  }

  /** The server-side name of a group or profile the file names `name`. */
  label(name: string): string {
    if (!this.tag) return name;
    const suffix = runSuffix(this.tag);
    return `${name.slice(0, MAX_NAME - suffix.length)}${suffix}`;
  }

  userId(upn: string): string {
    const user = this.users.get(upn.toLowerCase());
    if (!user) throw new Error(`user ${upn} was not created`);
    return user.id;
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

  /** Server ids of this run's devices that have enrolled: what run-scoped checks look at. */
  serverDeviceIds(): Set<string> {
    return new Set([...this.devices.values()].flatMap((d) => (d.serverId ? [d.serverId] : [])));
  }

  /** A profile body as the file writes it, for the API: certificate refs become ids, the name gets the run tag. */
  profileBody(settings: Record<string, unknown>): Record<string, unknown> {
    const out = { ...settings };
    for (const field of ['identityCertificateProfileId', 'signingCertificateProfileId']) {
      const ref = out[field];
      if (typeof ref === 'string') out[field] = this.certificates.get(ref) ?? ref;
    }
    if (typeof out.name === 'string') out.name = this.label(out.name);
    return out;
  }

  /** Every id the run made or found, by the file's names (`--json` prints them: a seeded run repeats them). */
  ids(): RunIds {
    return {
      users: Object.fromEntries([...this.users].map(([upn, u]) => [upn, u.id])),
      groups: Object.fromEntries(this.groups),
      certificateProfiles: Object.fromEntries(this.certificates),
      emailProfiles: Object.fromEntries(this.profiles),
      devices: Object.fromEntries(
        [...this.devices].map(([id, d]) => [id, { hardwareId: d.device.hardwareId, ...(d.serialNumber ? { serialNumber: d.serialNumber } : {}), ...(d.serverId ? { serverId: d.serverId } : {}) }]),
      ),
    };
  }
}

/** What ends the name of every group and profile a run tagged `tag` creates (`sales · run 3f9a1c`). */
export function runSuffix(tag: string): string {
  return ` · run ${tag}`;
}

export interface RunIds {
  users: Record<string, string>;
  groups: Record<string, string>;
  certificateProfiles: Record<string, string>;
  emailProfiles: Record<string, string>;
  devices: Record<string, { hardwareId: string; serialNumber?: string; serverId?: string }>;
}

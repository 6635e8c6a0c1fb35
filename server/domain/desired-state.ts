import { profileReachesDevice, type DevicePlatform, type EmailProfilePlatform } from '../../protocol/admin/platforms.js';

/**
 * What a device should carry: deployments × group membership × platform match, as a pure
 * function (no store, no clock) so the reconciler and the status views agree by construction.
 */

export interface DesiredStateInput {
  device: { id: string; platform: DevicePlatform };
  /** Groups holding the device, directly or through its user. */
  deviceGroups: Iterable<string>;
  deployments: Iterable<{ profileId: string; groupId: string }>;
  profiles: ReadonlyMap<string, { platform: EmailProfilePlatform; version: number }>;
}

export interface DesiredProfile {
  profileId: string;
  version: number;
  /** false: the profile reaches the device through a group but is for another platform (`notApplicable`). */
  applicable: boolean;
  /** The groups through which the profile reaches the device, sorted. */
  viaGroups: string[];
}

export function desiredProfiles(input: DesiredStateInput): DesiredProfile[] {
  const groups = new Set(input.deviceGroups);
  const via = new Map<string, string[]>();
  for (const { profileId, groupId } of input.deployments) {
    if (!groups.has(groupId) || !input.profiles.has(profileId)) continue;
    const list = via.get(profileId) ?? [];
    list.push(groupId);
    via.set(profileId, list);
  }
  return [...via.entries()]
    .map(([profileId, viaGroups]) => {
      const profile = input.profiles.get(profileId)!;
      return {
        profileId,
        version: profile.version,
        applicable: profileReachesDevice(profile.platform, input.device.platform),
        viaGroups: [...new Set(viaGroups)].sort(),
      };
    })
    .sort((a, b) => (a.profileId < b.profileId ? -1 : a.profileId > b.profileId ? 1 : 0));
}

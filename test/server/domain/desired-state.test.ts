import { describe, expect, it } from 'vitest';
import { desiredProfiles } from '../../../server/domain/desired-state.js';
import type { EmailProfilePlatform } from '../../../protocol/admin/platforms.js';

const profiles = new Map<string, { platform: EmailProfilePlatform; version: number }>([
  ['p-ios', { platform: 'ios', version: 3 }],
  ['p-wp81', { platform: 'windowsPhone81', version: 1 }],
  ['p-w10', { platform: 'windows10', version: 1 }],
  ['p-knox', { platform: 'samsungKnox', version: 1 }],
  ['p-gmail', { platform: 'afwGmail', version: 1 }],
  ['p-nine', { platform: 'afwNineWork', version: 2 }],
]);
const everywhere = [...profiles.keys()].map((profileId) => ({ profileId, groupId: 'all' }));

describe('desired state: deployments × group membership × platform', () => {
  it('gives a device nothing when none of its groups has a deployment', () => {
    expect(desiredProfiles({ device: { id: 'd', platform: 'ios' }, deviceGroups: ['sales'], deployments: everywhere, profiles })).toEqual([]);
  });

  it.each([
    ['ios', ['p-ios']],
    ['windows10', ['p-w10', 'p-wp81']],
    ['windowsPhone81', ['p-wp81']],
    ['samsungKnox', ['p-knox']],
    ['androidForWork', ['p-gmail', 'p-nine']],
  ] as const)('a %s device applies %j and marks the rest not applicable', (platform, applicable) => {
    const result = desiredProfiles({ device: { id: 'd', platform }, deviceGroups: ['all'], deployments: everywhere, profiles });
    expect(result.filter((r) => r.applicable).map((r) => r.profileId)).toEqual([...applicable]);
    expect(result.filter((r) => !r.applicable)).toHaveLength(profiles.size - applicable.length);
  });

  it('names every group a profile arrives through, once, and carries the profile version', () => {
    const result = desiredProfiles({
      device: { id: 'd', platform: 'ios' },
      deviceGroups: new Set(['sales', 'emea']),
      deployments: [
        { profileId: 'p-ios', groupId: 'sales' },
        { profileId: 'p-ios', groupId: 'emea' },
        { profileId: 'p-ios', groupId: 'apac' },
      ],
      profiles,
    });
    expect(result).toEqual([{ profileId: 'p-ios', version: 3, applicable: true, viaGroups: ['emea', 'sales'] }]);
  });

  it('ignores deployments of profiles that no longer exist', () => {
    const result = desiredProfiles({ device: { id: 'd', platform: 'ios' }, deviceGroups: ['all'], deployments: [{ profileId: 'gone', groupId: 'all' }], profiles });
    expect(result).toEqual([]);
  });
});

import { join } from 'node:path';
import type { DevicePlatform } from '../../protocol/admin/platforms.js';
import { repoRoot } from '../docs/repo-root.js';

/**
 * The demo's stories: "enroll before you set up mail", one scenario file per platform
 * (scenarios/demo/*.yaml, in the ordinary scenario format, played by the ordinary scenario
 * runner). Each file has two users: one who set up mail by hand and then enrolled (manual-first)
 * and one who enrolled first. What the demo says about a story that played as its expectations
 * say is written here; the expectations in the file are what make it true.
 */
export interface DemoStory {
  platform: DevicePlatform;
  /** How a person names the platform. */
  label: string;
  /** The scenario file, from the repository root. */
  file: string;
  /** The device ids (in the file) of the two users. */
  manualFirst: string;
  enrollFirst: string;
  /** What happened to each user, and the platform's verdict, when every expectation held. */
  told: { manualFirst: string; enrollFirst: string; verdict: string };
}

export const DEMO_STORIES: readonly DemoStory[] = [
  {
    platform: 'ios',
    label: 'iOS',
    file: 'scenarios/demo/ios.yaml',
    manualFirst: 'alice-iphone',
    enrollFirst: 'bob-iphone',
    told: { manualFirst: 'blocked → removed her account → installed', enrollFirst: 'installed', verdict: 'blocked until the user removed the account' },
  },
  {
    platform: 'windows10',
    label: 'Windows 10',
    file: 'scenarios/demo/windows10.yaml',
    manualFirst: 'alice-laptop',
    enrollFirst: 'bob-laptop',
    told: { manualFirst: "installed, replaced the user's account", enrollFirst: 'installed', verdict: "replaced the user's account" },
  },
  {
    platform: 'samsungKnox',
    label: 'Samsung Knox',
    file: 'scenarios/demo/samsung-knox.yaml',
    manualFirst: 'alice-galaxy',
    enrollFirst: 'bob-galaxy',
    told: { manualFirst: 'replaced; set up again → replaced again', enrollFirst: 'installed', verdict: 'replaced, and replaced again at the next sync' },
  },
  {
    platform: 'androidForWork',
    label: 'Android for Work',
    file: 'scenarios/demo/android-for-work.yaml',
    manualFirst: 'alice-pixel',
    enrollFirst: 'bob-pixel',
    told: { manualFirst: 'personal untouched; waited for Gmail → installed', enrollFirst: 'waited for Gmail → installed', verdict: 'work profile only, waits for the app' },
  },
];

export function storyPath(story: DemoStory): string {
  return join(repoRoot, story.file);
}

export function roleOf(story: DemoStory, deviceId: string): 'manual-first' | 'enroll-first' | undefined {
  return deviceId === story.manualFirst ? 'manual-first' : deviceId === story.enrollFirst ? 'enroll-first' : undefined;
}

import type { MailAccountView } from '../../agents/report/report-model.js';
import type { DevicePlatform } from '../../protocol/admin/platforms.js';

/**
 * What the demo tells as it plays, one event at a time: the terminal prints them (terminal.ts)
 * and the live page (--serve, live-page.ts) forwards them to the browser as Server-Sent Events.
 * Plain JSON, so an event is the same in both places.
 */
export type DemoEvent =
  | { type: 'begin'; server: string; stories: { platform: DevicePlatform; label: string }[] }
  | { type: 'story'; platform: DevicePlatform; label: string; name: string; description?: string }
  | { type: 'step'; platform: DevicePlatform; ok: boolean; summary: string; ms: number; problems: string[] }
  | { type: 'store'; platform: DevicePlatform; device: string; role?: 'manual-first' | 'enroll-first'; accounts: MailAccountView[]; text: string }
  | { type: 'verdict'; platform: DevicePlatform; label: string; ok: boolean; enrollFirst: string; manualFirst: string; verdict: string }
  | { type: 'end'; ok: boolean; exitCode: number; interrupted: boolean; report?: string };

/** One line for a device's mail store: `personal: alice@contoso.com (user)  work: alice@contoso.com (managed)`. */
export function storeText(accounts: readonly MailAccountView[]): string {
  if (accounts.length === 0) return '(no accounts)';
  return accounts
    .map((a) => {
      const kind = a.managed ? (a.replacedUserAccount ? "managed, replaced the user's" : 'managed') : 'user';
      return `${a.androidProfile ? `${a.androidProfile}: ` : ''}${a.email} (${kind})`;
    })
    .join('  ');
}

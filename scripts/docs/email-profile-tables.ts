import { EMAIL_PROFILE_PLATFORMS, type EmailProfilePlatform } from '../../protocol/admin/platforms.js';
import {
  CONTENT_TYPES,
  DAYS_TO_SYNC,
  EMAIL_PROFILE_SETTINGS,
  IMMUTABLE_ONCE_DEPLOYED,
  SYNC_SCHEDULE_MINUTES,
  type EmailProfileSettingKey,
} from '../../protocol/admin/email-profile-settings.js';

/**
 * The generated part of docs/email-profiles.md: the settings table and the values each platform's
 * client offers, written from the same data the admin API validates with
 * (protocol/admin/email-profile-settings.ts), so the documentation cannot drift from the server.
 */
export const BEGIN = '<!-- generated: npm run docs (scripts/docs/email-profile-tables.ts) -->';
export const END = '<!-- end of generated part -->';

const yes = (b: boolean) => (b ? '✓' : '');

export function emailProfileTables(): string {
  const keys = Object.keys(EMAIL_PROFILE_SETTINGS) as EmailProfileSettingKey[];
  const header = `| setting | ${EMAIL_PROFILE_PLATFORMS.map((p) => `\`${p}\``).join(' | ')} | rule |`;
  const rule = `|---|${EMAIL_PROFILE_PLATFORMS.map(() => ':-:').join('|')}|---|`;
  const rows = keys.map((k) => {
    const s = EMAIL_PROFILE_SETTINGS[k];
    const notes = [s.required ? '**required**' : undefined, s.description, IMMUTABLE_ONCE_DEPLOYED.includes(k) ? '(409 `immutableSetting`)' : undefined];
    const d = s.default ? s.default(s.platforms[0]!) : undefined;
    if (d !== undefined && k !== 'contentTypes') notes.push(`default \`${JSON.stringify(d)}\``);
    return `| \`${k}\` | ${EMAIL_PROFILE_PLATFORMS.map((p) => yes(s.platforms.includes(p))).join(' | ')} | ${notes.filter(Boolean).join('; ').replace('; (409', ' (409')} |`;
  });
  const values = (p: EmailProfilePlatform) =>
    `| \`${p}\` | ${DAYS_TO_SYNC[p].join(', ')} | ${SYNC_SCHEDULE_MINUTES[p] ? `asMessagesArrive, manual, ${SYNC_SCHEDULE_MINUTES[p]!.join(', ')}` : '—'} | ${CONTENT_TYPES[p]?.join(', ') ?? '—'} |`;
  return [
    BEGIN,
    '',
    header,
    rule,
    ...rows,
    '',
    'Values each client offers (anything else is a 400 naming the field; content types default to all of them):',
    '',
    '| type | `daysToSync` | `syncSchedule` (minutes) | `contentTypes` |',
    '|---|---|---|---|',
    ...EMAIL_PROFILE_PLATFORMS.map(values),
    '',
    END,
  ].join('\n');
}

/** `text` with its generated part replaced by the current one. */
export function withCurrentTables(text: string): string {
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error('docs/email-profiles.md has no generated part to replace');
  return text.slice(0, a) + emailProfileTables() + text.slice(b + END.length);
}

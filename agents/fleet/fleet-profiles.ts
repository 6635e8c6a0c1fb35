import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { EMAIL_PROFILE_PLATFORMS, PROFILE_REACHES, type DevicePlatform, type EmailProfilePlatform } from '../../protocol/admin/platforms.js';
import type { WorkApp } from '../core/mail-account.js';
import { FleetInputError } from './input-error.js';

/**
 * The email profiles a fleet deploys: by default one per platform type in the mix, with the
 * default settings of that type (`--profile per-platform`), or the profiles of a JSON / YAML file
 * (`--profile FILE`). Each profile is deployed to the groups of the device platforms it reaches
 * (a windowsPhone81 profile also reaches Windows 10 devices: protocol/admin/platforms.ts).
 */

export interface FleetProfile {
  /** A name the fleet's setup makes unique per run (`fleet-3f9a1c ios`). */
  label: string;
  /** The admin API body, without `name` (the setup names it). */
  settings: Record<string, unknown> & { platform: EmailProfilePlatform; host: string };
}

/** The address a fleet's mail host is known by; it only has to be the same for the profile and the hand-made account. */
export const FLEET_MAIL_HOST = 'mail.fleet.mdmlab.test';

/** Which profile type a device platform gets with `--profile per-platform`. */
const PER_PLATFORM: Readonly<Record<DevicePlatform, EmailProfilePlatform>> = {
  ios: 'ios',
  windows10: 'windows10',
  windowsPhone81: 'windowsPhone81',
  samsungKnox: 'samsungKnox',
  androidForWork: 'afwGmail',
};

/** The work-profile app an Android for Work profile configures (the device waits for it). */
const WORK_APP: Partial<Record<EmailProfilePlatform, WorkApp>> = { afwGmail: 'gmail', afwNineWork: 'nineWork' };

/**
 * A Knox profile with SSL needs the Exchange server's certificate deployed as a trustedRoot first
 * (the server refuses it otherwise); the fleet's made-up mail host has no certificate, so its Knox
 * profile goes without SSL. A profile file may set useSsl and the run's operator deploy the root.
 */
const PER_PLATFORM_EXTRA: Partial<Record<EmailProfilePlatform, Record<string, unknown>>> = { samsungKnox: { useSsl: false } };

export function perPlatformProfiles(platforms: readonly DevicePlatform[]): FleetProfile[] {
  const types = [...new Set(platforms.map((p) => PER_PLATFORM[p]))];
  return types.map((type) => ({ label: type, settings: { platform: type, host: FLEET_MAIL_HOST, accountName: 'Fleet mail', ...PER_PLATFORM_EXTRA[type] } }));
}

/** A profile file: a list of admin-API profile bodies, `{profiles: [...]}`, or one body. */
export function readProfileFile(path: string): FleetProfile[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new FleetInputError(`--profile ${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text); // YAML 1.2 is a superset of JSON
  } catch (err) {
    throw new FleetInputError(`--profile ${path}: not JSON or YAML (${(err as Error).message.split('\n')[0]})`);
  }
  const list = Array.isArray(doc) ? doc : isObject(doc) && Array.isArray(doc.profiles) ? doc.profiles : isObject(doc) ? [doc] : undefined;
  if (!list || list.length === 0) throw new FleetInputError(`--profile ${path}: expected a profile, a list of profiles or {profiles: [...]}`);
  return list.map((p: unknown, i: number) => {
    if (!isObject(p)) throw new FleetInputError(`--profile ${path}: profile ${i + 1} is not an object`);
    const { name, ...settings } = p;
    if (!(EMAIL_PROFILE_PLATFORMS as readonly unknown[]).includes(settings.platform)) {
      throw new FleetInputError(`--profile ${path}: profile ${i + 1} needs a platform (${EMAIL_PROFILE_PLATFORMS.join(', ')})`);
    }
    if (typeof settings.host !== 'string' || settings.host === '') throw new FleetInputError(`--profile ${path}: profile ${i + 1} needs a host`);
    const label = typeof name === 'string' && name !== '' ? name : String(settings.platform);
    return { label, settings: settings as FleetProfile['settings'] };
  });
}

/** The device platforms (of those in the run) a profile reaches. */
export function platformsReached(profile: FleetProfile, inRun: readonly DevicePlatform[]): DevicePlatform[] {
  return PROFILE_REACHES[profile.settings.platform].filter((p) => inRun.includes(p));
}

/**
 * The profile whose account a device of `platform` gets, when several reach it: its own type first
 * (a windows10 profile over a windowsPhone81 one on a Windows 10 device).
 */
export function profileFor(platform: DevicePlatform, profiles: readonly FleetProfile[]): FleetProfile | undefined {
  const reaching = profiles.filter((p) => PROFILE_REACHES[p.settings.platform].includes(platform));
  return reaching.find((p) => p.settings.platform === PER_PLATFORM[platform]) ?? reaching[0];
}

export function workAppOf(profile: FleetProfile | undefined): WorkApp | undefined {
  return profile ? WORK_APP[profile.settings.platform] : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

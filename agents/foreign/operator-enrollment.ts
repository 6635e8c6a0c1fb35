import { readFileSync } from 'node:fs';
import type { EnrollmentTicket } from '../device.js';
import { parsePushSetting, type PushSetting } from '../push/push-setting.js';

/**
 * How simulated devices enroll with a server that is not mdmlab's, as its operator gives it
 * (`mdmlab scenario run --foreign`, and any runner that points devices at someone else's server):
 * an enrollment profile URL or the profile itself (iOS; NanoMDM, MicroMDM and most servers hand out
 * one profile URL), the CA to trust for https, the push service, and how often devices check in
 * when nobody pushes. Nothing here talks to mdmlab's admin API.
 */
export interface OperatorEnrollment {
  /** Where the enrollment profile is downloaded. */
  enrollUrl?: string;
  /** The enrollment profile itself (a saved .mobileconfig). */
  enrollmentProfile?: Buffer;
  /** Where the profile came from, for messages (the URL or the file's path). */
  source: string;
  /** PEM of the CA(s) to trust for the server's https (and its enrollment URL). */
  caPem?: string;
  push: PushSetting;
  /** Unprompted check-ins (ms): without push the only way a device learns of new commands by itself. */
  checkInMs: number;
  /** Accept http:// MDM URLs (lab mode; real iOS requires https). */
  allowHttp: boolean;
  /** Windows devices: MS-MDE2 discovery and on-premise authentication (absent: no Windows device can enroll). */
  windows?: WindowsOperatorEnrollment;
}

/**
 * MS-MDE2 on-premise authentication (MS-MDE2 §3.1.5.1 AuthPolicy OnPremise: the enrollment request's
 * WS-Security UsernameToken carries the user name and password). `upn` may hold `{n}`, the device's
 * number (1, 2, …), so each device of a fleet can be a user of its own.
 */
export interface WindowsOperatorEnrollment {
  discoveryUrl: string;
  upn: string;
  password: string;
}

export interface OperatorEnrollmentFlags {
  enrollUrl?: string | undefined;
  enrollProfile?: string | undefined;
  ca?: string | undefined;
  push?: string | undefined;
  /** Milliseconds. */
  checkInMs?: number | undefined;
  discoveryUrl?: string | undefined;
  upn?: string | undefined;
  password?: string | undefined;
}

/** Default check-in interval without push: often enough for a test run to see new commands. */
export const DEFAULT_FOREIGN_CHECK_IN_MS = 30_000;

/**
 * Reads the operator's flags (and the files they name). Throws an Error with a one-line message
 * naming the flag when something is missing or unreadable. `requireSource: false` lets a hook give
 * each device its own enrollment URL instead.
 */
export function loadOperatorEnrollment(flags: OperatorEnrollmentFlags, opts: { requireSource?: boolean } = {}): OperatorEnrollment {
  if (flags.enrollUrl && flags.enrollProfile) throw new Error('give --enroll-url or --enroll-profile, not both');
  const windows = windowsEnrollment(flags);
  if (!flags.enrollUrl && !flags.enrollProfile && !windows && opts.requireSource !== false) {
    throw new Error(
      'devices need an enrollment: --enroll-url URL (where the enrollment profile is served) or --enroll-profile FILE (a saved .mobileconfig); Windows devices: --discovery-url URL --upn USER --password SECRET',
    );
  }
  const enrollUrl = flags.enrollUrl ? httpUrl(flags.enrollUrl, '--enroll-url') : undefined;
  const enrollmentProfile = flags.enrollProfile ? readOrExplain(flags.enrollProfile, '--enroll-profile') : undefined;
  const caPem = flags.ca ? readOrExplain(flags.ca, '--ca').toString('utf8') : undefined;
  if (caPem !== undefined && !caPem.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`--ca ${flags.ca} holds no PEM certificate`);
  const checkInMs = flags.checkInMs ?? DEFAULT_FOREIGN_CHECK_IN_MS;
  if (!Number.isSafeInteger(checkInMs) || checkInMs < 0) throw new Error('--check-in must be a duration such as 30s (0: never on their own)');
  return {
    ...(enrollUrl ? { enrollUrl } : {}),
    ...(enrollmentProfile ? { enrollmentProfile } : {}),
    source: enrollUrl ?? flags.enrollProfile ?? (windows ? windows.discoveryUrl : 'the admin hook'),
    ...(caPem ? { caPem } : {}),
    push: parsePushSetting(flags.push),
    checkInMs,
    // An operator who gives an http:// URL runs a plain-HTTP lab server; a profile file may point
    // at one too. The device logs that real iOS would refuse it.
    allowHttp: true,
    ...(windows ? { windows } : {}),
  };
}

/** The three Windows flags come together or not at all (throws a one-line message). */
export function windowsEnrollment(flags: OperatorEnrollmentFlags): WindowsOperatorEnrollment | undefined {
  const given = (['discoveryUrl', 'upn', 'password'] as const).filter((k) => flags[k] !== undefined);
  if (given.length === 0) return undefined;
  if (given.length < 3) throw new Error('Windows devices enroll with --discovery-url URL --upn USER --password SECRET: give all three');
  const upn = flags.upn!.trim();
  if (!/^[^@\s]+@[^@\s]+$/.test(upn.replaceAll('{n}', '1'))) throw new Error(`--upn must be a user principal name such as user@contoso.com or user{n}@contoso.com, not "${flags.upn}"`);
  if (flags.password === '') throw new Error('--password needs a value');
  return { discoveryUrl: httpUrl(flags.discoveryUrl!, '--discovery-url'), upn, password: flags.password! };
}

function httpUrl(value: string, flag: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new Error(`${flag} is not a URL: ${value}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`${flag} must be http(s): ${value}`);
  return u.href;
}

const WINDOWS_PLATFORMS: ReadonlySet<string> = new Set(['windows10', 'windowsPhone81']);

/**
 * What the devices of a run need that the operator did not give, as one line (undefined: nothing):
 * iOS devices an enrollment profile (unless a hook answers each enroll step with a URL), Windows
 * devices the discovery URL and credentials. `devices`: id and platform of each.
 */
export function missingEnrollment(e: OperatorEnrollment, devices: readonly { id: string; platform: string }[], opts: { hook?: boolean } = {}): string | undefined {
  const list = (ds: readonly { id: string; platform: string }[]) => ds.map((d) => `${d.id} (${d.platform})`).join(', ');
  const windows = devices.filter((d) => WINDOWS_PLATFORMS.has(d.platform));
  if (windows.length && !e.windows) return `${list(windows)} need${windows.length > 1 ? '' : 's'} --discovery-url URL --upn USER --password SECRET (MS-MDE2 on-premise authentication)`;
  const ios = devices.filter((d) => d.platform === 'ios');
  if (ios.length && !e.enrollUrl && !e.enrollmentProfile && !opts.hook) return `${list(ios)} need${ios.length > 1 ? '' : 's'} --enroll-url URL or --enroll-profile FILE`;
  const other = devices.filter((d) => d.platform !== 'ios' && !WINDOWS_PLATFORMS.has(d.platform));
  if (other.length) return `${list(other)}: no foreign-server enrollment for ${[...new Set(other.map((d) => d.platform))].join(', ')} devices yet (ios and Windows devices only)`;
  return undefined;
}

/** Windows device number `n` (1, 2, …) enrolls as `upn` with `{n}` replaced by its number. */
export function windowsTicket(w: WindowsOperatorEnrollment, n: number): EnrollmentTicket {
  // MS-MDE2 on-premise: the password travels as the ticket's token (the UsernameToken's password).
  return { discoveryUrl: w.discoveryUrl, upn: w.upn.replaceAll('{n}', String(n)), token: w.password };
}

export function isWindowsPlatform(platform: string): boolean {
  return WINDOWS_PLATFORMS.has(platform);
}

/**
 * The ticket a device enrolls with: the operator's, or a per-device URL (an admin hook's answer).
 * `device`: its platform and number (1, 2, …; the `{n}` of a Windows UPN).
 */
export function operatorTicket(e: OperatorEnrollment, perDevice?: { enrollUrl?: string }, device?: { platform: string; n: number }): EnrollmentTicket {
  if (device && WINDOWS_PLATFORMS.has(device.platform)) {
    if (!e.windows) throw new Error('no enrollment for this Windows device: give --discovery-url URL --upn USER --password SECRET');
    return windowsTicket(e.windows, device.n);
  }
  if (perDevice?.enrollUrl) return { enrollUrl: perDevice.enrollUrl };
  if (e.enrollmentProfile) return { enrollmentProfile: e.enrollmentProfile };
  if (e.enrollUrl) return { enrollUrl: e.enrollUrl };
  throw new Error('no enrollment for this device: give --enroll-url or --enroll-profile, or have the admin hook answer the enroll step with {"enrollUrl": …}');
}

function readOrExplain(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`${flag}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

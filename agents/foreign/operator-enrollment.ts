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
}

export interface OperatorEnrollmentFlags {
  enrollUrl?: string | undefined;
  enrollProfile?: string | undefined;
  ca?: string | undefined;
  push?: string | undefined;
  /** Milliseconds. */
  checkInMs?: number | undefined;
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
  if (!flags.enrollUrl && !flags.enrollProfile && opts.requireSource !== false) {
    throw new Error('devices need an enrollment: --enroll-url URL (where the enrollment profile is served) or --enroll-profile FILE (a saved .mobileconfig)');
  }
  let enrollUrl: string | undefined;
  if (flags.enrollUrl) {
    let u: URL;
    try {
      u = new URL(flags.enrollUrl);
    } catch {
      throw new Error(`--enroll-url is not a URL: ${flags.enrollUrl}`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`--enroll-url must be http(s): ${flags.enrollUrl}`);
    enrollUrl = u.href;
  }
  const enrollmentProfile = flags.enrollProfile ? readOrExplain(flags.enrollProfile, '--enroll-profile') : undefined;
  const caPem = flags.ca ? readOrExplain(flags.ca, '--ca').toString('utf8') : undefined;
  if (caPem !== undefined && !caPem.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`--ca ${flags.ca} holds no PEM certificate`);
  const checkInMs = flags.checkInMs ?? DEFAULT_FOREIGN_CHECK_IN_MS;
  if (!Number.isSafeInteger(checkInMs) || checkInMs < 0) throw new Error('--check-in must be a duration such as 30s (0: never on their own)');
  return {
    ...(enrollUrl ? { enrollUrl } : {}),
    ...(enrollmentProfile ? { enrollmentProfile } : {}),
    source: enrollUrl ?? flags.enrollProfile ?? 'the admin hook',
    ...(caPem ? { caPem } : {}),
    push: parsePushSetting(flags.push),
    checkInMs,
    // An operator who gives an http:// URL runs a plain-HTTP lab server; a profile file may point
    // at one too. The device logs that real iOS would refuse it.
    allowHttp: true,
  };
}

/** The ticket a device enrolls with: the operator's, or a per-device URL (an admin hook's answer). */
export function operatorTicket(e: OperatorEnrollment, perDevice?: { enrollUrl?: string }): EnrollmentTicket {
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

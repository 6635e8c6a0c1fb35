import { pino, type Logger } from 'pino';
import { loadOperatorEnrollment, missingEnrollment } from '../agents/foreign/operator-enrollment.js';
import { describePushSetting } from '../agents/push/push-setting.js';
import { parseDuration } from '../agents/scenario/duration.js';
import type { ForeignRun } from '../agents/scenario/operator-steps.js';

/**
 * `mdmlab scenario run --foreign`: the flags that describe a server that is not mdmlab's, read into
 * the runner's ForeignRun (agents/foreign/operator-enrollment.ts reads the files they name).
 */
export const FOREIGN_FLAGS = ['enroll-url', 'enroll-profile', 'discovery-url', 'upn', 'password', 'push', 'check-in', 'admin-hook', 'hook-timeout'] as const;

type ForeignValues = Partial<Record<(typeof FOREIGN_FLAGS)[number] | 'ca', string | boolean | undefined>>;

/**
 * Throws an Error with a one-line message naming the flag at fault, or the devices of the file
 * (`devices`) that need a flag that was not given.
 */
export function foreignRunFrom(values: ForeignValues, devices: readonly { id: string; platform: string }[] = []): ForeignRun {
  const str = (k: keyof ForeignValues) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const duration = (flag: 'check-in' | 'hook-timeout') => {
    const v = str(flag);
    if (v === undefined) return undefined;
    const ms = parseDuration(v);
    if (ms === undefined) throw new Error(`--${flag} must be a duration such as 30s, 500ms or 2m, not "${v}"`);
    return ms;
  };
  const hook = str('admin-hook');
  if (hook !== undefined && hook.trim() === '') throw new Error('--admin-hook needs a command');
  const hookTimeoutMs = duration('hook-timeout');
  if (hookTimeoutMs !== undefined && !hook) throw new Error('--hook-timeout is the time --admin-hook has for each step: give --admin-hook');
  const enrollment = loadOperatorEnrollment(
    {
      enrollUrl: str('enroll-url'),
      enrollProfile: str('enroll-profile'),
      discoveryUrl: str('discovery-url'),
      upn: str('upn'),
      password: str('password'),
      ca: str('ca'),
      push: str('push'),
      checkInMs: duration('check-in'),
    },
    // A hook may answer each enroll step with the device's own enrollment URL.
    { requireSource: !hook },
  );
  const missing = missingEnrollment(enrollment, devices, { hook: Boolean(hook) });
  if (missing) throw new Error(missing);
  return { enrollment, ...(hook ? { hook } : {}), ...(hookTimeoutMs !== undefined ? { hookTimeoutMs } : {}) };
}

export function describeForeign(run: ForeignRun, server: string | undefined): string {
  const e = run.enrollment;
  const checkIn = e.checkInMs > 0 ? `check-in every ${e.checkInMs / 1000} s` : 'no timed check-in';
  return `${server ? `${server}, ` : ''}a server that is not mdmlab's (enrollment from ${e.source}; ${describePushSetting(e.push)}; ${checkIn}; administrator steps ${run.hook ? 'by the admin hook' : 'left to the operator'})`;
}

/** A device logger that prints its warnings as run notices: `… pat-iphone: <message>`. */
export function deviceWarnings(out: { stdout: (text: string) => void }): Logger {
  return pino(
    { level: 'warn' },
    {
      write: (line: string) => {
        const o = JSON.parse(line) as { deviceId?: string; msg?: string };
        out.stdout(`… ${o.deviceId ?? 'device'}: ${o.msg ?? line.trim()}\n`);
      },
    },
  );
}

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseExpectation, type Expectation } from '../../agents/fleet/expectations.js';
import { perPlatformProfiles, readProfileFile, type FleetProfile } from '../../agents/fleet/fleet-profiles.js';
import { FleetInputError } from '../../agents/fleet/input-error.js';
import { parseMix, type MixEntry } from '../../agents/fleet/mix.js';
import { parseCount, parseDelayRange, parseRate, parseShare } from '../../agents/fleet/quantities.js';
import { parseShard, type Shard } from '../../agents/fleet/shard.js';
import { isWindowsPlatform, windowsEnrollment, type WindowsOperatorEnrollment } from '../../agents/foreign/operator-enrollment.js';
import { isSimulated, SIMULATED_PLATFORMS } from '../../agents/platforms.js';
import { parseDuration } from '../../agents/scenario/duration.js';
import { DEVICE_PLATFORMS } from '../../protocol/admin/platforms.js';

/** `mdmlab fleet` flags, checked: every problem is a FleetInputError (one line, exit code 2). */
export interface FleetCliOptions {
  count: number;
  mix: MixEntry[];
  manualFirst: number;
  /** undefined: no profile (the legacy default); foreign runs never deploy one. */
  profiles: FleetProfile[] | undefined;
  profileSource: string | undefined;
  ratePerSec: number | undefined;
  workers: number | undefined;
  concurrency: number;
  shard: Shard | undefined;
  seed: string;
  seedGiven: boolean;
  durationMs: number | undefined;
  untilConverged: boolean;
  expectations: Expectation[];
  reportDir: string | undefined;
  server: string | undefined;
  token: string | undefined;
  caPem: string | undefined;
  foreign: { enrollUrl?: string; enrollProfile?: string; windows?: WindowsOperatorEnrollment; mailAddress?: string; mailHost?: string } | undefined;
  checkInMs: number;
  enrollAttempts: number;
  reactDelayMs: [number, number];
  appDelayMs: [number, number];
  json: boolean;
  /** The flags as given, for the report's parameters. */
  given: Record<string, unknown>;
}

export const FLEET_FLAGS = {
  count: { type: 'string' },
  mix: { type: 'string' },
  platform: { type: 'string' },
  'manual-first': { type: 'string' },
  profile: { type: 'string' },
  rate: { type: 'string' },
  workers: { type: 'string' },
  concurrency: { type: 'string' },
  shard: { type: 'string' },
  seed: { type: 'string' },
  duration: { type: 'string' },
  'until-converged': { type: 'boolean' },
  'until-installed': { type: 'boolean' },
  expect: { type: 'string', multiple: true },
  report: { type: 'string' },
  server: { type: 'string' },
  token: { type: 'string' },
  ca: { type: 'string' },
  foreign: { type: 'boolean' },
  'enroll-url': { type: 'string' },
  'enroll-profile': { type: 'string' },
  'discovery-url': { type: 'string' },
  upn: { type: 'string' },
  password: { type: 'string' },
  'mail-address': { type: 'string' },
  'mail-host': { type: 'string' },
  'check-in': { type: 'string' },
  'enroll-attempts': { type: 'string' },
  'react-after': { type: 'string' },
  'app-after': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `--profile` alone (the flag of earlier versions) means `--profile per-platform`. */
function normalizeArgv(argv: string[]): string[] {
  return argv.map((a, i) => (a === '--profile' && (argv[i + 1] === undefined || argv[i + 1]!.startsWith('--')) ? '--profile=per-platform' : a));
}

export function parseFleetOptions(argv: string[]): FleetCliOptions | 'help' {
  let v;
  try {
    v = parseArgs({ args: normalizeArgv(argv), options: FLEET_FLAGS, strict: true }).values;
  } catch (err) {
    throw new FleetInputError((err as Error).message.split('\n')[0]!);
  }
  if (v.help) return 'help';
  if (v.mix !== undefined && v.platform !== undefined) throw new FleetInputError('--mix and --platform cannot be combined (--platform P is --mix P=100)');
  if (v.platform !== undefined && !(DEVICE_PLATFORMS as readonly string[]).includes(v.platform)) throw new FleetInputError(`--platform must be one of ${DEVICE_PLATFORMS.join(', ')}`);
  const mix = v.mix !== undefined ? parseMix(v.mix) : parseMix(`${v.platform ?? 'ios'}=100`);
  const missing = mix.filter((e) => !isSimulated(e.platform)).map((e) => e.platform);
  if (missing.length) throw new FleetInputError(`${missing.join(', ')} devices are not simulated yet (simulated: ${SIMULATED_PLATFORMS.join(', ')})`);

  const count = parseCount('--count', v.count ?? '10');
  const duration = (flag: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const d = parseDuration(text);
    if (d === undefined) throw new FleetInputError(`${flag} must be a duration such as 60s or 10m, not '${text}'`);
    return d;
  };
  let windows: WindowsOperatorEnrollment | undefined;
  try {
    windows = v.foreign ? windowsEnrollment({ discoveryUrl: v['discovery-url'], upn: v.upn, password: v.password }) : undefined;
  } catch (err) {
    throw new FleetInputError((err as Error).message);
  }
  const foreign = v.foreign
    ? {
        ...(v['enroll-url'] ? { enrollUrl: v['enroll-url'] } : {}),
        ...(v['enroll-profile'] ? { enrollProfile: v['enroll-profile'] } : {}),
        ...(windows ? { windows } : {}),
        ...(v['mail-address'] ? { mailAddress: v['mail-address'] } : {}),
        ...(v['mail-host'] ? { mailHost: v['mail-host'] } : {}),
      }
    : undefined;
  if (!v.foreign && (v['enroll-url'] || v['enroll-profile'] || v['discovery-url'] || v.upn || v.password || v['mail-address'] || v['mail-host'])) {
    throw new FleetInputError('--enroll-url, --enroll-profile, --discovery-url, --upn, --password, --mail-address and --mail-host are for --foreign runs');
  }
  if (foreign) {
    if (foreign.enrollUrl && foreign.enrollProfile) throw new FleetInputError('--foreign takes --enroll-url URL or --enroll-profile FILE, not both');
    const windowsMix = mix.filter((e) => isWindowsPlatform(e.platform));
    if (windowsMix.length && !windows) throw new FleetInputError(`--foreign ${windowsMix.map((e) => e.platform).join(' and ')} devices need --discovery-url URL --upn USER --password SECRET (MS-MDE2 on-premise authentication)`);
    if (windowsMix.length < mix.length && !foreign.enrollUrl && !foreign.enrollProfile) throw new FleetInputError('--foreign needs one of --enroll-url URL or --enroll-profile FILE (where the devices get their enrollment)');
    if (v.profile !== undefined) throw new FleetInputError('--profile cannot be used with --foreign: on a foreign server the operator deploys the profile');
    if (v.token !== undefined) throw new FleetInputError('--token is for mdmlab servers; a --foreign run uses no admin API');
  }
  const manualFirst = v['manual-first'] === undefined ? 0 : parseShare('--manual-first', v['manual-first']);
  if (foreign && manualFirst > 0 && !(foreign.mailAddress && foreign.mailHost)) {
    throw new FleetInputError("--manual-first on a --foreign server needs --mail-address 'user-{n}@corp.example' and --mail-host HOST (the account the operator's profile gives)");
  }
  const untilConverged = v['until-converged'] === true || v['until-installed'] === true;
  if (untilConverged && v.profile === undefined && !foreign) throw new FleetInputError(`--${v['until-installed'] ? 'until-installed' : 'until-converged'} needs --profile (or --foreign, where the operator deploys it)`);
  const shard = v.shard === undefined ? undefined : parseShard(v.shard);
  if (shard && shard.of > 1 && v.seed === undefined) throw new FleetInputError('--shard needs --seed: every shard computes the same fleet from it');
  if (shard && shard.of > count) throw new FleetInputError(`--shard ${shard.index}/${shard.of}: more shards than devices (--count ${count})`);
  const expectations = (v.expect ?? []).map(parseExpectation);
  for (const e of expectations) {
    if (e.platform && !mix.some((m) => m.platform === e.platform)) throw new FleetInputError(`--expect '${e.text}': the run has no ${e.platform} devices`);
  }
  const platforms = mix.map((m) => m.platform);
  const profiles = v.profile === undefined ? undefined : v.profile === 'per-platform' ? perPlatformProfiles(platforms) : readProfileFile(v.profile);
  const seed = v.seed ?? String(Date.now());
  const caPem = v.ca === undefined ? undefined : readPem(v.ca);
  const given = Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'token' && k !== 'password' && k !== 'help' && k !== 'json'));

  return {
    count,
    mix,
    manualFirst,
    profiles,
    profileSource: v.profile,
    ratePerSec: v.rate === undefined ? undefined : parseRate('--rate', v.rate),
    workers: v.workers === undefined ? undefined : parseCount('--workers', v.workers, 0),
    concurrency: parseCount('--concurrency', v.concurrency ?? '32'),
    shard,
    seed,
    seedGiven: v.seed !== undefined,
    durationMs: duration('--duration', v.duration),
    untilConverged,
    expectations,
    reportDir: v.report,
    server: v.server?.replace(/\/$/, ''),
    token: v.token,
    caPem,
    foreign,
    checkInMs: duration('--check-in', v['check-in']) ?? 4 * 3600_000,
    enrollAttempts: parseCount('--enroll-attempts', v['enroll-attempts'] ?? '5'),
    reactDelayMs: v['react-after'] === undefined ? [1000, 5000] : parseDelayRange('--react-after', v['react-after'], parseDuration),
    appDelayMs: v['app-after'] === undefined ? [2000, 8000] : parseDelayRange('--app-after', v['app-after'], parseDuration),
    json: v.json === true,
    given,
  };
}

function readPem(path: string): string {
  try {
    const pem = readFileSync(path, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new FleetInputError(`--ca ${path}: not a PEM certificate`);
    return pem;
  } catch (err) {
    if (err instanceof FleetInputError) throw err;
    throw new FleetInputError(`--ca ${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

import { readFileSync } from 'node:fs';

/**
 * Open files a fleet process needs, checked before anything starts: each simulated device holds its
 * push connection open for the whole run (a socket is an open file), and the HTTP clients keep up to
 * `concurrency` connections per worker thread besides. Past the process's limit, the devices that come
 * last fail in ways that say nothing of the cause (EMFILE from a socket, from reading /proc), so the
 * run is refused up front with what to do. Node raises its soft limit to the hard one at start-up, so
 * the soft limit read here is what the process has.
 */
export interface OpenFilesCheck {
  needed: number;
  limit: number | undefined;
}

/** Files besides the devices and their HTTP connections: worker threads, the report, the key pool, stdio. */
const BASE = 200;

/** The HTTP connections (enrollments in flight, over every worker, and the admin client's) count twice: some linger. */
export function openFilesNeeded(devices: number, concurrency: number): number {
  return devices + 2 * concurrency + BASE;
}

/** The soft RLIMIT_NOFILE of this process (Linux: /proc/self/limits); undefined where it cannot be read. */
export function openFilesLimit(limitsText: string | undefined = readLimits()): number | undefined {
  const line = limitsText?.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  if (soft === undefined || soft === 'unlimited') return undefined;
  const n = Number(soft);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

function readLimits(): string | undefined {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
}

/** The one-line refusal, or undefined when the process has room. */
export function openFilesRefusal(devices: number, check: OpenFilesCheck): string | undefined {
  if (check.limit === undefined || check.needed <= check.limit) return undefined;
  const fmt = (n: number) => n.toLocaleString('en-US');
  return (
    `${fmt(devices)} devices in this process need about ${fmt(check.needed)} open files (a push connection each), ` +
    `but it may open ${fmt(check.limit)} (ulimit -n): raise the limit (ulimit -n ${Math.ceil(check.needed / 1024) * 1024} ` +
    `as root, or the nofile line of /etc/security/limits.conf) or spread the fleet over processes with --shard K/N`
  );
}

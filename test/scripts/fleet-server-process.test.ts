import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openFilesLimit, openFilesNeeded, openFilesRefusal } from '../../scripts/fleet/open-files.js';
import { cliArgv, exitCode, spawnCli } from '../helpers/cli.js';

/**
 * Regression: `mdmlab fleet --count 10000` without --server ran its server in the fleet's own
 * process, which then held both ends of every device's push connection: at ~9,900 devices it passed
 * the machine's 20,000 open files and a worker thread died of EMFILE. The server now runs in a
 * process of its own that never outlives the fleet, and a fleet that cannot fit in its process's
 * open-file limit is refused before anything starts.
 */

/** The pids of `pid`'s children (Linux /proc). */
function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text ? text.split(/\s+/).map(Number) : [];
}

const alive = (pid: number): boolean => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

async function until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the fleet and its open files', () => {
  it('refuses, before starting anything, a fleet larger than its process may hold open (exit 2, one line)', async () => {
    const [node, ...args] = cliArgv(['fleet', '--count', '1000', '--mix', 'ios=1']);
    // bash sets both limits, so Node (which raises its soft limit to the hard one) has 600.
    const child = spawn('bash', ['-c', 'ulimit -n 600 && exec "$0" "$@"', node!, ...args]);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await exitCode(child)).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^mdmlab fleet: 1,000 devices in this process need about 1,264 open files .* it may open 600 \(ulimit -n\): raise the limit .* --shard K\/N\n$/);
  });

  it('reads the limit as Linux writes it', () => {
    const limits = 'Limit                     Soft Limit           Hard Limit           Units     \nMax cpu time              unlimited            unlimited            seconds   \nMax open files            20000                20000                files     \n';
    expect(openFilesLimit(limits)).toBe(20_000);
    expect(openFilesLimit(limits.replace('20000                20000', 'unlimited            unlimited'))).toBeUndefined();
    expect(openFilesLimit('')).toBeUndefined();
    expect(openFilesRefusal(10_000, { needed: openFilesNeeded(10_000, 64), limit: 20_000 })).toBeUndefined();
    expect(openFilesRefusal(20_000, { needed: openFilesNeeded(20_000, 64), limit: 20_000 })).toMatch(/20,000 devices/);
    expect(openFilesRefusal(20_000, { needed: openFilesNeeded(20_000, 64), limit: undefined })).toBeUndefined();
  });

  it('runs its server in a process of its own, which ends with the fleet and takes its store along, even when the fleet is killed', async () => {
    const fleet = spawnCli(['fleet', '--count', '6', '--mix', 'ios=1,windows10=1', '--profile', '--duration', '2m']);
    let stderr = '';
    fleet.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const server = await until(() => childrenOf(fleet.pid!)[0], 30_000, 'the server process');
      const dataDir = await until(() => readFileSync(`/proc/${server}/cmdline`, 'utf8').split('\0').find((a) => a.includes('mdmlab-fleet-')), 5000, 'its data folder');
      expect(existsSync(dataDir)).toBe(true);
      // Enrolling against it: the devices reach the server in the other process.
      await until(() => (/enrolled [1-9]/.test(stderr) ? true : undefined), 60_000, `a device enrolled (${stderr.slice(-300)})`);
      fleet.kill('SIGKILL');
      await until(() => (alive(server) ? undefined : true), 15_000, 'the server process ending after the fleet was killed');
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      fleet.kill('SIGKILL');
    }
  }, 120_000);
});

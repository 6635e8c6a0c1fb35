import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Makes a file or folder really unwritable for this process, and says how. As an ordinary user a
 * chmod does it. As root (this project's CI) permissions are not checked at all, so the file is
 * made immutable (chattr +i, ext4 and most Linux filesystems, needs CAP_LINUX_IMMUTABLE), which
 * refuses writes to everybody. `undefined` when neither is possible here: the caller skips.
 */
export type Unwritable = { how: 'chmod' | 'chattr'; restore: () => void };

export function makeUnwritable(path: string): Unwritable | undefined {
  if (process.getuid?.() !== 0) {
    const mode = statSync(path).mode & 0o777;
    chmodSync(path, statSync(path).isDirectory() ? 0o555 : 0o444);
    return { how: 'chmod', restore: () => chmodSync(path, mode) };
  }
  try {
    execFileSync('chattr', ['+i', path], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return { how: 'chattr', restore: () => execFileSync('chattr', ['-i', path], { stdio: 'ignore' }) };
}

/** Whether this machine can make a file unwritable for this process (probed on a scratch file). */
export function canMakeUnwritable(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'mdmlab-unwritable-'));
  const file = join(dir, 'probe');
  writeFileSync(file, '');
  const u = makeUnwritable(file);
  try {
    if (!u) return false;
    try {
      closeSync(openSync(file, 'a'));
      return false;
    } catch {
      return true;
    }
  } finally {
    u?.restore();
    rmSync(dir, { recursive: true, force: true });
  }
}

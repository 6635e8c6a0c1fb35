import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataFolderError } from './errors/data-folder-error.js';

/** MDMLAB_ADMIN_TOKEN if set, else the token generated at first start and kept in <data>/admin-token (0600). */
export function resolveAdminToken(dataDir: string, fromEnv: string | undefined): { token: string; source: 'env' | 'file' | 'generated'; file: string } {
  const file = join(dataDir, 'admin-token');
  if (fromEnv && fromEnv.trim()) return { token: fromEnv.trim(), source: 'env', file };
  if (existsSync(file)) {
    let token: string;
    try {
      token = readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new DataFolderError(file, `${file} cannot be read (${(err as Error).message}): fix its permissions, or remove it to have a new admin token made`, { cause: err });
    }
    keepPrivate(file);
    if (token) return { token, source: 'file', file };
  }
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, source: 'generated', file };
}

/** A token file written by hand (or by an older mdmlab) with the umask's mode: the token is the whole admin API. */
function keepPrivate(file: string): void {
  try {
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  } catch {
    /* another owner's file: not ours to change */
  }
}

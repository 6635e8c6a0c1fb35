import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** MDMLAB_ADMIN_TOKEN if set, else the token generated at first start and kept in <data>/admin-token (0600). */
export function resolveAdminToken(dataDir: string, fromEnv: string | undefined): { token: string; source: 'env' | 'file' | 'generated'; file: string } {
  const file = join(dataDir, 'admin-token');
  if (fromEnv && fromEnv.trim()) return { token: fromEnv.trim(), source: 'env', file };
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token) return { token, source: 'file', file };
  }
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, source: 'generated', file };
}

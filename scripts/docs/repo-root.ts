import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from this file's place (scripts/docs/ or dist/scripts/docs/). */
const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = here.includes(`${join('dist', 'scripts')}`) ? join(here, '..', '..', '..') : join(here, '..', '..');

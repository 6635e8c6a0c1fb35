import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo-root.js';
import { withCurrentTables } from './email-profile-tables.js';

/** `npm run docs`: rewrites the generated parts of the documentation from the code's own data. */
const file = join(repoRoot, 'docs', 'email-profiles.md');
const before = readFileSync(file, 'utf8');
const after = withCurrentTables(before);
if (after !== before) writeFileSync(file, after);
process.stdout.write(after === before ? 'docs are current\n' : 'docs/email-profiles.md rewritten\n');

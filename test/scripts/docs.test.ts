import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withCurrentTables } from '../../scripts/docs/email-profile-tables.js';
import { repoRoot } from '../../scripts/docs/repo-root.js';

describe('the documentation', () => {
  it('shows the email-profile settings the server validates with (run `npm run docs` after changing them)', () => {
    const text = readFileSync(join(repoRoot, 'docs', 'email-profiles.md'), 'utf8');
    expect(withCurrentTables(text)).toBe(text);
  });
});

import type { ScenarioResult, StepResult } from './runner.js';

/** Human output: one line per step, each failure below its step with what was expected and found. */
export function formatStep(r: StepResult): string {
  // '–': nothing of the step could be checked (foreign mode), which is not a pass.
  const mark = !r.ok ? '✗' : r.status === 'skipped' ? '–' : '✓';
  const where = r.line !== undefined ? `${r.path} (line ${r.line})` : r.path;
  const lines = [`${mark} ${where.padEnd(22)} ${r.summary}  [${r.ms} ms]`];
  if (r.error) lines.push(`    error: ${r.error}`);
  for (const note of r.notes ?? []) lines.push(`    note: ${note}`);
  for (const f of r.failures) {
    lines.push(`    ${f.what}`);
    lines.push(`      expected: ${show(f.expected)}`);
    lines.push(`      found:    ${show(f.found)}`);
  }
  return lines.join('\n');
}

/**
 * What the end of a run on a shared server did: the cleanup (its errors are listed but never
 * change the exit code) or, with --keep, what stays. Empty for an embedded run.
 */
export function formatCleanup(result: ScenarioResult): string {
  if (result.mode === 'foreign') {
    const c = result.cleanup;
    if (!c) return "kept: the run's devices stay enrolled with the server (nobody answers for them)\n";
    const lines = [`${c.errors.length ? '✗' : '✓'} cleanup: ${c.actions.length ? c.actions.join('; ') : 'nothing to undo'}`];
    for (const e of c.errors) lines.push(`    error: ${e}`);
    return `${lines.join('\n')}\n`;
  }
  if (!result.run) return '';
  if (result.run.kept) {
    const enrolled = Object.values(result.ids?.devices ?? {}).filter((d) => d.serverId).length;
    return `kept: run ${result.run.tag}'s groups, profiles and users stay; its ${enrolled} device(s) that enrolled stay enrolled (nobody answers for them) and later runs' groups that list their users target them too\n`;
  }
  const c = result.cleanup;
  if (!c) return '';
  const lines = [`${c.errors.length ? '✗' : '✓'} cleanup (run ${result.run.tag}): ${c.actions.length ? c.actions.join('; ') : 'nothing to undo'}`];
  for (const e of c.errors) lines.push(`    error: ${e}`);
  return `${lines.join('\n')}\n`;
}

export function formatSummary(result: ScenarioResult): string {
  if (result.exitCode === 2) return `✗ ${result.name}: ${result.message}`;
  const failed = result.steps.filter((s) => !s.ok).length;
  const skipped = result.skipped ? `; ${result.skipped} expectation(s) skipped: they need mdmlab's admin API` : '';
  if (!result.ok) return `✗ ${result.name}: ${failed} step(s) failed${skipped}`;
  if (result.mode === 'foreign') return `✓ ${result.name}: every expectation checked on the devices held (${result.steps.length - 1} steps)${skipped}`;
  return `✓ ${result.name}: every expectation held (${result.steps.length - 1} steps)`;
}

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

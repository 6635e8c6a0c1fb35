import type { ScenarioResult, StepResult } from './runner.js';

/** Human output: one line per step, each failure below its step with what was expected and found. */
export function formatStep(r: StepResult): string {
  const mark = r.ok ? '✓' : '✗';
  const where = r.line !== undefined ? `${r.path} (line ${r.line})` : r.path;
  const lines = [`${mark} ${where.padEnd(22)} ${r.summary}  [${r.ms} ms]`];
  if (r.error) lines.push(`    error: ${r.error}`);
  for (const f of r.failures) {
    lines.push(`    ${f.what}`);
    lines.push(`      expected: ${show(f.expected)}`);
    lines.push(`      found:    ${show(f.found)}`);
  }
  return lines.join('\n');
}

export function formatSummary(result: ScenarioResult): string {
  if (result.exitCode === 2) return `✗ ${result.name}: ${result.message}`;
  const failed = result.steps.filter((s) => !s.ok).length;
  return result.ok
    ? `✓ ${result.name}: every expectation held (${result.steps.length - 1} steps)`
    : `✗ ${result.name}: ${failed} step(s) failed`;
}

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

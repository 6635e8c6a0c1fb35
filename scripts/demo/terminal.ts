import type { DemoEvent } from './demo-events.js';

/**
 * The demo as a person reads it in a terminal: a header per platform, one line per step with ✓ or
 * ✗ (what a failed expectation expected and found below it), the mail stores as they change, and
 * at the end a table of verdicts. Plain text: it reads the same in a CI log.
 */
export function terminalLines(e: DemoEvent): string {
  switch (e.type) {
    case 'begin':
      return `mdmlab demo: enroll before you set up mail — ${e.stories.map((s) => s.label).join(', ')}, against ${e.server}\n`;
    case 'story':
      return `\n━━ ${e.label} ${'━'.repeat(Math.max(4, 60 - e.label.length))}\n${e.description ? `${wrap(e.description, '   ')}\n` : ''}`;
    case 'step':
      return `  ${e.ok ? '✓' : '✗'} ${e.summary}${e.ms >= 1000 ? `  (${(e.ms / 1000).toFixed(1)} s)` : ''}\n${e.problems.map((p) => `      ${p}\n`).join('')}`;
    case 'store':
      return `      ${`${e.device}${e.role ? ` [${e.role}]` : ''}`.padEnd(30)} ${e.text}\n`;
    case 'verdict':
      return `  ${e.ok ? '✓' : '✗'} ${e.label}: ${e.verdict}\n`;
    case 'end':
      return '';
  }
}

/** The verdicts side by side: platform | enroll-first | manual-first | verdict. */
export function verdictTable(rows: readonly Extract<DemoEvent, { type: 'verdict' }>[]): string {
  const head = ['platform', 'enroll-first', 'manual-first', 'verdict'];
  const cells = rows.map((r) => [`${r.ok ? '✓' : '✗'} ${r.label}`, r.enrollFirst, r.manualFirst, r.verdict]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `│ ${c.map((x, i) => x.padEnd(widths[i]!)).join(' │ ')} │`;
  const rule = (l: string, m: string, r: string) => `${l}${widths.map((w) => '─'.repeat(w + 2)).join(m)}${r}`;
  return [rule('┌', '┬', '┐'), line(head), rule('├', '┼', '┤'), ...cells.map(line), rule('└', '┴', '┘')].join('\n') + '\n';
}

function wrap(text: string, indent: string, width = 96): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.trim().split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => indent + l).join('\n');
}

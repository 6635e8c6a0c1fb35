/** Small helpers for writing the report's HTML by hand (no template engine: the page is one file). */

/** Text and attribute values: the five characters HTML gives meaning to (HTML Living Standard §13.1). */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON inside `<script type="application/json">`: no `<` may end the element early. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** `1840` → `1.84 s`, `95` → `95 ms`, `125000` → `2 min 5 s`. */
export function ms(value: number | undefined): string {
  if (value === undefined) return '–';
  if (value < 1000) return `${Math.round(value)} ms`;
  if (value < 60_000) return `${(value / 1000).toFixed(value < 10_000 ? 2 : 1)} s`;
  const min = Math.floor(value / 60_000);
  const s = Math.round((value % 60_000) / 1000);
  return `${min} min${s ? ` ${s} s` : ''}`;
}

export function pct(n: number, of: number): string {
  if (of === 0) return '–';
  const p = (100 * n) / of;
  return `${p >= 99.95 || p === 0 ? p.toFixed(0) : p.toFixed(1)}%`;
}

export function num(n: number): string {
  return n.toLocaleString('en-US');
}

/** A table from a header and rows of already-escaped cells. */
export function table(head: readonly string[], rows: readonly (readonly string[])[], cls = ''): string {
  if (rows.length === 0) return '';
  const th = head.map((h) => `<th>${h}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>`;
}

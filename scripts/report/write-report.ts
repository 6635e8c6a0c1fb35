import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Report } from '../../agents/report/report-model.js';
import { renderReportHtml } from './render-html.js';

/** Writes `DIR/report.json` and `DIR/report.html`; returns their paths. */
export function writeReport(dir: string, report: Report): { json: string; html: string } {
  const out = resolve(dir);
  mkdirSync(out, { recursive: true });
  const json = join(out, 'report.json');
  const html = join(out, 'report.html');
  writeFileSync(json, `${JSON.stringify(report, null, 1)}\n`);
  writeFileSync(html, renderReportHtml(report));
  return { json, html };
}

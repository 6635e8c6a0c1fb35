import type { MailAccountView, Report, ScenarioSection } from '../../agents/report/report-model.js';
import { esc, ms, table } from './html.js';

/**
 * The stories of a report (`mdmlab scenario run --report`, the demo): each one's verdict, its steps
 * with their expectations (what was expected and found when one failed), and each device's mail
 * store before the first step and after the last. The demo's stories sit side by side, one per
 * platform.
 */
export function renderScenarios(report: Report): string {
  const stories = report.scenarios ?? [];
  const sideBySide = report.kind === 'demo' && stories.length > 1;
  // The demo's users (enroll-first, manual-first) get a column each.
  const cases = [...new Set(stories.flatMap((s) => (s.cases ?? []).map((c) => c.name)))];
  const summary = sideBySide
    ? table(
        ['platform', 'story', ...cases.map(esc), 'verdict', ''],
        stories.map((s) => [
          esc(s.platform ?? ''),
          `<a href="#${anchor(s)}">${esc(s.name)}</a>`,
          ...cases.map((name) => esc(s.cases?.find((c) => c.name === name)?.outcome ?? '')),
          `<b>${esc(s.verdict ?? '')}</b>`,
          s.ok ? '<span class="ok">✓</span>' : '<span class="bad">✗</span>',
        ]),
      )
    : '';
  return `<section id="scenarios"><h2>${stories.length > 1 ? 'Stories' : 'Story'}</h2>${summary}
<div class="${sideBySide ? 'stories' : ''}">${stories.map(renderStory).join('\n')}</div></section>`;
}

function renderStory(s: ScenarioSection): string {
  const passed = s.steps.filter((x) => x.ok).length;
  const rows: string[][] = [];
  for (const step of s.steps) {
    rows.push([
      step.ok ? '<span class="ok">✓</span>' : '<span class="bad">✗</span>',
      `<code>${esc(step.line !== undefined ? `${step.path} (line ${step.line})` : step.path)}</code>`,
      esc(step.summary) + (step.error ? `<br><span class="bad">${esc(step.error)}</span>` : '') + (step.notes ?? []).map((n) => `<br><span class="note">${esc(n)}</span>`).join(''),
      `<span class="nowrap">${ms(step.ms)}</span>`,
    ]);
    for (const f of step.failures) rows.push(['', '', `<b>${esc(f.what)}</b><pre>expected: ${esc(show(f.expected))}\nfound:    ${esc(show(f.found))}</pre>`, '']);
  }
  return `<div class="story" id="${anchor(s)}"><h3>${s.ok ? '<span class="ok">✓</span>' : '<span class="bad">✗</span>'} ${esc(s.name)}${s.platform ? ` <span class="sub">· ${esc(s.platform)}</span>` : ''}</h3>
${s.verdict ? `<div class="verdict">${esc(s.verdict)}</div>` : ''}${s.description ? `<p class="note">${esc(s.description)}</p>` : ''}
${s.message ? `<p class="${s.interrupted ? 'bad' : 'note'}">${esc(s.message)}</p>` : ''}
<p class="note">${passed} of ${s.steps.length} steps held · exit code ${s.exitCode}</p>
${table(['', 'step', 'what happened', 'took'], rows)}
${s.devices.map(renderStores).join('\n')}</div>`;
}

function renderStores(d: ScenarioSection['devices'][number]): string {
  return `<h3>${esc(d.id)} <span class="sub">· ${esc(d.platform)}${d.hardwareId ? ` · <code>${esc(d.hardwareId)}</code>` : ''}</span></h3>
<div class="stores"><div><div class="note">mail store before</div>${accounts(d.before)}</div><div><div class="note">mail store after</div>${accounts(d.after)}</div></div>`;
}

function accounts(list: readonly MailAccountView[]): string {
  if (list.length === 0) return '<p class="note">(no accounts)</p>';
  const items = list.map((a) => {
    const kind = [
      a.managed ? `managed${a.profile ? ` by ${a.profile}` : ''}` : 'set up by the user',
      a.replacedUserAccount ? "replaced the user's account" : '',
      a.androidProfile ? `${a.androidProfile} profile` : '',
      a.app ?? '',
    ].filter(Boolean);
    return `<li class="${a.managed ? 'managed' : 'user'}"><b>${esc(a.email)}</b> on ${esc(a.host)}<br><span class="note">${esc(kind.join(' · '))}</span></li>`;
  });
  return `<ul class="accounts">${items.join('')}</ul>`;
}

const anchor = (s: ScenarioSection) => `story-${s.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v, null, 1));

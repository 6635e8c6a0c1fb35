import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { OUTCOMES, type FleetSection, type PlatformReport, type Report } from '../../agents/report/report-model.js';
import { CHART_SCRIPT } from './chart-script.js';
import { esc, ms, num, pct, scriptJson, table } from './html.js';
import { OUTCOME_COLOURS, OUTCOME_MEANING, PLATFORM_COLOURS } from './palette.js';
import { renderScenarios } from './render-scenarios.js';
import { REPORT_CSS } from './styles.js';

/**
 * report.json → one self-contained report.html: the fleet's outcome per platform, enrollments and
 * mail arriving over time, latency histograms and percentiles, the slowest devices, the alerts,
 * errors and the run's parameters and seed; and for scenario runs and the demo, each story's steps
 * and each device's mail store before and after. uPlot (its IIFE build and CSS) is inlined, so the
 * page works offline and can be mailed or attached to a CI job as one file.
 */

const require = createRequire(import.meta.url);
let uplot: { js: string; css: string } | undefined;

function uplotAssets(): { js: string; css: string } {
  uplot ??= {
    // `</script` cannot occur in uPlot's code today; guard anyway so the inlined script never ends early.
    js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8').replace(/<\/script/gi, '<\\/script'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
  return uplot;
}

export function renderReportHtml(report: Report): string {
  const { js, css } = uplotAssets();
  const f = report.fleet;
  const verdict = report.run.interrupted ? ['interrupted', 'INTERRUPTED'] : report.run.exitCode === 0 ? ['pass', 'PASS'] : ['fail', report.run.exitCode === 2 ? 'CANNOT RUN' : 'FAIL'];
  const nav = [
    f && '<a href="#outcomes">Outcomes</a><a href="#timeline">Over time</a><a href="#latency">Latency</a><a href="#slowest">Slowest devices</a><a href="#alerts">Alerts</a><a href="#errors">Errors</a>',
    report.scenarios?.length && '<a href="#scenarios">Stories</a>',
    '<a href="#parameters">Parameters</a>',
  ].filter(Boolean);
  const chartData = f
    ? {
        colours: PLATFORM_COLOURS,
        platforms: f.platforms.map((p) => p.platform),
        timeline: f.timeline,
        latency: Object.fromEntries(f.platforms.map((p) => [p.platform, { enroll: p.latency.enroll.bins, converge: p.latency.converge.bins }])),
      }
    : { colours: PLATFORM_COLOURS, platforms: [], latency: {} };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(report.title)}</title>
<style>${css}</style><style>${REPORT_CSS}</style></head>
<body>
<header><h1>${esc(report.title)}<span class="badge ${verdict[0]}">${verdict[1]}</span></h1>
<div class="sub">${esc(report.kind)} report · started ${esc(report.run.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))} · ran ${esc(ms(report.run.elapsedMs))} · ended: ${esc(report.run.endReason)}${report.run.seed !== undefined ? ` · seed <code>${esc(report.run.seed)}</code>` : ''}</div></header>
<nav>${nav.join('')}</nav>
<main>
${report.run.interrupted ? `<section><strong>This run was interrupted</strong> (${esc(report.run.endReason)}): the report shows what happened until then.</section>` : ''}
${f ? renderFleet(f) : ''}
${report.scenarios?.length ? renderScenarios(report) : ''}
${renderParameters(report)}
</main>
<script type="application/json" id="report-data">${scriptJson(chartData)}</script>
<script>${js}</script>
<script>${CHART_SCRIPT}</script>
</body></html>
`;
}

function renderFleet(f: FleetSection): string {
  const t = f.total;
  const mail = t.outcomes.installed + t.outcomes.replaced;
  const cards = [
    ['devices', num(f.planned)],
    ['enrolled', `${num(t.enrolled)} <span class="sub">${pct(t.enrolled, f.planned)}</span>`],
    ['have their mail', `${num(mail)} <span class="sub">${pct(mail, f.planned)}</span>`],
    ['blocked', num(t.outcomes.blocked)],
    ['waiting', num(t.outcomes.waiting)],
    ['failed', num(t.outcomes.failed + t.enrollFailed)],
    ['enroll p95', ms(t.latency.enroll.p95)],
    ['mail p95', ms(t.latency.converge.p95)],
    ['peak memory', `${num(f.memory.peakRssMb)} MB`],
    ...(f.cpu ? [['simulator CPU', `${num(Math.round(f.cpu.userS + f.cpu.systemS))} s`]] : []),
    ...(f.setupMs !== undefined ? [['setup', ms(f.setupMs)]] : []),
  ];
  return `
${f.expectations.length ? `<section id="expectations"><h2>Expectations</h2>${table(
    ['', 'expectation', 'measured'],
    f.expectations.map((e) => [e.ok ? '<span class="ok">✓ met</span>' : '<span class="bad">✗ not met</span>', `<code>${esc(e.text)}</code>`, esc(e.actual)]),
  )}</section>` : ''}
<section id="summary"><h2>Fleet ${esc(f.runId)} <span class="sub">· ${esc(f.server.kind === 'mdmlab' ? (f.server.embedded ? 'embedded mdmlab server' : `mdmlab server ${f.server.url}`) : `foreign server ${f.server.url}`)}${f.shards.length > 1 || f.shards[0]!.of > 1 ? ` · shards ${esc(f.shards.map((s) => `${s.index}/${s.of}`).join(', '))}` : ''}</span></h2>
<div class="cards">${cards.map(([k, v]) => `<div class="card"><div class="k">${k}</div><div class="v">${v}</div></div>`).join('')}</div></section>
<section id="outcomes"><h2>Outcome per platform</h2>
<div class="legend">${OUTCOMES.map((o) => `<span><i style="background:${OUTCOME_COLOURS[o]}"></i><b>${o}</b>: ${esc(OUTCOME_MEANING[o])}</span>`).join('')}<span><i style="background:#1e293b"></i><b>not enrolled</b>: every enrollment attempt failed</span></div>
${table(
  ['platform', 'devices', 'outcomes', ...OUTCOMES, 'not enrolled', 'set up mail by hand', 'user reactions'],
  [...f.platforms, ...(f.platforms.length > 1 ? [t] : [])].map((p) => [
    `<b>${esc(p.platform)}</b>`,
    num(p.planned),
    outcomeBar(p),
    ...OUTCOMES.map((o) => `${num(p.outcomes[o])}`),
    num(p.enrollFailed),
    num(p.manualFirst),
    reactions(p),
  ]),
)}
<p class="note">Outcomes come from each device's own mail store and answers${f.server.kind === 'mdmlab' ? ", checked against the server's profile state at the end (the server decides)" : ' (a foreign server is not asked)'}.${f.disagreements.length ? ` Device and server disagreed on ${f.disagreements.length} device(s): see below.` : ''}</p>
${f.disagreements.length ? table(['device', 'platform', 'the device says', 'the server says'], f.disagreements.map((d) => [esc(d.device), esc(d.platform), esc(d.deviceSays), esc(d.serverSays)])) : ''}
</section>
<section id="timeline"><h2>Enrollments and mail over time</h2><div class="note">Cumulative devices enrolled (solid), devices whose managed account arrived (dashed), and devices whose profile was ever blocked or failed (dotted), per platform; buckets of ${esc(ms(f.timeline.bucketMs))}.</div><div class="chart" id="chart-timeline"></div></section>
<section id="latency"><h2>Latency</h2>
<div class="note">Enrollment: from the first attempt until the device was enrolled. Mail: from the first enrollment attempt until the managed account was on the device (includes a blocked user's time to react). The histograms stack the platforms: a bar is every device in that bin, a band one platform's share.</div>
${table(
  ['platform', 'enroll p50', 'p95', 'p99', 'max', 'mail p50', 'p95', 'p99', 'max', 'samples'],
  [...f.platforms, ...(f.platforms.length > 1 ? [t] : [])].map((p) => {
    const e = p.latency.enroll;
    const c = p.latency.converge;
    return [`<b>${esc(p.platform)}</b>`, ms(e.p50), ms(e.p95), ms(e.p99), ms(e.max), ms(c.p50), ms(c.p95), ms(c.p99), ms(c.max), `${num(e.count)} / ${num(c.count)}`];
  }),
)}
<div class="charts"><div><h3>Enrollment latency</h3><div class="chart" id="chart-latency-enroll"></div></div><div><h3>Time until the mail arrived</h3><div class="chart" id="chart-latency-converge"></div></div></div></section>
<section id="slowest"><h2>Slowest devices</h2><div class="note">Devices that never got their mail first, then by time until it arrived.</div>
${table(
  ['device', 'platform', 'outcome', 'set up mail by hand', 'enrolled after', 'mail after', 'attempts', 'hardware id'],
  f.slowest.map((d) => [esc(d.id), esc(d.platform), `<span style="color:${OUTCOME_COLOURS[d.outcome]};font-weight:600">${esc(d.outcome)}</span>`, d.manualFirst ? 'yes' : '', ms(d.enrollMs), ms(d.convergeMs), num(d.attempts), `<code>${esc(d.hardwareId ?? '')}</code>`]),
) || '<p class="note">No device enrolled.</p>'}</section>
<section id="alerts"><h2>Alerts raised</h2>
${!f.alerts.available ? '<p class="note">A foreign server\'s alerts are not known to the fleet.</p>' : Object.keys(f.alerts.byKind).length === 0 ? '<p>None.</p>' : `${table(['kind', 'count'], Object.entries(f.alerts.byKind).map(([k, n]) => [`<b>${esc(k)}</b>`, num(n)]))}
${table(['device', 'kind', 'message'], f.alerts.items.map((a) => [`<span class="nowrap">${esc(a.device)}</span>`, esc(a.kind), esc(a.message)]))}${f.alerts.truncated ? `<p class="note">… and ${num(f.alerts.truncated)} more.</p>` : ''}`}</section>
<section id="errors"><h2>Errors and answers</h2>
${table(['platform', 'error (ids and numbers folded)', 'count'], f.platforms.flatMap((p) => Object.entries(p.errors).sort((a, b) => b[1] - a[1]).map(([k, n]) => [esc(p.platform), esc(k), num(n)]))) || '<p>No errors.</p>'}
<h3>Commands answered</h3>
${table(['platform', 'answer', 'count'], f.platforms.flatMap((p) => Object.entries(p.commands).sort((a, b) => b[1] - a[1]).map(([k, n]) => [esc(p.platform), esc(k), num(n)]))) || '<p class="note">None.</p>'}
<h3>Enrollment</h3>
${table(['platform', 'attempts', 'enrolled after a retry', 'gave up'], f.platforms.map((p) => [esc(p.platform), num(p.enrollAttempts), num(p.enrollRetried), num(p.enrollFailed)]))}
</section>`;
}

function outcomeBar(p: PlatformReport): string {
  const segments = OUTCOMES.filter((o) => p.outcomes[o] > 0).map((o) => `<span title="${o}: ${p.outcomes[o]}" style="width:${(100 * p.outcomes[o]) / p.planned}%;background:${OUTCOME_COLOURS[o]}"></span>`);
  if (p.enrollFailed > 0) segments.push(`<span title="not enrolled: ${p.enrollFailed}" style="width:${(100 * p.enrollFailed) / p.planned}%;background:#1e293b"></span>`);
  return `<div class="bar">${segments.join('')}</div>`;
}

function reactions(p: PlatformReport): string {
  const parts = [p.reactions.removedAccount && `${num(p.reactions.removedAccount)} removed a blocking account`, p.reactions.installedApp && `${num(p.reactions.installedApp)} installed the work app`].filter(Boolean);
  // One reaction a line, each kept whole: the column stays readable beside the wide outcome bar.
  return parts.map((part) => `<span class="nowrap">${part}</span>`).join('<br>');
}

function renderParameters(r: Report): string {
  const rows = Object.entries(r.run.parameters).map(([k, v]) => [`<code>${esc(k)}</code>`, `<code>${esc(typeof v === 'string' ? v : JSON.stringify(v))}</code>`]);
  return `<section id="parameters"><h2>Parameters</h2>
${table(['parameter', 'value'], [...rows, ...(r.run.seed !== undefined ? [['<code>seed</code>', `<code>${esc(r.run.seed)}</code>`]] : [])])}
<p class="note">Written by ${esc(r.tool.name)} ${esc(r.tool.version)} on Node ${esc(r.tool.node)} at ${esc(r.generatedAt)} · report schema ${esc(r.schema)} v${r.version} · exit code ${r.run.exitCode}.</p></section>`;
}

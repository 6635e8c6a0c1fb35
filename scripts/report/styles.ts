/** The report's own CSS (uPlot's stylesheet is inlined next to it). Light, print-friendly, no web fonts. */
export const REPORT_CSS = `
:root { --fg: #0f172a; --muted: #64748b; --line: #e2e8f0; --bg: #f8fafc; --ok: #16a34a; --bad: #dc2626; --warn: #d97706; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 20px 32px 12px; background: #fff; border-bottom: 1px solid var(--line); }
h1 { margin: 0 0 4px; font-size: 22px; }
h2 { margin: 0 0 12px; font-size: 17px; }
h3 { margin: 16px 0 8px; font-size: 15px; }
.sub { color: var(--muted); }
nav { padding: 8px 32px; background: #fff; border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 2; }
nav a { margin-right: 16px; color: var(--fg); text-decoration: none; font-weight: 500; }
nav a:hover { text-decoration: underline; }
main { padding: 16px 32px 48px; max-width: 1440px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin: 16px 0; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; color: #fff; font-weight: 600; font-size: 13px; vertical-align: middle; margin-left: 8px; }
.badge.pass { background: var(--ok); } .badge.fail { background: var(--bad); } .badge.interrupted { background: var(--warn); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.card .v { font-size: 22px; font-weight: 650; }
.card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
td.num, th.num { text-align: right; }
.ok { color: var(--ok); font-weight: 600; } .bad { color: var(--bad); font-weight: 600; }
.bar { display: flex; height: 18px; border-radius: 4px; overflow: hidden; background: var(--line); min-width: 160px; }
.bar span { display: block; height: 100%; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin: 8px 0; color: var(--muted); font-size: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
.chart { margin: 8px 0 4px; min-height: 40px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 16px; }
.note { color: var(--muted); font-size: 12px; }
pre { margin: 0; white-space: pre-wrap; word-break: break-word; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
.stores { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 12px; }
.accounts { list-style: none; margin: 4px 0; padding: 0; }
.accounts li { border: 1px solid var(--line); border-left: 4px solid #94a3b8; border-radius: 4px; padding: 4px 8px; margin: 0 0 6px; overflow-wrap: anywhere; }
.accounts li.managed { border-left-color: #16a34a; }
.nowrap { white-space: nowrap; }
.stories { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
.story { min-width: 0; }
.story { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.story .verdict { font-weight: 600; margin: 4px 0 8px; }
tr.failure td { background: #fef2f2; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; background: #f1f5f9; padding: 1px 4px; border-radius: 3px; }
@media print { nav { display: none; } section { break-inside: avoid; } }
`;

/**
 * The live page of `mdmlab demo --serve`: one self-contained HTML document (no CDN, no framework)
 * that reads the demo's events from /events (EventSource) and draws a card per platform with its
 * steps, its devices' mail stores as they change and its verdict, then links the final report.
 * Every text from an event is set with textContent, never as HTML.
 */
export const LIVE_PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>mdmlab demo · live</title>
<style>
:root { --fg:#0f172a; --muted:#64748b; --line:#e2e8f0; --ok:#16a34a; --bad:#dc2626; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:#f8fafc; }
header { padding:16px 24px; background:#fff; border-bottom:1px solid var(--line); }
h1 { margin:0; font-size:20px; } .sub { color:var(--muted); }
main { display:grid; grid-template-columns:repeat(auto-fit,minmax(280px,1fr)); gap:16px; padding:16px 24px; }
.card { background:#fff; border:1px solid var(--line); border-radius:8px; padding:12px 14px; min-width:0; }
.card h2 { margin:0 0 6px; font-size:16px; } .card.done-ok { border-top:4px solid var(--ok); } .card.done-bad { border-top:4px solid var(--bad); }
ol { list-style:none; margin:0; padding:0; } li { margin:2px 0; overflow-wrap:anywhere; }
.ok { color:var(--ok); font-weight:600; } .bad { color:var(--bad); font-weight:600; }
.store { margin:2px 0 2px 18px; font:12px ui-monospace,SFMono-Regular,Menlo,monospace; color:#334155; }
.verdict { margin-top:8px; font-weight:600; } .problem { margin-left:18px; color:var(--bad); font-size:12px; }
#end { padding:0 24px 24px; font-size:16px; }
</style></head><body>
<header><h1>mdmlab demo: enroll before you set up mail</h1><div class="sub" id="status">connecting…</div></header>
<main id="cards"></main>
<div id="end"></div>
<script>
(function () {
  var cards = {};
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
  function card(platform, label) {
    if (!cards[platform]) {
      var c = el('section', 'card'); c.appendChild(el('h2', '', label || platform));
      var list = el('ol'); c.appendChild(list);
      document.getElementById('cards').appendChild(c);
      cards[platform] = { root: c, list: list };
    }
    return cards[platform];
  }
  var source = new EventSource('/events');
  source.onopen = function () { document.getElementById('status').textContent = 'following the demo as it plays'; };
  source.onmessage = function (m) {
    var e = JSON.parse(m.data), li;
    if (e.type === 'begin') {
      // A reconnected stream starts again from the beginning: draw it afresh.
      cards = {}; document.getElementById('cards').textContent = ''; document.getElementById('end').textContent = '';
      document.getElementById('status').textContent = 'against ' + e.server;
      e.stories.forEach(function (s) { card(s.platform, s.label); });
    } else if (e.type === 'story') {
      var c = card(e.platform, e.label);
      if (e.description) c.root.insertBefore(el('p', 'sub', e.description), c.list);
    } else if (e.type === 'step') {
      li = el('li'); li.appendChild(el('span', e.ok ? 'ok' : 'bad', e.ok ? '✓ ' : '✗ ')); li.appendChild(document.createTextNode(e.summary));
      card(e.platform).list.appendChild(li);
      e.problems.forEach(function (p) { card(e.platform).list.appendChild(el('li', 'problem', p)); });
    } else if (e.type === 'store') {
      card(e.platform).list.appendChild(el('li', 'store', e.device + (e.role ? ' [' + e.role + ']' : '') + '  ' + e.text));
    } else if (e.type === 'verdict') {
      var v = card(e.platform, e.label);
      v.root.className = 'card ' + (e.ok ? 'done-ok' : 'done-bad');
      v.root.appendChild(el('div', 'verdict ' + (e.ok ? 'ok' : 'bad'), (e.ok ? '✓ ' : '✗ ') + e.verdict));
      v.root.appendChild(el('div', 'sub', 'enroll-first: ' + e.enrollFirst));
      v.root.appendChild(el('div', 'sub', 'manual-first: ' + e.manualFirst));
    } else if (e.type === 'end') {
      var end = document.getElementById('end');
      end.appendChild(el('span', e.ok ? 'ok' : 'bad', e.interrupted ? 'Interrupted. ' : e.ok ? 'Every story played as expected. ' : 'A story did not play as expected. '));
      if (e.report) { var a = el('a', '', 'Open the report'); a.href = '/report.html'; end.appendChild(a); }
      document.getElementById('status').textContent = 'the demo has ended';
      source.close();
    }
  };
  source.onerror = function () { document.getElementById('status').textContent = 'the demo is no longer running'; };
})();
</script></body></html>
`;

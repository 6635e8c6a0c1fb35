/**
 * The page's own script (plain browser JavaScript, inlined after uPlot): draws the charts from the
 * JSON the page carries in `<script id="report-data">`. Tables are rendered on the server side, so
 * the page reads without it; the charts need it.
 */
export const CHART_SCRIPT = String.raw`
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var colours = data.colours;
  function width(el) { return Math.max(320, el.clientWidth || 640); }
  function alpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16 & 255) + ',' + (n >> 8 & 255) + ',' + (n & 255) + ',' + a + ')';
  }
  function fmtMs(v) {
    if (v < 1000) return v + ' ms';
    if (v < 60000) return (v / 1000) + ' s';
    return (v / 60000) + ' min';
  }

  // Enrollments and devices with their mail over time: cumulative counts per platform.
  var t = data.timeline;
  var el = document.getElementById('chart-timeline');
  if (t && el) {
    var names = Object.keys(t.series);
    var len = 0;
    names.forEach(function (n) { len = Math.max(len, t.series[n].length); });
    if (len > 0) {
      var xs = [0];
      for (var i = 1; i <= len; i++) xs.push(i * t.bucketMs / 1000);
      var cols = [xs];
      var series = [{ label: 'seconds since start' }];
      data.platforms.forEach(function (p) {
        [['enrolled', 'enrolled', []], ['converged', 'have their mail', [6, 4]], ['blocked', 'were blocked', [2, 3]], ['failed', 'failed', [1, 5]]].forEach(function (kind) {
          var counts = t.series[p + '.' + kind[0]];
          if (!counts) return;
          var acc = 0, ys = [0];
          for (var j = 0; j < len; j++) { acc += counts[j] || 0; ys.push(acc); }
          cols.push(ys);
          series.push({ label: p + ' ' + kind[1], stroke: colours[p] || '#334155', width: 2, dash: kind[2] });
        });
      });
      if (cols.length > 1) {
        new uPlot({ width: width(el), height: 300, scales: { x: { time: false } },
          axes: [{ label: 'seconds since the run started' }, { label: 'devices' }], series: series }, cols, el);
      }
    }
  }

  // Latency histograms: devices per latency bin (1-2-5 log bins), stacked by platform. Each
  // platform's bar is drawn as the running total up to it, tallest first, so the ones after sit in
  // front of it and each band's height is that platform's count (the legend shows the count itself).
  function fmtRange(from, to) {
    if (to < 1000) return from + '–' + to + ' ms';
    if (from >= 1000 && to < 60000) return (from / 1000) + '–' + (to / 1000) + ' s';
    return fmtMs(from) + '–' + fmtMs(to);
  }
  ['enroll', 'converge'].forEach(function (kind) {
    var box = document.getElementById('chart-latency-' + kind);
    if (!box) return;
    var froms = {};
    data.platforms.forEach(function (p) {
      (data.latency[p] && data.latency[p][kind] || []).forEach(function (b) { froms[b.from] = b.to; });
    });
    var edges = Object.keys(froms).map(Number).sort(function (a, b) { return a - b; });
    if (edges.length === 0) { box.textContent = 'no samples'; return; }
    var labels = edges.map(function (f) { return fmtRange(f, froms[f]); });
    var cols = [edges.map(function (_, i) { return i; })];
    var series = [{ label: 'latency' }];
    var total = edges.map(function () { return 0; });
    var stacks = [];
    data.platforms.forEach(function (p) {
      var bins = data.latency[p] && data.latency[p][kind] || [];
      if (bins.length === 0) return;
      var byFrom = {};
      bins.forEach(function (b) { byFrom[b.from] = b.count; });
      var counts = edges.map(function (f) { return byFrom[f] || 0; });
      total = total.map(function (t, i) { return t + counts[i]; });
      stacks.push({ platform: p, counts: counts, top: total.slice() });
    });
    stacks.reverse().forEach(function (s) {
      cols.push(s.top);
      series.push({ label: s.platform, stroke: colours[s.platform] || '#334155', fill: alpha(colours[s.platform] || '#334155', 0.85), width: 1,
        paths: uPlot.paths.bars({ size: [0.85, 80] }), points: { show: false },
        value: function (u, v, si, i) { return i == null ? '--' : String(s.counts[i]); } });
    });
    new uPlot({ width: width(box), height: 260,
      scales: { x: { time: false, range: [-0.5, edges.length - 0.5] } },
      axes: [{ label: kind === 'enroll' ? 'enrollment latency' : 'time until the mail arrived',
               values: function (u, splits) { return splits.map(function (i) { return Number.isInteger(i) ? (labels[i] || '') : ''; }); } },
             { label: 'devices' }],
      series: series }, cols, box);
  });
})();
`;

import type { AuditReport } from './report.js';

/**
 * The self-contained HTML report: one file, inline CSS and inline SVG charts drawn here (no
 * script, no fonts, no images to fetch), and a Content-Security-Policy that forbids every network
 * load, so opening it from disk never reaches out. Every number drawn carries `data-value`, so a
 * test can read the page and compare it with report.json.
 */

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

interface Bar {
  readonly key: string;
  readonly label: string;
  readonly value: number;
  readonly color?: string;
}

const TOP = 20;

/** Keeps the largest bars and folds the rest into one "others" bar, so a chart stays readable. */
function top(entries: [string, number][], label: (k: string) => string = (k) => k): Bar[] {
  const sorted = [...entries].sort((a, b) => b[1] - a[1]);
  const bars: Bar[] = sorted.slice(0, TOP).map(([k, v]) => ({ key: k, label: label(k), value: v }));
  const rest = sorted.slice(TOP);
  if (rest.length > 0) bars.push({ key: '(others)', label: `${rest.length} others`, value: rest.reduce((s, [, v]) => s + v, 0) });
  return bars;
}

/** A horizontal bar chart. */
function barChart(id: string, title: string, bars: readonly Bar[], color = '#3b6fd8'): string {
  if (bars.length === 0) return `<section class="chart" id="${id}"><h2>${esc(title)}</h2><p class="empty">nothing to show</p></section>`;
  const max = Math.max(...bars.map((b) => b.value), 1);
  const labelW = 260;
  const barW = 420;
  const rowH = 24;
  const height = bars.length * rowH + 8;
  const rows = bars
    .map((b, i) => {
      const y = i * rowH + 4;
      const w = Math.max(2, Math.round((b.value / max) * barW));
      return (
        `<g class="bar" data-key="${esc(b.key)}">` +
        `<text x="${labelW - 8}" y="${y + 16}" text-anchor="end" class="label">${esc(b.label.length > 36 ? `${b.label.slice(0, 35)}…` : b.label)}</text>` +
        `<rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 6}" rx="3" fill="${b.color ?? color}"><title>${esc(b.label)}: ${fmt(b.value)}</title></rect>` +
        `<text x="${labelW + w + 6}" y="${y + 16}" class="value" data-value="${b.value}">${fmt(b.value)}</text></g>`
      );
    })
    .join('');
  return `<section class="chart" id="${id}"><h2>${esc(title)}</h2><svg role="img" aria-label="${esc(title)}" width="${labelW + barW + 90}" height="${height}" viewBox="0 0 ${labelW + barW + 90} ${height}">${rows}</svg></section>`;
}

/** Width in pixels of a 12px label of `chars` characters (a generous estimate for system fonts). */
function labelWidth(chars: number): number {
  return chars * 7.2 + 6;
}

/**
 * A column chart over days, in date order. Labels never overlap: a value is written above its
 * column only when the column is wide enough for it, and dates are written under every k-th
 * column, k chosen so two dates are always at least one label width apart. Every value stays in
 * the column's tooltip and in `data-value`.
 */
function dayChart(id: string, title: string, days: Record<string, number>): string {
  const entries = Object.entries(days).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  if (entries.length === 0) return `<section class="chart" id="${id}"><h2>${esc(title)}</h2><p class="empty">nothing to show</p></section>`;
  const max = Math.max(...entries.map(([, v]) => v), 1);
  const colW = Math.max(4, Math.min(96, Math.floor(760 / entries.length)));
  const chartH = 180;
  // Room on the left for the largest count, the y axis label.
  const left = Math.max(40, Math.ceil(labelWidth(fmt(max).length)) + 12);
  const width = left + entries.length * colW + 48;
  const valueFits = entries.every(([, v]) => labelWidth(fmt(v).length) <= colW);
  const dateW = labelWidth(10) + 10;
  const step = Math.max(1, Math.ceil(dateW / colW));
  const cols = entries
    .map(([day, v], i) => {
      const h = Math.max(2, Math.round((v / max) * chartH));
      const x = left + i * colW;
      const tick =
        i % step === 0
          ? `<line x1="${x + colW / 2}" x2="${x + colW / 2}" y1="${chartH + 20}" y2="${chartH + 25}" class="tick"/><text x="${x + colW / 2}" y="${chartH + 40}" text-anchor="middle" class="label date">${esc(day)}</text>`
          : '';
      return (
        `<g class="bar" data-key="${esc(day)}"><rect x="${x + 1}" y="${chartH - h + 20}" width="${Math.max(1, colW - 2)}" height="${h}" fill="#2a9d8f"><title>${esc(day)}: ${fmt(v)}</title></rect>` +
        `<text class="value" data-value="${v}" x="${x + colW / 2}" y="${chartH - h + 14}" text-anchor="middle"${valueFits ? '' : ' visibility="hidden"'}>${fmt(v)}</text>${tick}</g>`
      );
    })
    .join('');
  // The y axis: zero and the largest count, so columns can be read when their values are hidden.
  const axis =
    `<line x1="${left - 4}" x2="${width - 40}" y1="${chartH + 20}" y2="${chartH + 20}" class="tick"/>` +
    `<text x="${left - 8}" y="${chartH + 24}" text-anchor="end" class="label">0</text>` +
    `<text x="${left - 8}" y="${24}" text-anchor="end" class="label">${fmt(max)}</text>`;
  const note =
    step > 1 || !valueFits
      ? `<p class="empty">${valueFits ? '' : 'Hover a column for its count. '}${step > 1 ? `One day in ${step} is labelled.` : ''}</p>`
      : '';
  return `<section class="chart" id="${id}"><h2>${esc(title)}</h2><svg role="img" aria-label="${esc(title)}" width="${width}" height="${chartH + 52}" viewBox="0 0 ${width} ${chartH + 52}">${axis}${cols}</svg>${note}</section>`;
}

/** Renders the report as one HTML document. */
export function renderReportHtml(report: AuditReport): string {
  const verdicts: Bar[] = [
    { key: 'valid', label: 'valid', value: report.valid, color: '#2a9d8f' },
    { key: 'invalid', label: 'invalid', value: report.invalid, color: '#d1495b' },
  ];
  const at = (p: { line: number; file?: string }): string => (p.file === undefined ? `line ${p.line}` : `${p.file}:${p.line}`);
  const failures = report.failures.slice(0, 500);
  const failureRows = failures
    .map(
      (f) => `<tr><td>${esc(at(f))}</td><td>${f.turn ?? ''}</td><td><code>${esc(f.code)}</code></td><td>${esc(f.message ?? '')}</td></tr>`,
    )
    .join('');
  const more = report.failures.length - failures.length + report.failuresOmitted;
  const replays = report.replays;
  const replayRows = replays.top
    .slice(0, 50)
    .map(
      (r) =>
        `<tr><td><code>${esc(r.envelope)}</code></td><td data-value="${r.count}">${fmt(r.count)}</td><td>${esc(r.first.map(at).join(', '))}</td></tr>`,
    )
    .join('');
  const replaySection =
    replays.repeated === 0
      ? `<section class="chart" id="replays"><h2>Replays</h2><p class="empty">No envelope appears twice: ${fmt(replays.distinct)} distinct sealed answers.</p></section>`
      : `<section class="chart" id="replays"><h2>Replays</h2><p><b>${fmt(replays.repeated)}</b> envelope${replays.repeated === 1 ? '' : 's'} appear on more than one record (${fmt(replays.extraCopies)} extra copies): the ${fmt(report.valid)} valid verdicts cover only <b>${fmt(replays.distinct)}</b> distinct sealed answers. A dataset padded with copies proves less than its size suggests.</p><table><thead><tr><th>envelope (SHA-256, first 96 bits)</th><th>copies</th><th>first places</th></tr></thead><tbody>${replayRows}</tbody></table></section>`;
  const tile = (id: string, label: string, value: number): string =>
    `<div class="tile" id="${id}"><div class="n" data-value="${value}">${fmt(value)}</div><div class="l">${esc(label)}</div></div>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Signet audit: ${esc(report.dataset)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;color:#1d2430;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:0 0 8px}.meta{color:#5b6575;margin-bottom:18px}
.tiles{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0 20px}.tile{border:1px solid #d8dee8;border-radius:8px;padding:10px 16px;min-width:120px}
.tile .n{font-size:24px;font-weight:600}.tile .l{color:#5b6575}#tile-invalid .n{color:#d1495b}#tile-valid .n{color:#2a9d8f}
.chart{border:1px solid #e3e8f0;border-radius:8px;padding:12px 16px;margin:0 0 16px;overflow-x:auto}
svg .label{font-size:12px;fill:#3a4456}svg .tick{stroke:#9aa3b2;stroke-width:1}svg .value{font-size:12px;fill:#1d2430}.empty{color:#8a93a3}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{border-bottom:1px solid #e3e8f0;padding:4px 8px;text-align:left;vertical-align:top}
code{font-size:12px}
</style></head>
<body>
<h1>Signet audit report</h1>
<div class="meta">Dataset <b>${esc(report.dataset)}</b> · ${fmt(report.records)} records · generated ${esc(report.generatedAt)} · ${fmt(report.rate)} verdicts/s on ${report.threads === 0 ? 'one thread' : `${report.threads} worker threads`}</div>
<div class="tiles">${tile('tile-total', 'verdicts', report.total)}${tile('tile-valid', 'valid', report.valid)}${tile('tile-invalid', 'invalid', report.invalid)}${tile('tile-distinct', 'distinct sealed answers', replays.distinct)}</div>
${barChart('chart-verdicts', 'Verdicts', verdicts)}
${barChart('chart-failures', 'Failure reasons', top(Object.entries(report.byCode) as [string, number][]), '#d1495b')}
${barChart('chart-accounts', 'Valid records per account tag', top(Object.entries(report.byAccount)))}
${barChart('chart-terms', 'Valid records per terms version', top(Object.entries(report.byTerms)), '#7b5ea7')}
${dayChart('chart-days', 'Valid records per day (UTC, issue time)', report.byDay)}
${replaySection}
<section class="chart" id="failures"><h2>Failures by line</h2>
${failures.length === 0 ? '<p class="empty">no failures</p>' : `<table><thead><tr><th>place</th><th>turn</th><th>code</th><th>message</th></tr></thead><tbody>${failureRows}</tbody></table>`}
${more > 0 ? `<p class="empty">${fmt(more)} more in report.json</p>` : ''}
</section>
</body></html>
`;
}

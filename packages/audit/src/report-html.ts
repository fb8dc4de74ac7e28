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

/** A column chart over days, in date order. */
function dayChart(id: string, title: string, days: Record<string, number>): string {
  const entries = Object.entries(days).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  if (entries.length === 0) return `<section class="chart" id="${id}"><h2>${esc(title)}</h2><p class="empty">nothing to show</p></section>`;
  const max = Math.max(...entries.map(([, v]) => v), 1);
  const colW = Math.max(6, Math.min(48, Math.floor(760 / entries.length)));
  const chartH = 180;
  const width = entries.length * colW + 60;
  const cols = entries
    .map(([day, v], i) => {
      const h = Math.max(2, Math.round((v / max) * chartH));
      const x = 40 + i * colW;
      return (
        `<g class="bar" data-key="${esc(day)}"><rect x="${x + 1}" y="${chartH - h + 20}" width="${colW - 2}" height="${h}" fill="#2a9d8f"><title>${esc(day)}: ${fmt(v)}</title></rect>` +
        `<text class="value" data-value="${v}" x="${x + colW / 2}" y="${chartH - h + 14}" text-anchor="middle"${entries.length > 31 ? ' visibility="hidden"' : ''}>${fmt(v)}</text></g>`
      );
    })
    .join('');
  const first = entries[0]?.[0] ?? '';
  const last = entries[entries.length - 1]?.[0] ?? '';
  const axis = `<text x="40" y="${chartH + 38}" class="label">${esc(first)}</text><text x="${width - 20}" y="${chartH + 38}" text-anchor="end" class="label">${esc(last)}</text>`;
  return `<section class="chart" id="${id}"><h2>${esc(title)}</h2><svg role="img" aria-label="${esc(title)}" width="${width}" height="${chartH + 48}" viewBox="0 0 ${width} ${chartH + 48}">${cols}${axis}</svg></section>`;
}

/** Renders the report as one HTML document. */
export function renderReportHtml(report: AuditReport): string {
  const verdicts: Bar[] = [
    { key: 'valid', label: 'valid', value: report.valid, color: '#2a9d8f' },
    { key: 'invalid', label: 'invalid', value: report.invalid, color: '#d1495b' },
  ];
  const failures = report.failures.slice(0, 500);
  const failureRows = failures
    .map((f) => `<tr><td>${f.line}</td><td>${f.turn ?? ''}</td><td><code>${esc(f.code)}</code></td><td>${esc(f.message ?? '')}</td></tr>`)
    .join('');
  const more = report.failures.length - failures.length + report.failuresOmitted;
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
.tiles{display:flex;gap:12px;margin:12px 0 20px}.tile{border:1px solid #d8dee8;border-radius:8px;padding:10px 16px;min-width:120px}
.tile .n{font-size:24px;font-weight:600}.tile .l{color:#5b6575}#tile-invalid .n{color:#d1495b}#tile-valid .n{color:#2a9d8f}
.chart{border:1px solid #e3e8f0;border-radius:8px;padding:12px 16px;margin:0 0 16px;overflow-x:auto}
svg .label{font-size:12px;fill:#3a4456}svg .value{font-size:12px;fill:#1d2430}.empty{color:#8a93a3}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{border-bottom:1px solid #e3e8f0;padding:4px 8px;text-align:left;vertical-align:top}
code{font-size:12px}
</style></head>
<body>
<h1>Signet audit report</h1>
<div class="meta">Dataset <b>${esc(report.dataset)}</b> · ${fmt(report.records)} records · generated ${esc(report.generatedAt)} · ${fmt(report.rate)} verdicts/s on ${report.threads === 0 ? 'one thread' : `${report.threads} worker threads`}</div>
<div class="tiles">${tile('tile-total', 'verdicts', report.total)}${tile('tile-valid', 'valid', report.valid)}${tile('tile-invalid', 'invalid', report.invalid)}</div>
${barChart('chart-verdicts', 'Verdicts', verdicts)}
${barChart('chart-failures', 'Failure reasons', top(Object.entries(report.byCode) as [string, number][]), '#d1495b')}
${barChart('chart-accounts', 'Valid records per account tag', top(Object.entries(report.byAccount)))}
${barChart('chart-terms', 'Valid records per terms version', top(Object.entries(report.byTerms)), '#7b5ea7')}
${dayChart('chart-days', 'Valid records per day (UTC, issue time)', report.byDay)}
<section class="chart" id="failures"><h2>Failures by line</h2>
${failures.length === 0 ? '<p class="empty">no failures</p>' : `<table><thead><tr><th>line</th><th>turn</th><th>code</th><th>message</th></tr></thead><tbody>${failureRows}</tbody></table>`}
${more > 0 ? `<p class="empty">${fmt(more)} more in report.json</p>` : ''}
</section>
</body></html>
`;
}

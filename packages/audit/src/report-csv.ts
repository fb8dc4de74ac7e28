import type { AuditReport } from './report.js';

/**
 * report.csv: the report's counts as one table a spreadsheet opens, `section,key,count,detail`.
 * Sections: `summary`, `account`, `terms`, `day`, `issuer`, `model`, `layout`, `failure-code`,
 * `replay` (key: envelope id; detail: its first places) and `failure` (key: file:line; detail: code).
 */

/** Quotes a CSV cell (RFC 4180) and defuses cells a spreadsheet would run as a formula. */
export function csvCell(value: string | number): string {
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function row(section: string, key: string, count: number | string, detail = ''): string {
  return `${csvCell(section)},${csvCell(key)},${csvCell(count)},${csvCell(detail)}`;
}

/** Renders the report as CSV (with a header row, CRLF line ends as RFC 4180 asks). */
export function renderReportCsv(report: AuditReport): string {
  const rows = [row('section', 'key', 'count', 'detail')];
  const summary: [string, number][] = [
    ['records', report.records],
    ['verdicts', report.total],
    ['valid', report.valid],
    ['invalid', report.invalid],
    ['distinct-envelopes', report.replays.distinct],
    ['repeated-envelopes', report.replays.repeated],
    ['extra-copies', report.replays.extraCopies],
  ];
  for (const [k, v] of summary) rows.push(row('summary', k, v));
  const maps: [string, Record<string, number>][] = [
    ['account', report.byAccount],
    ['terms', report.byTerms],
    ['day', report.byDay],
    ['issuer', report.byIssuer],
    ['model', report.byModel],
    ['layout', report.byLayout],
    ['failure-code', report.byCode as Record<string, number>],
  ];
  for (const [section, map] of maps) for (const [k, v] of Object.entries(map)) rows.push(row(section, k, v));
  const at = (p: { line: number; file?: string }): string => (p.file === undefined ? String(p.line) : `${p.file}:${p.line}`);
  for (const r of report.replays.top) rows.push(row('replay', r.envelope, r.count, r.first.map(at).join(' ')));
  for (const f of report.failures) rows.push(row('failure', `${at(f)}${f.turn === undefined ? '' : `#${f.turn}`}`, 1, f.code));
  return `${rows.join('\r\n')}\r\n`;
}

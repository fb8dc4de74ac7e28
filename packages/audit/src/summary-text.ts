import type { AttributionSummary } from './attribution-report.js';
import type { AuditReport } from './report.js';

/**
 * The terminal summaries of `signet audit` and `signet attribute`, as plain text. Every string that
 * comes from the data (dataset name, account tags, ids, file names) goes through `show`, which the
 * CLI gives as its terminal escaper, so a field cannot carry a live escape sequence.
 */

/** Escapes one untrusted string for the terminal. */
export type Show = (text: string) => string;

const n = (v: number): string => v.toLocaleString('en-US');
const col = (v: number): string => String(v).padStart(8);

/** The summary of an audit run, ending with `wrote FILE` for each file written. */
export function auditSummaryText(report: AuditReport, files: readonly string[], show: Show): string {
  const lines = [
    `audited ${show(report.dataset)}: ${n(report.records)} records, ${n(report.total)} verdicts in ${(report.durationMs / 1000).toFixed(1)} s (${n(report.rate)}/s, ${report.threads === 0 ? 'one thread' : `${report.threads} threads`})`,
    `  valid   ${n(report.valid)}`,
    `  invalid ${n(report.invalid)}`,
  ];
  if (report.outcome === 'nothing-verified') lines.push('nothing verified: the dataset holds no record (exit code 1)');
  const r = report.replays;
  if (r.repeated > 0)
    lines.push(
      `replays: ${n(r.repeated)} envelope${r.repeated === 1 ? ' appears' : 's appear'} on more than one record (${n(r.extraCopies)} extra copies): ${n(r.distinct)} distinct sealed answers`,
    );
  const codes = Object.entries(report.byCode);
  if (codes.length > 0) lines.push('failure reasons:', ...codes.slice(0, 10).map(([c, v]) => `  ${col(v)}  ${c}`));
  const accounts = Object.entries(report.byAccount);
  if (accounts.length > 0) {
    lines.push(`accounts (${accounts.length}, by account tag):`, ...accounts.slice(0, 5).map(([t, v]) => `  ${col(v)}  ${show(t)}`));
    if (accounts.length > 5) lines.push(`  ... ${accounts.length - 5} more`);
  }
  const terms = Object.entries(report.byTerms);
  if (terms.length > 0) lines.push('terms:', ...terms.slice(0, 5).map(([t, v]) => `  ${col(v)}  ${show(t)}`));
  if (report.failures.length > 0) {
    const at = (f: AuditReport['failures'][number]): string => (f.file === undefined ? `line ${f.line}` : `${show(f.file)} line ${f.line}`);
    lines.push(
      'first failures:',
      ...report.failures.slice(0, 5).map((f) => `  ${at(f)}${f.turn === undefined ? '' : ` turn ${f.turn}`}: ${f.code}`),
    );
  }
  for (const f of files) lines.push(`wrote ${show(f)}`);
  return `${lines.join('\n')}\n`;
}

/** The summary of an attribution run: verdicts, best matches per method, suspects per account. */
export function attributionSummaryText(s: AttributionSummary, show: Show): string {
  const verdicts = Object.entries(s.byVerdict).map(([k, v]) => `${n(v)} ${k}`);
  const lines = [
    `attributed ${n(s.matched)} of ${n(s.total)} suspect texts${s.errors > 0 ? ` (${n(s.errors)} unreadable)` : ''}${verdicts.length > 0 ? `: ${verdicts.join(', ')}` : ''}`,
  ];
  const methods = Object.entries(s.byMethod);
  if (methods.length > 0) lines.push('by match method:', ...methods.map(([m, v]) => `  ${col(v)}  ${show(m)}`));
  const accounts = Object.entries(s.byAccount);
  if (accounts.length > 0) {
    lines.push(
      `by account (${accounts.length}; suspects naming it, as best match):`,
      ...accounts.slice(0, 10).map(([a, c]) => `  ${col(c.suspects)}  ${col(c.best)}  ${show(a)}`),
    );
    if (accounts.length > 10) lines.push(`  ... ${accounts.length - 10} more in attribution.json`);
  }
  return `${lines.join('\n')}\n`;
}

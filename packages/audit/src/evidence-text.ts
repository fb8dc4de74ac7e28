import { evidenceVerdict, type EvidenceReport } from '@signet/verify';
import type { Show } from './summary-text.js';

/**
 * The terminal output of `signet evidence verify`: the verdict, every check in the order it ran,
 * what the bundle proves and what it does not. Strings from the bundle go through `show`.
 */
export function evidenceReportText(report: EvidenceReport, bundlePath: string, show: Show): string {
  const lines: string[] = [`${evidenceVerdict(report)} evidence bundle ${show(bundlePath)}${report.valid ? '' : `: ${report.code}`}`];
  if (!report.valid) lines.push(`  ${show(report.message ?? '')}`);
  lines.push(
    'checks:',
    ...report.checks.map(
      (c) => `  ${c.status.padEnd(7)} ${c.name.padEnd(9)} ${show(c.detail)}${c.code === undefined ? '' : ` [${c.code}]`}`,
    ),
  );
  if (report.proves.length > 0) lines.push('it proves:', ...report.proves.map((p) => `  - ${show(p)}`));
  lines.push('it does not prove:', ...report.doesNotProve.map((p) => `  - ${show(p)}`));
  return `${lines.join('\n')}\n`;
}

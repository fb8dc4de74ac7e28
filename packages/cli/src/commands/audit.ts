import { join } from 'node:path';
import { statSync } from 'node:fs';
import { parseJwks } from '@signet/core';
import { auditExitCode, renderReportHtml, runAudit, type AuditReport } from '@signet/audit';
import { flag, intFlag, optional, required, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import { InputError, readText, writePublicFile } from '../io.js';
import { shown } from '../terminal.js';

function summary(report: AuditReport, files: string[]): string {
  const lines = [
    `audited ${shown(report.dataset)}: ${report.records.toLocaleString('en-US')} records, ${report.total.toLocaleString('en-US')} verdicts in ${(report.durationMs / 1000).toFixed(1)} s (${report.rate.toLocaleString('en-US')}/s, ${report.threads === 0 ? 'one thread' : `${report.threads} threads`})`,
    `  valid   ${report.valid.toLocaleString('en-US')}`,
    `  invalid ${report.invalid.toLocaleString('en-US')}`,
  ];
  if (report.outcome === 'nothing-verified') lines.push('nothing verified: the dataset holds no record (exit code 1)');
  const codes = Object.entries(report.byCode);
  if (codes.length > 0) lines.push('failure reasons:', ...codes.slice(0, 10).map(([c, n]) => `  ${String(n).padStart(8)}  ${c}`));
  const accounts = Object.entries(report.byAccount);
  if (accounts.length > 0) {
    lines.push(
      `accounts (${accounts.length}, by account tag):`,
      ...accounts.slice(0, 5).map(([t, n]) => `  ${String(n).padStart(8)}  ${shown(t)}`),
    );
    if (accounts.length > 5) lines.push(`  ... ${accounts.length - 5} more`);
  }
  const terms = Object.entries(report.byTerms);
  if (terms.length > 0) lines.push('terms:', ...terms.slice(0, 5).map(([t, n]) => `  ${String(n).padStart(8)}  ${shown(t)}`));
  if (report.failures.length > 0) {
    lines.push(
      'first failures:',
      ...report.failures.slice(0, 5).map((f) => `  line ${f.line}${f.turn === undefined ? '' : ` turn ${f.turn}`}: ${f.code}`),
    );
  }
  for (const f of files) lines.push(`wrote ${shown(f)}`);
  return `${lines.join('\n')}\n`;
}

/** `signet audit`: verify every record of a dataset and report. */
export const audit: Command = defineCommand({
  name: ['audit'],
  summary: 'verify every sealed record of a dataset (JSONL or JSON) and write a report',
  operands: 'DATASET',
  flags: {
    trust: { value: 'JWKS', required: true, help: "the issuer's public keys" },
    out: { value: 'DIR', help: 'write DIR/report.json and DIR/report.html (self-contained, opens offline)' },
    json: { help: 'print report.json on stdout instead of the summary' },
    issuer: { value: 'ISS', repeatable: true, help: 'accept only envelopes of this issuer' },
    workers: { value: 'N', default: 'one per core', help: 'worker threads (0 verifies on the main thread)' },
    'max-record-bytes': { value: 'N', default: '8388608', help: 'longest record accepted' },
    progress: { help: 'show progress on stderr (default when stderr is a terminal and without --json)' },
    'no-progress': { help: 'never show progress' },
  },
  text: `Verifies every record of DATASET, streaming (memory stays flat on files larger than RAM) on one
worker thread per core. Layouts: OpenAI-compatible responses with a "signet" field,
{"messages": [...]} transcripts with an envelope per assistant turn, and {"text", "envelope"}.
A JSON file whose top level is an array is read element by element.

Bad records (broken JSON, too long, not UTF-8, unknown layout, envelopes that fail) are
reported with their line numbers and never stop the run. Nothing read is dropped: data after
the end of a top-level JSON array is reported (SIGNET_E_DATASET_TRAILING), and so is an array
that is never closed (SIGNET_E_DATASET_MALFORMED).

Exit codes:
  0  every record verified, and there was at least one (report.json "outcome": "all-valid")
  1  some record or item failed or was skipped ("some-invalid"), or the dataset held no
     record at all ("nothing-verified")
  2  usage error, or input that could not be read (the dataset, the trust JWKS)`,
  async run(args, io) {
    const [dataset, ...extra] = args.positionals;
    if (dataset === undefined) throw new UsageError('DATASET is required');
    if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
    const trustPath = required(args, 'trust');
    const jwks = await readText(io, trustPath, 1_000_000);
    try {
      // Checked here so a bad JWKS is one clear error, not one per record.
      parseJwks(jwks);
    } catch (e) {
      throw new InputError(`the trust JWKS ${trustPath} is not usable: ${(e as Error).message}`);
    }
    try {
      if (!statSync(dataset).isFile()) throw new InputError(`${dataset} is not a file`);
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(`cannot read ${dataset}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    const workersFlag = optional(args, 'workers');
    const issuers = args.flags.issuer as string[] | undefined;
    const showProgress = flag(args, 'progress') || (!flag(args, 'no-progress') && process.stderr.isTTY === true && !flag(args, 'json'));
    const report = await runAudit(dataset, {
      jwks,
      ...(issuers === undefined ? {} : { issuers }),
      ...(workersFlag === undefined ? {} : { workers: intFlag(args, 'workers', 0) }),
      maxRecordBytes: intFlag(args, 'max-record-bytes', 8 * 1024 * 1024),
      ...(showProgress ? { progress: io.stderr } : {}),
    });
    const out = optional(args, 'out');
    const files: string[] = [];
    if (out !== undefined) {
      const json = join(out, 'report.json');
      const html = join(out, 'report.html');
      writePublicFile(json, `${JSON.stringify(report, null, 2)}\n`);
      writePublicFile(html, renderReportHtml(report));
      files.push(json, html);
    }
    if (flag(args, 'json')) io.stdout(`${JSON.stringify(report)}\n`);
    else io.stdout(summary(report, files));
    return auditExitCode(report.outcome);
  },
});

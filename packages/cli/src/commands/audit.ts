import { join } from 'node:path';
import { parseJwks } from '@signet/core';
import { auditExitCode, auditSummaryText, renderReportCsv, renderReportHtml, runAudit } from '@signet/audit';
import { flag, intFlag, optional, required, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import { InputError, readText, writePublicFile } from '../io.js';
import { shown } from '../terminal.js';

/** `signet audit`: verify every record of a dataset and report. */
export const audit: Command = defineCommand({
  name: ['audit'],
  summary: 'verify every sealed record of a dataset (JSONL, JSON, gzip, Parquet, a shard folder) and write a report',
  operands: 'DATASET',
  flags: {
    trust: { value: 'JWKS', required: true, help: "the issuer's public keys" },
    out: { value: 'DIR', help: 'write DIR/report.json, DIR/report.csv and DIR/report.html (self-contained, opens offline)' },
    json: { help: 'print report.json on stdout instead of the summary' },
    issuer: { value: 'ISS', repeatable: true, help: 'accept only envelopes of this issuer' },
    workers: { value: 'N', default: 'one per core', help: 'worker threads (0 verifies on the main thread)' },
    'max-record-bytes': { value: 'N', default: '8388608', help: 'longest record accepted' },
    'text-field': {
      value: 'NAME',
      default: 'text',
      help: 'the field of {text, envelope} records holding the text (a.b reaches into objects)',
    },
    'envelope-field': { value: 'NAME', default: 'envelope', help: 'the field holding the envelope' },
    progress: { help: 'show progress on stderr (default when stderr is a terminal and without --json)' },
    'no-progress': { help: 'never show progress' },
  },
  text: `Verifies every record of DATASET, streaming (memory stays flat on files larger than RAM) on one
worker thread per core. DATASET is JSONL or JSON (a top-level array), plain or gzip; Parquet (read
one row group at a time); - for stdin; or a folder of shards in the Hugging Face layout
(data/*.parquet, *.jsonl). Any other format is one SIGNET_E_DATASET_FORMAT error. Layouts:
OpenAI-compatible responses with a "signet" field, {"messages": [...]} transcripts with an envelope
per assistant turn, and {"text", "envelope"} (or --text-field, --envelope-field). The same envelope
on several records is reported as a replay (counts and first lines).

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
    const workersFlag = optional(args, 'workers');
    const issuers = args.flags.issuer as string[] | undefined;
    const showProgress = flag(args, 'progress') || (!flag(args, 'no-progress') && process.stderr.isTTY === true && !flag(args, 'json'));
    const source =
      dataset === '-'
        ? {
            name: 'standard input',
            bytes:
              io.stdinStream?.() ??
              (async function* () {
                yield await io.stdin();
              })(),
          }
        : dataset;
    const report = await runAudit(source, {
      jwks,
      ...(issuers === undefined ? {} : { issuers }),
      ...(workersFlag === undefined ? {} : { workers: intFlag(args, 'workers', 0) }),
      maxRecordBytes: intFlag(args, 'max-record-bytes', 8 * 1024 * 1024),
      fields: { textField: optional(args, 'text-field'), envelopeField: optional(args, 'envelope-field') },
      ...(showProgress ? { progress: io.stderr } : {}),
    });
    const out = optional(args, 'out');
    const files: string[] = [];
    if (out !== undefined) {
      const json = join(out, 'report.json');
      const [csv, html] = [join(out, 'report.csv'), join(out, 'report.html')];
      writePublicFile(json, `${JSON.stringify(report, null, 2)}\n`);
      writePublicFile(csv, renderReportCsv(report));
      writePublicFile(html, renderReportHtml(report));
      files.push(json, csv, html);
    }
    if (flag(args, 'json')) io.stdout(`${JSON.stringify(report)}\n`);
    else io.stdout(auditSummaryText(report, files, shown));
    return auditExitCode(report.outcome);
  },
});

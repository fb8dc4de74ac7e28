import type { SignetErrorCode } from '@signet/core';
import type { ItemResult } from './check.js';
import { ReplayCounter, type Place, type ReplaySummary } from './replays.js';

/** Packs a file index and a line into one number (lines below 2^32, files below 2^20). */
export function packPosition(file: number, line: number): number {
  return file * 2 ** 32 + line;
}

/**
 * The audit report (report.json). Counts per account tag, terms version, day, issuer and model are
 * over valid items only: the claims of an envelope that does not verify are not evidence of anything.
 */
export interface AuditReport {
  readonly version: 1;
  readonly dataset: string;
  readonly generatedAt: string;
  readonly durationMs: number;
  /** Items verified per second. */
  readonly rate: number;
  /** Worker threads used (0: this thread). */
  readonly threads: number;
  /**
   * How the run ended, which is also the exit code: `all-valid` (0) every verdict is valid and there
   * is at least one; `some-invalid` (1) a record or item failed or was skipped (broken, too long,
   * trailing data, no envelope); `nothing-verified` (1) the dataset held no record at all.
   */
  readonly outcome: AuditOutcome;
  /** Records read (lines of JSONL, elements of a JSON array), good or bad, plus data found after a top-level array. */
  readonly records: number;
  /** Verdicts: one per sealed item (a transcript has one per assistant turn), one per unreadable record. */
  readonly total: number;
  readonly valid: number;
  readonly invalid: number;
  readonly byAccount: Record<string, number>;
  readonly byTerms: Record<string, number>;
  readonly byDay: Record<string, number>;
  readonly byIssuer: Record<string, number>;
  readonly byModel: Record<string, number>;
  readonly byLayout: Record<string, number>;
  /** Failures per code. */
  readonly byCode: Partial<Record<SignetErrorCode, number>>;
  /** Every failure, by line (up to `maxFailures`; the rest are counted in `failuresOmitted`). */
  readonly failures: { line: number; file?: string; code: SignetErrorCode; turn?: number; message?: string }[];
  readonly failuresOmitted: number;
  /** The dataset's files, when it has several (shards of a folder); failures and replays name theirs. */
  readonly files?: string[];
  /** The same envelope on several items: how many distinct sealed answers the dataset really holds. */
  readonly replays: ReplaySummary;
}

/** The outcome of an audit run (see {@link AuditReport.outcome}). */
export type AuditOutcome = 'all-valid' | 'some-invalid' | 'nothing-verified';

/** The exit code of `signet audit` for an outcome: only a run that verified everything, and something, is 0. */
export function auditExitCode(outcome: AuditOutcome): 0 | 1 {
  return outcome === 'all-valid' ? 0 : 1;
}

function bump(map: Record<string, number>, key: string | undefined): void {
  if (key === undefined) return;
  map[key] = (map[key] ?? 0) + 1;
}

/** Accumulates verdicts as they arrive (in any order) into a report. */
export class ReportBuilder {
  #recordCount = 0;
  #valid = 0;
  #invalid = 0;
  readonly #byAccount: Record<string, number> = {};
  readonly #byTerms: Record<string, number> = {};
  readonly #byDay: Record<string, number> = {};
  readonly #byIssuer: Record<string, number> = {};
  readonly #byModel: Record<string, number> = {};
  readonly #byLayout: Record<string, number> = {};
  readonly #byCode: Record<string, number> = {};
  readonly #failures: AuditReport['failures'] = [];
  readonly #replays = new ReplayCounter();
  #omitted = 0;

  /**
   * @param maxFailures failures kept by line (the rest are counted)
   * @param files the dataset's file names; result lines are then packed positions ({@link packPosition})
   */
  constructor(
    readonly maxFailures = 100_000,
    readonly files: readonly string[] = [],
  ) {}

  #place(position: number): Place {
    const file = Math.floor(position / 2 ** 32);
    const line = position - file * 2 ** 32;
    const name = this.files.length > 1 ? this.files[file] : undefined;
    return name === undefined ? { line } : { line, file: name };
  }

  /** Items counted so far. */
  get total(): number {
    return this.#valid + this.#invalid;
  }

  /**
   * Counts one record read (or one stretch of bytes that is no record). Counted by the reader, not
   * from verdicts: the elements of a JSON array written on one line share a line number.
   */
  countRecord(): void {
    this.#recordCount++;
  }

  /** Adds verdicts, in any order. */
  add(results: readonly ItemResult[]): void {
    for (const r of results) {
      bump(this.#byLayout, r.layout);
      if (r.valid) {
        this.#valid++;
        bump(this.#byAccount, r.tag);
        bump(this.#byTerms, r.terms);
        bump(this.#byDay, r.day);
        bump(this.#byIssuer, r.issuer);
        bump(this.#byModel, r.model);
        if (r.envelope !== undefined) this.#replays.add(r.envelope, r.line);
      } else {
        this.#invalid++;
        const code = r.code ?? 'SIGNET_E_INPUT_INVALID';
        bump(this.#byCode, code);
        if (this.#failures.length < this.maxFailures) {
          this.#failures.push({
            ...this.#place(r.line),
            code,
            ...(r.turn === undefined ? {} : { turn: r.turn }),
            ...(r.message === undefined ? {} : { message: r.message }),
          });
        } else this.#omitted++;
      }
    }
  }

  #order(f: { file?: string }): number {
    return f.file === undefined ? 0 : this.files.indexOf(f.file);
  }

  build(meta: { dataset: string; durationMs: number; threads: number }): AuditReport {
    const sortKeys = (m: Record<string, number>): Record<string, number> =>
      Object.fromEntries(Object.entries(m).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
    const byCount = (m: Record<string, number>): Record<string, number> =>
      Object.fromEntries(Object.entries(m).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
    const total = this.total;
    return {
      version: 1,
      dataset: meta.dataset,
      generatedAt: new Date().toISOString(),
      durationMs: Math.round(meta.durationMs),
      rate: meta.durationMs > 0 ? Math.round((total * 1000) / meta.durationMs) : total,
      threads: meta.threads,
      outcome: this.#invalid > 0 ? 'some-invalid' : this.#valid === 0 ? 'nothing-verified' : 'all-valid',
      records: this.#recordCount,
      total,
      valid: this.#valid,
      invalid: this.#invalid,
      byAccount: byCount(this.#byAccount),
      byTerms: sortKeys(this.#byTerms),
      byDay: sortKeys(this.#byDay),
      byIssuer: byCount(this.#byIssuer),
      byModel: byCount(this.#byModel),
      byLayout: byCount(this.#byLayout),
      byCode: byCount(this.#byCode) as AuditReport['byCode'],
      failures: this.#failures.sort((a, b) => this.#order(a) - this.#order(b) || a.line - b.line || (a.turn ?? 0) - (b.turn ?? 0)),
      failuresOmitted: this.#omitted,
      ...(this.files.length > 1 ? { files: [...this.files] } : {}),
      replays: this.#replays.summary((p) => this.#place(p)),
    };
  }
}

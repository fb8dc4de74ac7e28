import { basename } from 'node:path';
import { renderAttributionHtml } from './attribution-html.js';
import {
  AttributionSummaryBuilder,
  revealedPassage,
  suspectMatches,
  type AttributionSummary,
  type NamedAccount,
} from './attribution-report.js';
import { createProgress, type Progress } from './progress.js';
import { readSuspects, type Suspect } from './suspects.js';

/**
 * What `signet attribute` keeps while it runs, so the command stays a loop that prints: the
 * suspects read (with a progress line), the report entries and their totals, the passages the
 * bundles reveal, and at the end the report page.
 */
export class AttributionRun {
  readonly #report = new AttributionSummaryBuilder();
  readonly #progress: Progress;
  readonly #read = { bytes: 0, size: 0, count: 0 };
  #passages: (string | undefined)[] = [];

  /** @param progress where the progress line goes, when it is shown */
  constructor(progress?: (text: string) => void) {
    this.#progress = createProgress(progress ?? (() => undefined), () => this.#read.size, progress !== undefined);
  }

  /** Reads the suspects (any dataset format, see {@link readSuspects}), drawing progress as it goes. */
  async *suspects(path: string, textField?: string): AsyncGenerator<Suspect> {
    const onBytes = (bytes: number, size: number): void => void Object.assign(this.#read, { bytes, size });
    for await (const s of readSuspects(path, { textField, onBytes })) {
      this.#progress.update(++this.#read.count, this.#read.bytes);
      yield s;
    }
  }

  /** Wraps a printer so a line printed clears the progress line first. */
  printer(write: (text: string) => void): (text: string) => void {
    return (text) => {
      this.#progress.clear();
      write(text);
    };
  }

  /** Notes a suspect that could not be read, or that names nobody (verdict `none` or `too-short`). */
  unnamed(s: Suspect, verdict?: string): void {
    if ('error' in s) this.#report.add({ id: s.id, line: s.line, matches: [], error: s.error, message: s.message });
    else this.#report.add({ id: s.id, line: s.line, text: s.text, matches: [], ...(verdict === undefined ? {} : { verdict }) });
  }

  /** Notes the content of the evidence bundle written for the next account of the current suspect. */
  reveal(content: Parameters<typeof revealedPassage>[0]): void {
    this.#passages.push(revealedPassage(content));
  }

  /** Notes the accounts a suspect names, with the passages revealed for them since the last suspect. */
  named(s: Extract<Suspect, { text: string }>, verdict: string, accounts: readonly NamedAccount[]): void {
    this.#report.add({ id: s.id, line: s.line, text: s.text, verdict, matches: suspectMatches(accounts, this.#passages) });
    this.#passages = [];
  }

  /** Ends the progress line and returns the totals. */
  finish(): AttributionSummary {
    this.#progress.done();
    return this.#report.summary();
  }

  /** The report page for the suspects at `path`. */
  html(path: string): string {
    const dataset = path === '-' ? 'stdin' : basename(path);
    return renderAttributionHtml({
      dataset,
      generatedAt: new Date().toISOString(),
      summary: this.#report.summary(),
      entries: this.#report.entries,
    });
  }
}

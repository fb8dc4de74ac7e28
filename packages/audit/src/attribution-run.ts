import { basename } from 'node:path';
import { renderAttributionHtml } from './attribution-html.js';
import { chanceInWords } from '@signet/core';
import { AttributionSummaryBuilder, revealedPassage, type AttributionSummary, type SuspectMatch } from './attribution-report.js';
import { createProgress, type Progress } from './progress.js';
import { readSuspects, type Suspect } from './suspects.js';

/** One suspect's attribution as `attributeSuspects` of `@signet/registry` yields it (structurally). */
export interface SuspectOutcome {
  readonly id: string | number;
  readonly line: number;
  readonly error?: string;
  readonly message?: string;
  readonly verdict?: string;
  readonly accounts: readonly (Omit<SuspectMatch, 'explanation' | 'sealed' | 'evidence'> & {
    readonly chance: number;
    readonly bundle?: { readonly content: Parameters<typeof revealedPassage>[0] };
  })[];
}

/**
 * What `signet attribute` keeps while it runs, so the command stays a loop that prints: the
 * suspects read (with a progress line), the report entries and their totals, the passages the
 * bundles reveal, and at the end the report page.
 */
export class AttributionRun {
  readonly #report = new AttributionSummaryBuilder();
  readonly #progress: Progress;
  readonly #read = { bytes: 0, size: 0, count: 0 };
  #current: Suspect | undefined;

  /** @param progress where the progress line goes, when it is shown */
  constructor(progress?: (text: string) => void) {
    this.#progress = createProgress(progress ?? (() => undefined), () => this.#read.size, progress !== undefined);
  }

  /** Reads the suspects (any dataset format, or a stream of bytes; see {@link readSuspects}), drawing progress as it goes. */
  async *suspects(source: string | AsyncIterable<Uint8Array>, textField?: string): AsyncGenerator<Suspect> {
    const onBytes = (bytes: number, size: number): void => void Object.assign(this.#read, { bytes, size });
    for await (const s of readSuspects(source, { textField, onBytes })) {
      this.#progress.update(++this.#read.count, this.#read.bytes);
      this.#current = s;
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

  /**
   * Notes the result for the suspect read last (results come one per suspect, in order, before the
   * next suspect is read), with the passage each account's bundle reveals.
   */
  result(r: SuspectOutcome): void {
    const s = this.#current;
    const text = s !== undefined && 'text' in s && s.id === r.id ? s.text : undefined;
    const matches: SuspectMatch[] = r.accounts.map(({ bundle, ...a }) => {
      const sealed = revealedPassage(bundle?.content);
      return { ...a, explanation: chanceInWords(a.chance), ...(sealed === undefined ? {} : { sealed }) };
    });
    this.#report.add({
      id: r.id,
      line: r.line,
      matches,
      ...(text === undefined ? {} : { text }),
      ...(r.verdict === undefined ? {} : { verdict: r.verdict }),
      ...(r.error === undefined ? {} : { error: r.error, message: r.message ?? '' }),
    });
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

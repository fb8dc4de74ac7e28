/**
 * Replay detection: the same envelope on many records. A dataset padded with copies of a few sealed
 * answers proves less than its size suggests, so the report says how many distinct sealed answers
 * it holds and which envelopes repeat, with the first places each appears.
 *
 * Memory is one small map entry per distinct valid envelope (a 16-character key and a number).
 */

/** Where a record is: its line (or row), and its file when the dataset has several. */
export interface Place {
  readonly line: number;
  readonly file?: string;
}

/** One envelope seen on more than one item. */
export interface Replay {
  /** The envelope's identity: SHA-256 of its text, first 96 bits, base64url. */
  readonly envelope: string;
  readonly count: number;
  /** The first places it appears (up to five). */
  readonly first: Place[];
}

/** The replay part of the audit report. */
export interface ReplaySummary {
  /** Distinct envelopes among the valid items. */
  readonly distinct: number;
  /** Envelopes that appear on more than one item. */
  readonly repeated: number;
  /** Items that repeat an envelope already seen (valid items minus distinct envelopes). */
  readonly extraCopies: number;
  /** The most repeated envelopes, most copies first (up to 100). */
  readonly top: Replay[];
}

const FIRST = 5;
const TOP = 100;

/** Counts envelopes as verdicts arrive. */
export class ReplayCounter {
  // The first place of every envelope seen once, as a packed position (see ReportBuilder).
  readonly #seen = new Map<string, number>();
  readonly #repeated = new Map<string, { count: number; first: number[] }>();
  #items = 0;

  /** Notes one valid item's envelope at a packed position. */
  add(envelope: string, position: number): void {
    this.#items++;
    const again = this.#repeated.get(envelope);
    if (again !== undefined) {
      again.count++;
      // Verdicts arrive out of order (worker threads): keep the smallest positions, not the earliest to arrive.
      if (again.first.length < FIRST) again.first.push(position);
      else {
        const max = Math.max(...again.first);
        if (position < max) again.first[again.first.indexOf(max)] = position;
      }
      return;
    }
    const first = this.#seen.get(envelope);
    if (first === undefined) {
      this.#seen.set(envelope, position);
      return;
    }
    this.#seen.delete(envelope);
    this.#repeated.set(envelope, { count: 2, first: [first, position] });
  }

  /** The summary; `place` turns a packed position into a file and line. */
  summary(place: (position: number) => Place): ReplaySummary {
    const distinct = this.#seen.size + this.#repeated.size;
    const top = [...this.#repeated.entries()]
      .sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1))
      .slice(0, TOP)
      .map(([envelope, r]) => ({ envelope, count: r.count, first: [...r.first].sort((x, y) => x - y).map(place) }));
    return { distinct, repeated: this.#repeated.size, extraCopies: this.#items - distinct, top };
  }
}

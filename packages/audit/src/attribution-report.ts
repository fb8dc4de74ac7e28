import { chanceInWords } from '@signet/core';

/**
 * The attribution run's report (attribution.json and report.html of `signet attribute --out`):
 * one entry per suspect, and counts per account and per match method. The matching itself lives in
 * `@signet/registry`; this is only what the run found, gathered for people to read.
 */

/** One account a suspect was attributed to. */
export interface SuspectMatch {
  /** The account id the provider disclosed. */
  readonly account: string;
  /** The account tag of the envelope (base64url). */
  readonly accountTag?: string;
  readonly score: number;
  /** How it matched: `exact`, `normalized`, `similar`, ... (whatever the registry reports). */
  readonly method: string;
  readonly responseId: string;
  /** Terms `id@version`. */
  readonly terms?: string;
  /** Issue time of the envelope (seconds since the epoch). */
  readonly issuedAt?: number;
  /** Matching spans of the suspect text, `[start, end)` UTF-16 offsets. */
  readonly spans?: readonly (readonly [number, number])[];
  /** The sealed passage the evidence reveals (the whole text for digest matches, the excerpt's chunks otherwise). */
  readonly sealed?: string;
  /** Where its evidence bundle was written. */
  readonly evidence?: string | null;
  /** Other accounts the same text was served to with the same score. */
  readonly alsoServedTo?: readonly string[];
  /** The registry's chance that an unrelated text shows this much overlap. */
  readonly chance?: number;
  /** That chance in words ("this overlap would arise by chance in fewer than 1 in N ..."). */
  readonly explanation?: string;
}

/** One suspect and what the run found for it. */
export interface SuspectEntry {
  readonly id: string | number;
  readonly line: number;
  readonly file?: string;
  /** The suspect text (kept for the HTML report; absent from attribution.json). */
  readonly text?: string;
  /** What the registry concluded: `attributed`, `ambiguous`, `too-short` or `none` (absent for unreadable records). */
  readonly verdict?: string;
  /** Ranked matches, one per account named, best first; empty when nobody is named. */
  readonly matches: readonly SuspectMatch[];
  /** Set when the record could not be read. */
  readonly error?: string;
  readonly message?: string;
}

/** Counts per account: suspects naming it (first or not), and the characters of suspect text it matched. */
export interface AccountCount {
  readonly suspects: number;
  /** Suspects where it is the best match. */
  readonly best: number;
  /** Characters of suspect text inside its matching spans. */
  readonly matchedChars: number;
}

/** The run's totals. */
export interface AttributionSummary {
  readonly total: number;
  readonly matched: number;
  readonly unmatched: number;
  readonly errors: number;
  /** Characters of all readable suspect texts. */
  readonly suspectChars: number;
  /** Per account, most suspects first. */
  readonly byAccount: Record<string, AccountCount>;
  /** Best matches per method. */
  readonly byMethod: Record<string, number>;
  /** Unreadable suspects per code. */
  readonly byError: Record<string, number>;
  /** Readable suspects per verdict (`attributed`, `ambiguous`, `too-short`, `none`). */
  readonly byVerdict: Record<string, number>;
}

function covered(spans: readonly (readonly [number, number])[] | undefined, length: number): number {
  if (spans === undefined || spans.length === 0) return length;
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  let n = 0;
  let at = 0;
  for (const [a, b] of sorted) {
    const s = Math.max(a, at);
    const e = Math.min(b, length);
    if (e > s) n += e - s;
    at = Math.max(at, e);
  }
  return n;
}

/** Gathers suspect entries as they are attributed, and their totals. */
export class AttributionSummaryBuilder {
  readonly #entries: SuspectEntry[] = [];
  readonly #byAccount = new Map<string, { suspects: number; best: number; matchedChars: number }>();
  readonly #byMethod: Record<string, number> = {};
  readonly #byError: Record<string, number> = {};
  readonly #byVerdict: Record<string, number> = {};
  #matched = 0;
  #errors = 0;
  #chars = 0;
  #total = 0;

  /**
   * @param keepEntries how many entries to keep for the report (the counts cover all)
   */
  constructor(readonly keepEntries = 10_000) {}

  /** Counts one suspect and keeps its entry (up to `keepEntries`). */
  add(entry: SuspectEntry): void {
    this.#total++;
    // The page shows at most the first 50,000 characters of a suspect; the counts use all of it.
    const text = entry.text;
    if (this.#entries.length < this.keepEntries)
      this.#entries.push(text !== undefined && text.length > 50_000 ? { ...entry, text: text.slice(0, 50_000) } : entry);
    if (entry.error !== undefined) {
      this.#errors++;
      this.#byError[entry.error] = (this.#byError[entry.error] ?? 0) + 1;
      return;
    }
    const length = entry.text?.length ?? 0;
    this.#chars += length;
    const verdict = entry.verdict ?? (entry.matches.length > 0 ? 'attributed' : 'none');
    this.#byVerdict[verdict] = (this.#byVerdict[verdict] ?? 0) + 1;
    const best = entry.matches[0];
    if (best === undefined) return;
    this.#matched++;
    this.#byMethod[best.method] = (this.#byMethod[best.method] ?? 0) + 1;
    const seen = new Set<string>();
    for (const m of entry.matches) {
      if (seen.has(m.account)) continue;
      seen.add(m.account);
      const c = this.#byAccount.get(m.account) ?? { suspects: 0, best: 0, matchedChars: 0 };
      c.suspects++;
      if (m === best) c.best++;
      c.matchedChars += covered(m.spans, length);
      this.#byAccount.set(m.account, c);
    }
  }

  /** Entries kept, in the order added. */
  get entries(): readonly SuspectEntry[] {
    return this.#entries;
  }

  summary(): AttributionSummary {
    const total = this.#total;
    const byAccount = Object.fromEntries(
      [...this.#byAccount.entries()].sort(
        (a, b) => b[1].suspects - a[1].suspects || b[1].matchedChars - a[1].matchedChars || (a[0] < b[0] ? -1 : 1),
      ),
    );
    return {
      total,
      matched: this.#matched,
      unmatched: total - this.#matched - this.#errors,
      errors: this.#errors,
      suspectChars: this.#chars,
      byAccount,
      byMethod: Object.fromEntries(Object.entries(this.#byMethod).sort((a, b) => b[1] - a[1])),
      byError: { ...this.#byError },
      byVerdict: { ...this.#byVerdict },
    };
  }
}

/** The content of an evidence bundle, as far as the report needs it. */
export type BundleContent =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'excerpt'; readonly proof: { readonly chunks: readonly string[] } }
  | { readonly kind: 'none' };

/**
 * The sealed passage a bundle reveals: the whole text for a digest match, the excerpt's chunks
 * joined for a similarity match, nothing when the bundle carries no content.
 */
export function revealedPassage(content: BundleContent | undefined): string | undefined {
  if (content === undefined || content.kind === 'none') return undefined;
  return content.kind === 'text' ? content.text : content.proof.chunks.join('');
}

/** An account as the attribution command reports it, with its strongest match (a registry match, structurally). */
export interface NamedAccount {
  readonly account: string;
  readonly score: number;
  readonly chance: number;
  readonly responseId: string;
  readonly evidence: string | null;
  readonly alsoServedTo?: readonly string[];
  readonly best: {
    readonly method: string;
    readonly spans: readonly (readonly [number, number])[];
    readonly row: { readonly termsId: string; readonly termsVersion: string; readonly issuedAt: number };
  };
}

/**
 * The report's matches for the accounts a suspect names, in their order, each with the sealed
 * passage its bundle revealed (`passages[i]`, when bundles were written) and its chance in words.
 */
export function suspectMatches(accounts: readonly NamedAccount[], passages: readonly (string | undefined)[] = []): SuspectMatch[] {
  return accounts.map(({ best, ...a }, i) => {
    const sealed = passages[i];
    return {
      ...a,
      method: best.method,
      spans: best.spans,
      terms: `${best.row.termsId}@${best.row.termsVersion}`,
      issuedAt: best.row.issuedAt,
      explanation: chanceInWords(a.chance),
      ...(sealed === undefined ? {} : { sealed }),
    };
  });
}

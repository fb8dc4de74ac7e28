import type { EvidenceBundle } from '@signet/core';
import type { AttributionOptions } from './attribution.js';
import type { EvidenceOptions } from './evidence.js';
import type { Registry } from './registry.js';
import type { AttributionKind } from './verdict.js';

/**
 * Attributing a file of suspects, one result per suspect: what `signet attribute` prints and writes.
 * The command line only formats the results and writes the bundles.
 */

/** A suspect as a reader yields it (structurally `Suspect` of `@signet/audit`). */
export type SuspectLike =
  | { readonly id: string | number; readonly line: number; readonly text: string }
  | { readonly id: string | number; readonly line: number; readonly error: string; readonly message: string };

/** One account a suspect is attributed to. */
export interface AccountFinding {
  readonly account: string;
  readonly score: number;
  readonly chance: number;
  readonly responseId: string;
  /** Accounts served texts the suspect cannot tell apart from this one's. */
  readonly alsoServedTo?: string[];
  readonly method: string;
  /** The account tag (base64url). */
  readonly accountTag: string;
  readonly spans: readonly (readonly [number, number])[];
  /** `termsId@termsVersion`. */
  readonly terms: string;
  readonly issuedAt: number;
  /** The evidence bundle, when asked for. */
  readonly bundle?: EvidenceBundle;
}

/** The attribution of one suspect: an unreadable one carries its error; a readable one its verdict. */
export interface SuspectResult {
  readonly id: string | number;
  readonly line: number;
  readonly error?: string;
  readonly message?: string;
  readonly verdict?: AttributionKind;
  readonly accounts: AccountFinding[];
}

/** Options of {@link attributeSuspects}. */
export interface SuspectRunOptions {
  readonly attribution?: AttributionOptions;
  /** Build an evidence bundle for every account named (signer and log as in {@link Registry.evidence}). */
  readonly evidence?: Omit<EvidenceOptions, 'suspectId'>;
}

function toBase64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Attributes every suspect, in order, with its bundles when `evidence` is given. */
export async function* attributeSuspects(
  registry: Registry,
  suspects: AsyncIterable<SuspectLike>,
  options: SuspectRunOptions = {},
): AsyncGenerator<SuspectResult> {
  for await (const s of suspects) {
    if ('error' in s) {
      yield { id: s.id, line: s.line, error: s.error, message: s.message, accounts: [] };
      continue;
    }
    const verdict = await registry.assess(s.text, options.attribution);
    const accounts: AccountFinding[] = [];
    for (const a of verdict.accounts) {
      const best = a.matches[0]!;
      const bundle =
        options.evidence === undefined
          ? undefined
          : await registry.evidence(best, s.text, { ...options.evidence, suspectId: String(s.id) });
      accounts.push({
        account: a.accountId,
        score: best.score,
        chance: best.chance,
        responseId: best.row.responseId,
        ...(a.tiedWith.length === 0 ? {} : { alsoServedTo: a.tiedWith }),
        method: best.method,
        accountTag: toBase64url(best.row.accountTag),
        spans: best.spans,
        terms: `${best.row.termsId}@${best.row.termsVersion}`,
        issuedAt: best.row.issuedAt,
        ...(bundle === undefined ? {} : { bundle }),
      });
    }
    yield { id: s.id, line: s.line, verdict: verdict.kind, accounts };
  }
}

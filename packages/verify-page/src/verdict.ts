/**
 * What the page shows after a check: a verdict for a reader who is not an engineer, facts in plain
 * words, what the check proves and does not prove, and the raw claims underneath.
 */

/** The verdict's tone; the page colours and words its headline by it. */
export type VerdictStatus = 'valid' | 'normalized' | 'unsigned' | 'invalid' | 'unsealed' | 'incomplete';

/** One fact of a verdict, as a label and a value. */
export interface Fact {
  readonly label: string;
  readonly value: string;
}

/** One step of a check, as `signet evidence verify` lists them. */
export interface CheckLine {
  readonly name: string;
  readonly status: 'ok' | 'failed' | 'skipped';
  readonly detail: string;
  readonly code?: string;
}

/** The outcome of a check, ready to render. */
export interface Verdict {
  readonly status: VerdictStatus;
  /** What was checked: "answer (response JSON)", "evidence bundle" ... */
  readonly subject: string;
  /** The headline, in the CLI's words (VALID, INVALID: code ...). */
  readonly headline: string;
  /** One or two sentences for a reader who is not an engineer. */
  readonly summary: string;
  readonly code?: string;
  readonly hint?: string;
  readonly facts: readonly Fact[];
  readonly checks: readonly CheckLine[];
  readonly proves: readonly string[];
  readonly doesNotProve: readonly string[];
  /** The claims as the envelope states them, bytes as base64url (undefined when there are none). */
  readonly raw?: unknown;
}

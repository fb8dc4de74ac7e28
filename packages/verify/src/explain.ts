import { toBase64url, toHex, type EnvelopeClaims } from '@signet/core';
import type { EvidenceReport } from './evidence-check.js';
import type { VerificationResult } from './result.js';

/**
 * The sentences that tell a reader what a verified seal establishes and what it does not. One
 * place for them, so that `signet verify`, `signet evidence verify` and the verifier page say the
 * same thing in the same words.
 */

/** The warning that goes with every normalized (not exact) match. */
export const NORMALIZED_WARNING =
  'the text matches the seal only after normalization (Unicode NFC, white space folded); re-indented code, a list run into a paragraph, or words joined or split at white space match the same way.';

/** An ISO time without milliseconds, from seconds. */
export function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** Who sealed which response, when, and with which key. */
export function sealedStatement(claims: EnvelopeClaims, kid: string): string {
  return `${claims.issuer} sealed response ${claims.responseId} (model ${claims.model}) at ${isoSeconds(claims.issuedAt)} by its own clock, signed with its key ${kid}.`;
}

/** To which account tag and under which terms the response was served. */
export function servedStatement(claims: EnvelopeClaims): string {
  const t = claims.terms;
  return `The response was served to the account with tag ${toBase64url(claims.account.tag)}, under terms ${t.id} version ${t.version} (terms document SHA-256 ${toHex(t.digest)}, ${t.uri}).`;
}

/** What a verified log receipt establishes. */
export function logIncludedStatement(log: string, index: number, time: number): string {
  return `The log ${log} included the envelope as entry ${index} in a tree it signed at ${isoSeconds(time)}: the provider committed to it by then and cannot backdate or silently drop it.`;
}

/** Not proven when no receipt came with the envelope (`what`: the bundle, the envelope ...). */
export function noReceiptStatement(what: string): string {
  return `When the envelope was committed: ${what} has no log receipt, so the issue time is only the provider's own claim.`;
}

/** Not proven when a receipt came but no log key was given to check it. */
export const RECEIPT_UNCHECKED_STATEMENT = 'When the envelope was committed: the receipt was not checked because no log key was given.';

/** What no seal says about the text's later life (`what`: the bundle, the seal ...). */
export function useNotProvenStatement(what: string): string {
  return `That the account holder collected the text into this dataset or trained on it: ${what} shows which account the text was served to, not what happened to it afterwards.`;
}

/** What a seal says about the text's truth. */
export const TRUTH_NOT_PROVEN_STATEMENT =
  'That the text is true or correct: a seal says who served it and to whom, not that what it says is right.';

/** Who the tag belongs to, for a seal without a bundle's disclosure. */
export function tagNotLinkedStatement(claims: EnvelopeClaims): string {
  return `Which account has tag ${toBase64url(claims.account.tag)}: tags are keyed hashes under the provider's secret; only the provider can link a tag to an account${claims.account.sealedId === undefined ? '' : ', or a designated auditor by opening the sealed id'}.`;
}

/** How the checked content matched, as a sentence. */
export function contentStatement(result: Extract<VerificationResult, { valid: true }>): string | undefined {
  const content = result.content;
  if (content === null) return undefined;
  const choices = content.choices.map((c) => c.index).join(', ');
  const how = content.match === 'exact' ? 'exactly' : 'after white-space and Unicode normalization';
  if (content.body)
    return `Every byte of the response checked is a byte the provider sealed (the seal itself aside): its text (choice ${choices}) matches ${how}.`;
  return `The text checked is the text of choice ${choices} of that response (${how}).`;
}

/** What a verified envelope proves and does not prove, for a reader who is not an engineer. */
export interface VerificationExplanation {
  readonly proves: readonly string[];
  readonly doesNotProve: readonly string[];
}

/** The log facts of a verified receipt (`result.receipt`: its time and the receipt check's detail). */
interface ReceiptFacts {
  readonly log: string;
  readonly index: number;
  readonly time: number;
}

function receiptFacts(receipt: unknown): ReceiptFacts | undefined {
  if (receipt === null || typeof receipt !== 'object') return undefined;
  const { time, detail } = receipt as { time?: unknown; detail?: unknown };
  if (typeof time !== 'number' || detail === null || typeof detail !== 'object') return undefined;
  const d = detail as Record<string, unknown>;
  return typeof d.log === 'string' && typeof d.index === 'number' ? { log: d.log, index: d.index, time } : undefined;
}

/**
 * Explains a verification result. `receiptUnchecked` says a receipt came with the envelope but no
 * log key was given to check it.
 */
export function explainVerification(
  result: VerificationResult,
  options: { readonly receiptUnchecked?: boolean } = {},
): VerificationExplanation {
  if (!result.valid) {
    return {
      proves: [],
      doesNotProve: [
        result.code === 'SIGNET_E_ENVELOPE_MISSING'
          ? 'Anything about where this text came from: it carries no seal, so who served it, to whom and when cannot be checked.'
          : 'Anything about this text: the seal did not verify, so who served it, to whom and when is not established.',
        TRUTH_NOT_PROVEN_STATEMENT,
      ],
    };
  }
  const c = result.claims;
  const proves = [sealedStatement(c, result.key.kid), servedStatement(c)];
  const content = contentStatement(result);
  if (content !== undefined) proves.push(content);
  const doesNotProve: string[] = [];
  const facts = receiptFacts(result.receipt);
  if (facts !== undefined) proves.push(logIncludedStatement(facts.log, facts.index, facts.time));
  else doesNotProve.push(options.receiptUnchecked === true ? RECEIPT_UNCHECKED_STATEMENT : noReceiptStatement('the envelope'));
  if (result.content === null) doesNotProve.push('Anything about a text: no text was checked against the seal.');
  else if (result.content.match === 'normalized') doesNotProve.push(`That the text is exactly the sealed text: ${NORMALIZED_WARNING}`);
  if (c.partial === true)
    doesNotProve.push('That this is the whole answer: the seal marks the response as partial (its stream was cut off).');
  doesNotProve.push(tagNotLinkedStatement(c), useNotProvenStatement('the seal'), TRUTH_NOT_PROVEN_STATEMENT);
  return { proves, doesNotProve };
}

/** The one-word verdict on an evidence bundle; an unsigned bundle that was allowed says so, since it is nobody's statement. */
export function evidenceVerdict(report: Pick<EvidenceReport, 'valid' | 'signed'>): 'VALID' | 'VALID (UNSIGNED)' | 'INVALID' {
  return !report.valid ? 'INVALID' : report.signed ? 'VALID' : 'VALID (UNSIGNED)';
}

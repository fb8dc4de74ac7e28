import { chanceInWords, decodeReceipt, toBase64url, type EnvelopeClaims, type VerificationStep } from '@signet/core';
import {
  evidenceVerdict,
  explainVerification,
  isoSeconds,
  NORMALIZED_WARNING,
  verifyEvidence,
  type EvidenceReport,
  type TrustStore,
  type VerificationResult,
} from '@signet/verify';
import { checkSavedResponse, checkTextWithEnvelope, trustFrom, type AnswerContext, type AnswerOutcome } from './answer-check.js';
import { classifyInput, decodeBase64Any } from './classify.js';
import { displayable } from './raw.js';
import type { Fact, Verdict } from './verdict.js';

/** Everything the reader gave the page. */
export interface CheckRequest {
  /** What to check: a response body, an event stream, a record, a bundle, an envelope, a receipt or plain text. */
  readonly input: string;
  /** The envelope, when `input` is plain text. */
  readonly envelope?: string;
  /** The trusted keys, as JWKS text. */
  readonly jwks: string;
  /** The log's verifier key (C2SP note format). */
  readonly logKey?: string;
  /** A log receipt (base64 text), when the answer does not carry one. */
  readonly receipt?: string;
  /** Accept an evidence bundle without the provider's signature (reported as UNSIGNED). */
  readonly allowUnsigned?: boolean;
  readonly now?: () => number;
}

function isReceipt(bytes: Uint8Array): boolean {
  try {
    decodeReceipt(bytes);
    return true;
  } catch {
    return false;
  }
}

function problem(subject: string, headline: string, summary: string, hint?: string): Verdict {
  return {
    status: 'incomplete',
    subject,
    headline,
    summary,
    ...(hint === undefined ? {} : { hint }),
    facts: [],
    checks: [],
    proves: [],
    doesNotProve: [],
  };
}

function claimFacts(c: EnvelopeClaims, kid: string | undefined): Fact[] {
  return [
    { label: 'Sealed by', value: kid === undefined ? c.issuer : `${c.issuer} (key ${kid})` },
    { label: 'Sealed at', value: `${isoSeconds(c.issuedAt)} (the provider's own clock)` },
    { label: 'Account tag', value: toBase64url(c.account.tag) },
    { label: 'Terms', value: `${c.terms.id} version ${c.terms.version} (${c.terms.uri})` },
    { label: 'Model', value: c.model },
    { label: 'Response id', value: c.responseId },
  ];
}

function logFact(result: VerificationResult, receiptUnchecked: boolean): Fact {
  if (result.valid && result.receipt !== undefined) {
    const r = result.receipt as { time: number; detail?: { log?: string; index?: number; treeSize?: number } };
    const d = r.detail ?? {};
    return {
      label: 'Log inclusion',
      value: `entry ${d.index ?? '?'} of ${d.treeSize ?? '?'} in log ${d.log ?? '?'}, committed by ${isoSeconds(r.time)}`,
    };
  }
  return {
    label: 'Log inclusion',
    value: receiptUnchecked ? 'not checked: a receipt came, but no log key was given' : 'not shown: no log receipt came with this answer',
  };
}

/** What a failure at each step means, for a reader who is not an engineer. */
const FAILED_AT: Readonly<Record<VerificationStep, string>> = {
  parse: 'The seal cannot be read: it is damaged or not a Signet seal.',
  key: 'The seal is not from a key you trust: check that you gave the right provider keys.',
  signature: 'The seal is broken: its signature does not verify, so the seal was altered or forged.',
  validity: "The seal is outside its key's validity: the key had expired, was not yet valid, or was revoked.",
  receipt: 'The log receipt does not verify.',
  content: 'This is not what the provider sealed: it was changed after it was sealed.',
  policy: 'The seal is sound, but not what was required here.',
};

function answerVerdict(subject: string, outcome: AnswerOutcome): Verdict {
  const { result, receiptUnchecked } = outcome;
  const explained = explainVerification(result, { receiptUnchecked });
  if (!result.valid) {
    const unsealed = result.code === 'SIGNET_E_ENVELOPE_MISSING';
    const truncated = result.code === 'SIGNET_E_STREAM_TRUNCATED';
    return {
      status: unsealed ? 'unsealed' : 'invalid',
      subject,
      headline: unsealed ? `NOT SEALED: ${result.code}` : `INVALID: ${result.code}`,
      summary: `${unsealed ? 'This answer carries no seal, so where it came from cannot be checked.' : truncated ? 'This answer is incomplete: it ends before its seal, so it cannot be checked.' : FAILED_AT[result.kind === 'policy' ? 'policy' : result.step]} ${result.message}`,
      code: result.code,
      ...(result.hint === undefined ? {} : { hint: result.hint }),
      facts: [{ label: 'Failed at step', value: `${result.step} (${result.kind} failure)` }],
      checks: [],
      proves: explained.proves,
      doesNotProve: explained.doesNotProve,
    };
  }
  const c = result.claims;
  const normalized = result.content?.match === 'normalized';
  const match =
    result.content === null ? 'not checked' : normalized ? 'normalized only' : result.content.body ? 'exact, every byte' : 'exact';
  return {
    status: normalized ? 'normalized' : 'valid',
    subject,
    headline: normalized ? 'VALID, NORMALIZED MATCH ONLY' : 'VALID',
    summary: normalized
      ? `${c.issuer} sealed this text, but it was reformatted since: ${NORMALIZED_WARNING}`
      : `${c.issuer} sealed exactly this answer, and nothing in it was changed since.`,
    facts: [...claimFacts(c, result.key.kid), { label: 'Match', value: match }, logFact(result, receiptUnchecked)],
    checks: [],
    proves: explained.proves,
    doesNotProve: explained.doesNotProve,
    raw: displayable(c),
  };
}

function bundleVerdict(report: EvidenceReport): Verdict {
  const word = evidenceVerdict(report);
  const headline = report.valid ? word : `${word}: ${report.code}`;
  const c = report.claims;
  const b = report.bundle;
  const facts: Fact[] = [];
  if (report.valid && c !== undefined) {
    facts.push(...claimFacts(c, undefined));
  }
  if (report.valid && b !== undefined) {
    facts.push(
      { label: 'Account (disclosed)', value: b.account.id },
      {
        label: 'Match',
        value: `${b.suspect.method}, score ${b.suspect.score}${b.suspect.chance === undefined ? '' : `: ${chanceInWords(b.suspect.chance)} (the provider's estimate)`}`,
      },
    );
    const log = report.checks.find((s) => s.name === 'log');
    if (log !== undefined) facts.push({ label: 'Log inclusion', value: log.status === 'ok' ? log.detail : `not checked: ${log.detail}` });
  }
  return {
    status: !report.valid ? 'invalid' : report.signed ? 'valid' : 'unsigned',
    subject: 'evidence bundle',
    headline,
    summary: !report.valid
      ? `This evidence bundle does not verify. ${report.message ?? ''}`
      : report.signed
        ? `${c?.issuer ?? 'The provider'} sealed the text this bundle is about, and states under its signature which account received it${b === undefined ? '' : `: ${b.account.id}`}. Read below what this proves and what it does not.`
        : `The evidence checks out, but the bundle is not signed: the account disclosure and the match are nobody's statement.`,
    ...(report.code === undefined ? {} : { code: report.code }),
    facts,
    checks: report.checks,
    proves: report.proves,
    doesNotProve: report.doesNotProve,
    ...(b === undefined ? {} : { raw: displayable({ claims: c, bundle: { ...b, envelope: `${b.envelope.slice(0, 40)}…` } }) }),
  };
}

/** Runs the check the input calls for and returns its verdict. Never throws for bad input. */
export async function check(req: CheckRequest): Promise<Verdict> {
  const classified = classifyInput(req.input, isReceipt);
  if (classified.kind === 'unknown') return problem('input', 'NOTHING TO CHECK', classified.reason);
  if (classified.kind === 'receipt') {
    let about = '';
    try {
      const r = decodeReceipt(classified.bytes);
      about = ` It says log ${r.origin} holds entry ${r.proof.index} of a tree of ${r.proof.size}, committed at ${isoSeconds(r.time)} (not yet checked).`;
    } catch {
      // Classified as a receipt because it decodes as one.
    }
    return problem(
      'log receipt',
      'A LOG RECEIPT: CHECK IT WITH ITS ANSWER',
      `A receipt is checked together with the answer or envelope it is for.${about}`,
      'Put the answer under "What to check", this receipt under "Log receipt", and the log key under "Log key".',
    );
  }
  const trust: TrustStore | string = req.jwks.trim() === '' ? 'No trusted keys were given.' : trustFrom(req.jwks);
  if (typeof trust === 'string')
    return problem(
      'keys',
      'NO USABLE KEYS',
      `The trusted keys are not a usable JWKS: ${trust}`,
      'Choose a JWKS file or give the URL of one.',
    );
  const logKey = req.logKey?.trim() || undefined;
  if (classified.kind === 'bundle') {
    const report = await verifyEvidence(classified.value, {
      trust,
      ...(logKey === undefined ? {} : { logKey }),
      ...(req.allowUnsigned === true ? { allowUnsigned: true } : {}),
      ...(req.now === undefined ? {} : { now: req.now }),
    });
    return bundleVerdict(report);
  }
  let receipt: Uint8Array | undefined;
  if (req.receipt !== undefined && req.receipt.trim() !== '') {
    receipt = decodeBase64Any(req.receipt);
    if (receipt === undefined) return problem('log receipt', 'UNREADABLE RECEIPT', 'The log receipt is not base64 text.');
  }
  const ctx: AnswerContext = {
    trust,
    jwks: req.jwks,
    ...(logKey === undefined ? {} : { logKey }),
    ...(receipt === undefined ? {} : { receipt }),
    ...(req.now === undefined ? {} : { now: req.now }),
  };
  try {
    switch (classified.kind) {
      case 'response':
        return answerVerdict('answer (response JSON)', await checkSavedResponse(req.input, classified.shape, false, ctx, req.envelope));
      case 'stream':
        return answerVerdict('answer (saved stream)', await checkSavedResponse(req.input, classified.shape, true, ctx));
      case 'record':
        return answerVerdict(
          'record (text and envelope)',
          await checkTextWithEnvelope(classified.text, classified.envelope, classified.choice, ctx),
        );
      case 'envelope':
        return problem(
          'envelope',
          'AN ENVELOPE WITHOUT ITS TEXT',
          'This is an envelope. A seal proves nothing about text nobody checked.',
          'Put the text under "What to check" and this envelope under "Envelope".',
        );
      case 'text': {
        const envelope = req.envelope?.trim() ?? '';
        if (envelope === '')
          return problem(
            'text',
            'NO ENVELOPE',
            'This is plain text. Plain text is checked against its envelope.',
            'Put its envelope under "Envelope".',
          );
        return answerVerdict('text with its envelope', await checkTextWithEnvelope(req.input, envelope, undefined, ctx));
      }
    }
  } catch (e) {
    return problem('input', 'COULD NOT CHECK', `The check could not run: ${(e as Error).message}`);
  }
}

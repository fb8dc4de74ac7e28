import {
  chanceInWords,
  envelopeLogEntry,
  equalBytes,
  evidenceSigningInput,
  fromBase64url,
  getDefaultBackend,
  isSignetError,
  NOTE_SIG_ED25519,
  noteVerifierFromKey,
  parseEvidenceBundle,
  SignetError,
  utf8,
  verifyCheckpoint,
  verifyConsistency,
  verifyExcerptProof,
  verifyReceipt,
  type CryptoBackend,
  type EnvelopeClaims,
  type EvidenceBundle,
  type NoteVerifier,
  type SignetErrorCode,
} from '@signet/core';
import {
  logIncludedStatement,
  noReceiptStatement,
  RECEIPT_UNCHECKED_STATEMENT,
  sealedStatement,
  servedStatement,
  useNotProvenStatement,
} from './explain.js';
import { createTrustStore, type TrustStore } from './trust.js';
import { createVerifier } from './verifier.js';

/**
 * Offline verification of an evidence bundle (see `EvidenceBundle` in `@signet/core`): with the
 * provider's public keys and the log's public key only, no registry, no network.
 *
 * The checks run in a fixed order and stop at the first failure, each with its stable code:
 * bundle shape -> envelope (signature, key, validity) -> log (receipt, checkpoint, consistency) ->
 * content (text digest or excerpt proof) -> bundle fields against the envelope -> bundle signature.
 * The report says what the bundle proves and, as plainly, what it does not.
 *
 * A bundle must be signed: the signature is what makes the provider answer for the account
 * disclosure and the match (the suspect's id, digest, method and score), and what makes any edit to
 * them, or the deletion of the signature itself, detectable. An unsigned bundle fails with
 * `SIGNET_E_EVIDENCE_UNSIGNED` unless the caller passes `allowUnsigned`, and then its report says
 * `signed: false`.
 */

/** Options of {@link verifyEvidence}. */
export interface EvidenceCheckOptions {
  /** The provider's keys (JWKS document, text, or trust store). */
  readonly trust: TrustStore | Parameters<typeof createTrustStore>[0];
  /** The log's C2SP verifier key (`<name>+<hex id>+<base64 key>`), or a prepared note verifier. Without it the log is not checked. */
  readonly logKey?: string | NoteVerifier;
  /**
   * Accept a bundle without the provider's signature. Off by default: without it the account id and
   * the match are nobody's statement, and removing a signature must not pass for a smaller bundle.
   */
  readonly allowUnsigned?: boolean;
  /**
   * The suspect text as the checker holds it (from the dataset). When given, its SHA-256 must be the
   * bundle's `suspect.sha256`: the bundle is then known to be about this very text.
   */
  readonly suspect?: string;
  /** Clock in milliseconds. */
  readonly now?: () => number;
  readonly backend?: CryptoBackend;
}

/** One check of the bundle. */
export interface EvidenceCheckStep {
  readonly name: 'bundle' | 'envelope' | 'log' | 'content' | 'fields' | 'signature';
  readonly status: 'ok' | 'failed' | 'skipped';
  readonly detail: string;
  readonly code?: SignetErrorCode;
}

/** The outcome of verifying a bundle. */
export interface EvidenceReport {
  readonly valid: boolean;
  /** Whether the bundle carries the provider's signature and it verified (false for unsigned bundles, and for failures before the signature step). */
  readonly signed: boolean;
  /** The first failure's code, when invalid. */
  readonly code?: SignetErrorCode;
  readonly message?: string;
  readonly checks: readonly EvidenceCheckStep[];
  /** Statements the bundle establishes cryptographically (empty when invalid). */
  readonly proves: readonly string[];
  /** What the bundle does not establish, whatever the verdict. */
  readonly doesNotProve: readonly string[];
  readonly bundle?: EvidenceBundle;
  readonly claims?: EnvelopeClaims;
}

class Stop extends Error {
  constructor(
    readonly code: SignetErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function isTrustStore(v: unknown): v is TrustStore {
  return v !== null && typeof v === 'object' && typeof (v as TrustStore).get === 'function' && typeof (v as TrustStore).keys === 'function';
}

/** Verifies an evidence bundle (JSON text or parsed). Never throws for bad input: the report says what failed. */
export async function verifyEvidence(input: string | unknown, options: EvidenceCheckOptions): Promise<EvidenceReport> {
  const backend = options.backend ?? getDefaultBackend();
  const trust = isTrustStore(options.trust) ? options.trust : createTrustStore(options.trust, backend);
  const checks: EvidenceCheckStep[] = [];
  const proves: string[] = [];
  const doesNotProve: string[] = [useNotProvenStatement('the bundle')];
  let bundle: EvidenceBundle | undefined;
  let claims: EnvelopeClaims | undefined;
  let step: EvidenceCheckStep['name'] = 'bundle';
  let signed = false;
  const stop = (code: SignetErrorCode, message: string): never => {
    throw new Stop(code, message);
  };

  try {
    try {
      bundle = parseEvidenceBundle(input);
    } catch (e) {
      stop(isSignetError(e) ? e.code : 'SIGNET_E_EVIDENCE_INVALID', (e as Error).message);
    }
    const b = bundle as EvidenceBundle;
    checks.push({ name: 'bundle', status: 'ok', detail: `${b.type} bundle about suspect text ${JSON.stringify(b.suspect.id)}` });

    step = 'envelope';
    // The envelope: signature under a trusted key, validity window. Content is checked below, per kind.
    const envelopeBytes = fromBase64url(b.envelope);
    // Attribution matches text copied with trivial reformatting, so the evidence check accepts a
    // normalized match explicitly; the report says which kind of match it was.
    const verifier = createVerifier({
      trust,
      backend,
      policy: { allowNormalized: true },
      ...(options.now === undefined ? {} : { now: options.now }),
    });
    const text = b.content.kind === 'text' ? b.content.text : undefined;
    const result = await verifier.verify(envelopeBytes, text === undefined ? { allowMissingContent: true } : { text, choice: b.choice });
    if (!result.valid) {
      if (result.step === 'content') {
        checks.push({ name: 'envelope', status: 'ok', detail: 'signature verified' });
        step = 'content';
        stop(result.code, `The text in the bundle is not the sealed text: ${result.message}`);
      }
      stop(result.code, `The envelope does not verify: ${result.message}`);
    }
    const valid = result as Extract<typeof result, { valid: true }>;
    claims = valid.claims;
    const c = valid.claims;
    checks.push({ name: 'envelope', status: 'ok', detail: `signed by ${c.issuer} with trusted key ${valid.key.kid}` });
    proves.push(sealedStatement(c, valid.key.kid), servedStatement(c));

    step = 'log';
    // The log: the receipt proves the log included the envelope; the checkpoint is the log's signed tree head.
    if (b.log === null) {
      if (options.logKey !== undefined) stop('SIGNET_E_RECEIPT_MISSING', 'A log key was given but the bundle carries no receipt.');
      checks.push({ name: 'log', status: 'skipped', detail: 'the bundle carries no receipt' });
      doesNotProve.push(noReceiptStatement('the bundle'));
    } else if (options.logKey === undefined) {
      checks.push({ name: 'log', status: 'skipped', detail: 'no log key given (--log-key)' });
      doesNotProve.push(RECEIPT_UNCHECKED_STATEMENT);
    } else {
      let logVerifier: NoteVerifier;
      try {
        logVerifier = noteVerifierFromKey(backend, options.logKey, NOTE_SIG_ED25519);
      } catch (e) {
        throw new SignetError('SIGNET_E_CONFIG_INVALID', `The log key is not a C2SP verifier key: ${(e as Error).message}`);
      }
      let receipt;
      try {
        receipt = verifyReceipt(backend, fromBase64url(b.log.receipt), envelopeLogEntry(backend, envelopeBytes), logVerifier);
      } catch (e) {
        stop(isSignetError(e) ? e.code : 'SIGNET_E_RECEIPT_INVALID', (e as Error).message);
      }
      let checkpoint;
      try {
        checkpoint = verifyCheckpoint(backend, b.log.checkpoint, {
          log: logVerifier,
          ...(options.now === undefined ? {} : { now: options.now }),
        });
      } catch (e) {
        stop(isSignetError(e) ? e.code : 'SIGNET_E_LOG_CHECKPOINT_INVALID', (e as Error).message);
      }
      const r = receipt!;
      const cp = checkpoint!;
      if (cp.size < r.size)
        stop('SIGNET_E_LOG_INCONSISTENT', `The checkpoint (tree size ${cp.size}) is older than the receipt (tree size ${r.size}).`);
      if (cp.size === r.size) {
        if (!equalBytes(cp.root, r.root))
          stop(
            'SIGNET_E_LOG_INCONSISTENT',
            'The checkpoint and the receipt are for the same tree size but different roots: the log forked.',
          );
      } else {
        let proof: Uint8Array[];
        try {
          proof = (b.log.consistency ?? []).map((h) => fromBase64url(h));
        } catch {
          return stop('SIGNET_E_LOG_PROOF_INVALID', 'The consistency proof is not base64url.');
        }
        if (!verifyConsistency(backend, r.size, cp.size, r.root, cp.root, proof))
          stop(
            'SIGNET_E_LOG_PROOF_INVALID',
            `The receipt's tree (size ${r.size}) is not proven to be a prefix of the checkpoint's (size ${cp.size}).`,
          );
      }
      checks.push({
        name: 'log',
        status: 'ok',
        detail: `receipt of log ${r.origin}: entry ${r.index} of ${r.size}, checkpoint at size ${cp.size}`,
      });
      proves.push(logIncludedStatement(r.origin, r.index, r.time));
    }

    step = 'content';
    // Content: the text itself (already checked against the digests) or an excerpt proof.
    if (b.content.kind === 'text') {
      if (!equalBytes(backend.sha256(utf8(b.content.text)), fromBase64url(b.suspect.sha256)))
        stop('SIGNET_E_EVIDENCE_MISMATCH', 'The suspect digest in the bundle is not the digest of its text.');
      const how = valid.content?.match === 'exact' ? 'exactly' : 'after white-space and Unicode normalization';
      checks.push({ name: 'content', status: 'ok', detail: `the suspect text matches choice ${b.choice} ${how}` });
      proves.push(`The suspect text is the text of choice ${b.choice} of that response (${how}).`);
    } else if (b.content.kind === 'excerpt') {
      const proof = b.content.proof;
      if (proof.choice !== b.choice) stop('SIGNET_E_EXCERPT_INVALID', 'The excerpt proof is for another choice than the bundle names.');
      const digests = c.content[proof.choice];
      if (digests === undefined) stop('SIGNET_E_EXCERPT_INVALID', 'The excerpt proof names a choice the envelope does not have.');
      let shown;
      try {
        shown = verifyExcerptProof(backend, digests!, proof);
      } catch (e) {
        stop(isSignetError(e) ? e.code : 'SIGNET_E_EXCERPT_INVALID', (e as Error).message);
      }
      const s = shown!;
      checks.push({
        name: 'content',
        status: 'ok',
        detail: `chunks ${s.start}..${s.end - 1} of ${proof.chunkCount} verified against the chunk root`,
      });
      proves.push(
        `The revealed passage (${s.revealed.length} characters, chunks ${s.start} to ${s.end - 1} of ${proof.chunkCount}) is part of choice ${proof.choice} of that response, as sealed.`,
      );
      doesNotProve.push(
        "That the suspect text was derived from the revealed passage: compare them yourself; the similarity score is the provider's assessment.",
        'Anything about the rest of the response: only the revealed chunks are shown.',
      );
    } else {
      checks.push({ name: 'content', status: 'skipped', detail: 'no content evidence (similarity only)' });
      doesNotProve.push(
        "Any link between the suspect text and the sealed content: the bundle carries neither the text nor an excerpt proof, only the provider's similarity assessment.",
      );
    }

    step = 'fields';
    // The match the bundle claims must be the one its content shows: a digest match carries the text
    // and scores 1, with the method the verifier found; a similarity match carries no text.
    const method = b.suspect.method;
    if (b.content.kind === 'text') {
      if (method === 'fingerprint')
        stop('SIGNET_E_EVIDENCE_MISMATCH', 'The bundle carries the sealed text but calls the match a similarity match.');
      if (method !== valid.content?.match)
        stop(
          'SIGNET_E_EVIDENCE_MISMATCH',
          `The bundle calls the match ${method}; the text matches the envelope ${valid.content?.match ?? 'not at all'}.`,
        );
      if (b.suspect.score !== 1) stop('SIGNET_E_EVIDENCE_MISMATCH', 'A digest match must have score 1.');
    } else if (method !== 'fingerprint') {
      stop('SIGNET_E_EVIDENCE_MISMATCH', `The bundle claims a ${method} match but carries no text to check it against.`);
    }
    if (options.suspect !== undefined && !equalBytes(backend.sha256(utf8(options.suspect)), fromBase64url(b.suspect.sha256)))
      stop('SIGNET_E_EVIDENCE_MISMATCH', 'The suspect text given is not the text the bundle is about (its SHA-256 differs).');
    // Fields that restate the envelope must agree with it: an edit to them is caught here.
    if (b.choice >= c.content.length)
      stop('SIGNET_E_EVIDENCE_MISMATCH', `The bundle names choice ${b.choice}; the envelope seals ${c.content.length}.`);
    if (
      b.terms.id !== c.terms.id ||
      b.terms.version !== c.terms.version ||
      b.terms.uri !== c.terms.uri ||
      !equalBytes(fromBase64url(b.terms.digest), c.terms.digest)
    ) {
      stop('SIGNET_E_EVIDENCE_MISMATCH', 'The terms in the bundle are not the terms the envelope was served under.');
    }
    if (!equalBytes(fromBase64url(b.account.tag), c.account.tag))
      stop('SIGNET_E_EVIDENCE_MISMATCH', "The account tag in the bundle is not the envelope's.");
    checks.push({
      name: 'fields',
      status: 'ok',
      detail: `terms, account tag and choice agree with the envelope; the ${method} match agrees with the content${options.suspect === undefined ? '' : '; the suspect text given is the one the bundle names'}`,
    });

    step = 'signature';
    // The provider's signature over the whole bundle: its disclosure and assessment, and no edits since.
    if (b.signature === undefined) {
      if (options.allowUnsigned !== true)
        stop(
          'SIGNET_E_EVIDENCE_UNSIGNED',
          "The bundle is not signed: its account disclosure and match are nobody's statement, and a signature may have been removed. Allow unsigned bundles explicitly to check the rest.",
        );
      checks.push({ name: 'signature', status: 'skipped', detail: 'the bundle is not signed (allowed explicitly)' });
      doesNotProve.push(
        'Who disclosed the account id and the match (suspect id, digest, method, score): the bundle is unsigned, so those fields could have been edited or the signature removed.',
      );
    } else {
      const key = await trust.get(b.signature.kid);
      if (key === undefined) stop('SIGNET_E_EVIDENCE_SIGNATURE', 'The bundle is signed with a key the trust JWKS does not have.');
      if (!key!.verify(fromBase64url(b.signature.value), evidenceSigningInput(b)))
        stop('SIGNET_E_EVIDENCE_SIGNATURE', 'The bundle signature does not verify: the bundle was altered after the provider signed it.');
      checks.push({ name: 'signature', status: 'ok', detail: `bundle signed by ${key!.kid}` });
      signed = true;
      proves.push(
        `${c.issuer} states, under its signature, that account tag ${b.account.tag} is account ${JSON.stringify(b.account.id)}, and stands by the match: suspect ${JSON.stringify(b.suspect.id)} (SHA-256 ${b.suspect.sha256}), matched ${b.suspect.method}, score ${b.suspect.score}${b.suspect.chance === undefined ? '' : `: in its estimate, ${chanceInWords(b.suspect.chance)}`}.`,
      );
    }
    if (c.account.sealedId !== undefined) {
      // The signed envelope carries the account id encrypted to designated auditors: they can check the disclosure themselves.
      proves.push(
        'The envelope carries the account id encrypted to designated auditors (sealed id): an auditor holding that key can confirm the disclosed account with `signet account open`.',
      );
    }
    doesNotProve.push(
      `That tag ${b.account.tag} belongs to account ${JSON.stringify(b.account.id)}: tags are keyed hashes under the provider's secret; the provider can demonstrate the link to a court by recomputing the tag${c.account.sealedId === undefined ? '' : ', and a designated auditor by opening the sealed id'}, but the bundle alone cannot.`,
    );
    return { valid: true, signed, checks, proves, doesNotProve, bundle: b, claims: c };
  } catch (e) {
    const code: SignetErrorCode = e instanceof Stop ? e.code : isSignetError(e) ? e.code : 'SIGNET_E_EVIDENCE_INVALID';
    const message = (e as Error).message;
    checks.push({ name: step, status: 'failed', detail: message, code });
    return {
      valid: false,
      signed: false,
      code,
      message,
      checks,
      proves: [],
      doesNotProve,
      ...(bundle === undefined ? {} : { bundle }),
      ...(claims === undefined ? {} : { claims }),
    };
  }
}

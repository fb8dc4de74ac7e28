import { fromBase64url, utf8 } from '../primitives/bytes.js';
import { SignetError } from '../primitives/errors.js';
import { parseExcerptProof, type ExcerptProof } from './excerpt.js';
import { canonicalizeJson } from '../primitives/jcs.js';
import { isObject } from '../internal/guards.js';

/**
 * The evidence bundle: what a provider hands to a third party (a court's expert, the accused party)
 * when it attributes a text found in a dataset to an account. Plain JSON, self-contained, checkable
 * offline with the provider's public keys and the log's public key only.
 *
 * What carries its own proof: the envelope (provider signature), the content (the suspect text
 * itself when it matches a content digest, else an excerpt proof over the chunk root), the receipt
 * and checkpoint (log signature). What is the provider's statement: the account disclosure and the
 * similarity assessment; the optional bundle signature makes the provider accountable for them and
 * makes any edit to the bundle detectable.
 */

/** The bundle's `type`. */
export const EVIDENCE_TYPE = 'signet-evidence/v1';

/** Domain separation for the bundle signature: no other Signet signature can be replayed as one. */
export const EVIDENCE_SIGNATURE_CONTEXT = 'signet/evidence/v1\u0000';

/** Largest bundle accepted, in bytes of JSON. */
export const MAX_EVIDENCE_BYTES = 4 * 1024 * 1024;

/** How the suspect text was matched to the sealed response. */
export type AttributionMethod = 'exact' | 'normalized' | 'fingerprint';

/** What a bundle shows about the content. */
export type EvidenceContent =
  /** The suspect text matches the envelope's exact or normalized digest: it is the sealed text. */
  | { readonly kind: 'text'; readonly text: string }
  /** An excerpt proof: chunks of the sealed text, proven against the chunk root. */
  | { readonly kind: 'excerpt'; readonly proof: ExcerptProof }
  /** No cryptographic content link (similarity only). */
  | { readonly kind: 'none' };

/** An evidence bundle (JSON). Binary values are base64url. */
export interface EvidenceBundle {
  readonly type: typeof EVIDENCE_TYPE;
  /** When the bundle was made (ISO 8601). */
  readonly createdAt: string;
  /** The envelope (COSE_Sign1, base64url). */
  readonly envelope: string;
  /** The choice of the envelope the suspect text belongs to. */
  readonly choice: number;
  /**
   * The transparency-log receipt (RFC 9942 COSE receipt, base64url), a signed checkpoint of the same
   * log, and, when the checkpoint is of a larger tree than the receipt's, the RFC 9162 consistency
   * proof between the two (base64url hashes).
   */
  readonly log: { readonly receipt: string; readonly checkpoint: string; readonly consistency?: readonly string[] } | null;
  readonly content: EvidenceContent;
  /** The terms the response was served under (must equal the envelope's terms claim). */
  readonly terms: { readonly id: string; readonly version: string; readonly digest: string; readonly uri: string };
  /** The provider's disclosure of the account behind the envelope's account tag. */
  readonly account: { readonly tag: string; readonly id: string };
  /** The suspect text and how it was matched. */
  readonly suspect: {
    readonly id: string;
    /** SHA-256 (base64url) of the suspect text's UTF-8, so the bundle names the exact text it is about. */
    readonly sha256: string;
    readonly method: AttributionMethod;
    /** Similarity in [0, 1] (1 for digest matches). */
    readonly score: number;
    /** Matching spans of the suspect text, `[start, end)` in UTF-16 code units. */
    readonly spans: readonly (readonly [number, number])[];
    /**
     * The provider's estimate of the chance that a text unrelated to its registry shows this much
     * overlap (see {@link chanceInWords}); absent in bundles of earlier releases.
     */
    readonly chance?: number;
    /** The chance in words, exactly {@link chanceInWords} of `chance` (a parser refuses any other wording). */
    readonly chanceStatement?: string;
  };
  /** The provider's signature over everything else (see {@link evidenceSigningInput}). */
  readonly signature?: { readonly alg: 'EdDSA'; readonly kid: string; readonly value: string };
}

/** 1 / chance rounded down to one significant digit, so wording built on it never overstates. */
export function oneIn(chance: number): number {
  if (!(chance > 0)) return Number.MAX_SAFE_INTEGER;
  // The epsilon keeps 1 / 2e-5 from flooring to 49,999 through rounding.
  const n = Math.min(Number.MAX_SAFE_INTEGER, Math.floor((1 / chance) * (1 + 1e-12)));
  if (n < 10) return Math.max(1, n);
  const scale = 10 ** Math.floor(Math.log10(n));
  return Math.floor(n / scale) * scale;
}

/** An attribution's chance in words: "this overlap would arise by chance in fewer than 1 in N unrelated texts of this registry". */
export function chanceInWords(chance: number): string {
  // Thousands separators by hand: the wording must not depend on the runtime's locale data.
  const n = String(oneIn(chance)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `this overlap would arise by chance in fewer than 1 in ${n} unrelated texts of this registry`;
}

/** The bytes the bundle signature covers: a context string and the RFC 8785 JSON of the bundle without its signature. */
export function evidenceSigningInput(bundle: EvidenceBundle): Uint8Array {
  const { signature: _omit, ...rest } = bundle;
  return utf8(EVIDENCE_SIGNATURE_CONTEXT + canonicalizeJson(rest));
}

function bad(message: string): never {
  throw new SignetError('SIGNET_E_EVIDENCE_INVALID', message, {
    hint: 'The bundle is damaged or not a Signet evidence bundle (type signet-evidence/v1).',
  });
}

function str(v: unknown, what: string, max = 4096): string {
  if (typeof v !== 'string' || v.length > max) bad(`${what} must be a string of at most ${max} characters.`);
  return v;
}

function b64(v: unknown, what: string, max = 65536): string {
  const s = str(v, what, max);
  try {
    fromBase64url(s);
  } catch {
    bad(`${what} must be base64url.`);
  }
  return s;
}

function only(obj: Record<string, unknown>, what: string, keys: readonly string[]): void {
  for (const k of Object.keys(obj)) if (!keys.includes(k)) bad(`${what} has an unknown field "${k.slice(0, 40)}".`);
}

/**
 * Parses an evidence bundle from JSON text or a parsed value, with size bounds and strict shape
 * checks (unknown fields are refused: a bundle says exactly what it says). Throws `SIGNET_E_EVIDENCE_INVALID`.
 */
export function parseEvidenceBundle(input: string | unknown): EvidenceBundle {
  let v = input;
  if (typeof input === 'string') {
    if (input.length > MAX_EVIDENCE_BYTES) bad('The bundle is larger than 4 MiB.');
    try {
      v = JSON.parse(input);
    } catch {
      bad('The bundle is not valid JSON.');
    }
  }
  if (!isObject(v)) bad('The bundle must be a JSON object.');
  only(v, 'The bundle', ['type', 'createdAt', 'envelope', 'choice', 'log', 'content', 'terms', 'account', 'suspect', 'signature']);
  if (v.type !== EVIDENCE_TYPE) bad(`The bundle type must be ${EVIDENCE_TYPE}.`);
  const createdAt = str(v.createdAt, 'createdAt', 64);
  const envelope = b64(v.envelope, 'envelope', 32768);
  if (typeof v.choice !== 'number' || !Number.isSafeInteger(v.choice) || v.choice < 0 || v.choice > 127)
    bad('choice must be a whole number.');
  let log: EvidenceBundle['log'] = null;
  if (v.log !== null) {
    if (!isObject(v.log)) bad('log must be an object or null.');
    only(v.log, 'log', ['receipt', 'checkpoint', 'consistency']);
    const consistency = v.log.consistency;
    if (consistency !== undefined && (!Array.isArray(consistency) || consistency.length > 64))
      bad('log.consistency must be a list of hashes.');
    log = {
      receipt: b64(v.log.receipt, 'log.receipt', 1_000_000),
      checkpoint: str(v.log.checkpoint, 'log.checkpoint', 65536),
      ...(consistency === undefined ? {} : { consistency: (consistency as unknown[]).map((h, i) => b64(h, `log.consistency[${i}]`, 64)) }),
    };
  }
  const c = v.content;
  if (!isObject(c)) bad('content must be an object.');
  let content: EvidenceContent;
  if (c.kind === 'text') {
    only(c, 'content', ['kind', 'text']);
    content = { kind: 'text', text: str(c.text, 'content.text', 2_000_000) };
  } else if (c.kind === 'excerpt') {
    only(c, 'content', ['kind', 'proof']);
    try {
      content = { kind: 'excerpt', proof: parseExcerptProof(c.proof) };
    } catch (e) {
      bad(`content.proof: ${(e as Error).message}`);
    }
  } else if (c.kind === 'none') {
    only(c, 'content', ['kind']);
    content = { kind: 'none' };
  } else bad('content.kind must be text, excerpt or none.');
  const t = v.terms;
  if (!isObject(t)) bad('terms must be an object.');
  only(t, 'terms', ['id', 'version', 'digest', 'uri']);
  const terms = {
    id: str(t.id, 'terms.id', 1024),
    version: str(t.version, 'terms.version', 1024),
    digest: b64(t.digest, 'terms.digest', 64),
    uri: str(t.uri, 'terms.uri', 1024),
  };
  const a = v.account;
  if (!isObject(a)) bad('account must be an object.');
  only(a, 'account', ['tag', 'id']);
  const account = { tag: b64(a.tag, 'account.tag', 64), id: str(a.id, 'account.id', 1024) };
  const s = v.suspect;
  if (!isObject(s)) bad('suspect must be an object.');
  only(s, 'suspect', ['id', 'sha256', 'method', 'score', 'spans', 'chance', 'chanceStatement']);
  if (s.method !== 'exact' && s.method !== 'normalized' && s.method !== 'fingerprint')
    bad('suspect.method must be exact, normalized or fingerprint.');
  if (typeof s.score !== 'number' || !(s.score >= 0 && s.score <= 1)) bad('suspect.score must be a number between 0 and 1.');
  if (!Array.isArray(s.spans) || s.spans.length > 100_000) bad('suspect.spans must be a list.');
  if (s.chance !== undefined && (typeof s.chance !== 'number' || !(s.chance >= 0 && s.chance <= 1)))
    bad('suspect.chance must be a number between 0 and 1.');
  if (s.chanceStatement !== undefined && (typeof s.chance !== 'number' || s.chanceStatement !== chanceInWords(s.chance)))
    bad('suspect.chanceStatement must be the wording of suspect.chance.');
  const spans = s.spans.map((span): [number, number] => {
    if (
      !Array.isArray(span) ||
      span.length !== 2 ||
      !span.every((n) => Number.isSafeInteger(n) && (n as number) >= 0) ||
      (span[0] as number) >= (span[1] as number)
    )
      bad('Every span must be [start, end) with start < end.');
    return [span[0] as number, span[1] as number];
  });
  const suspect = {
    id: str(s.id, 'suspect.id', 1024),
    sha256: b64(s.sha256, 'suspect.sha256', 64),
    method: s.method as AttributionMethod,
    score: s.score,
    spans,
    ...(s.chance === undefined ? {} : { chance: s.chance as number }),
    ...(s.chanceStatement === undefined ? {} : { chanceStatement: s.chanceStatement as string }),
  };
  let signature: EvidenceBundle['signature'];
  if (v.signature !== undefined) {
    const g = v.signature;
    if (!isObject(g)) bad('signature must be an object.');
    only(g, 'signature', ['alg', 'kid', 'value']);
    if (g.alg !== 'EdDSA') bad('signature.alg must be EdDSA.');
    signature = { alg: 'EdDSA', kid: str(g.kid, 'signature.kid', 128), value: b64(g.value, 'signature.value', 128) };
  }
  return {
    type: EVIDENCE_TYPE,
    createdAt,
    envelope,
    choice: v.choice,
    log,
    content,
    terms,
    account,
    suspect,
    ...(signature === undefined ? {} : { signature }),
  };
}

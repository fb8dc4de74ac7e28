import {
  chanceInWords,
  createRangeProof,
  EVIDENCE_TYPE,
  evidenceSigningInput,
  normalizeText,
  proofForChunks,
  toBase64url,
  utf8,
  type CryptoBackend,
  type EvidenceBundle,
  type EvidenceContent,
  type ExcerptProof,
} from '@signet/core';
import type { AttributionMatch } from './attribution.js';
import { decodeLengths, findVerbatimChunks, splitLeaves } from './chunks.js';
import { fingerprints } from './fingerprint.js';
import type { SealedRow } from './store.js';

/** Where a bundle's receipt and checkpoint come from when the registry has none stored for the entry. */
export type LogEvidenceSource = (row: SealedRow) => Promise<EvidenceBundle['log']> | EvidenceBundle['log'];

/** Anything that signs: a `SigningKey` of `@signet/core`, or an external signer. */
export interface EvidenceSigner {
  readonly kid: string;
  sign(message: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/** Options of {@link buildEvidence}. */
export interface EvidenceOptions {
  /** The suspect's id (its dataset `id`, or its line number). */
  readonly suspectId: string;
  /** Signs the bundle, making the provider accountable for its disclosure and any edit detectable. */
  readonly signer?: EvidenceSigner;
  /** Supplies receipt and checkpoint when the entry has none stored. */
  readonly log?: LogEvidenceSource;
  /** Clock in milliseconds. */
  readonly now?: () => number;
}

/**
 * The excerpt proof for a similarity match: the chunks of the sealed text that cover the matching
 * passage. With stored text the registry reveals exactly those chunks; without it, only chunks the
 * suspect contains verbatim can be proven (the registry holds their hashes, the suspect their bytes).
 */
function excerptFor(backend: CryptoBackend, row: SealedRow, suspect: string): ExcerptProof | undefined {
  if (row.text !== null) {
    const sealed = normalizeText(row.text);
    const suspectPrints = new Set(fingerprints(suspect).prints.map((p) => p.hash));
    const { words, prints } = fingerprints(sealed);
    const hits = prints.filter((p) => suspectPrints.has(p.hash));
    if (hits.length === 0) return undefined;
    const first = words[Math.min(...hits.map((p) => p.word))];
    const lastPrint = Math.max(...hits.map((p) => p.word));
    const last = words[Math.min(words.length - 1, lastPrint + 3)];
    if (first === undefined || last === undefined) return undefined;
    const byteStart = utf8(sealed.slice(0, first.start)).length;
    const byteEnd = utf8(sealed.slice(0, last.end)).length;
    return createRangeProof(backend, utf8(sealed), byteStart, byteEnd, row.choice);
  }
  const found = findVerbatimChunks(backend, utf8(normalizeText(suspect)), splitLeaves(row.chunkLeaves), decodeLengths(row.chunkLengths));
  if (found === undefined) return undefined;
  return proofForChunks(backend, splitLeaves(row.chunkLeaves), found.start, found.chunks, row.choice);
}

/**
 * Builds the evidence bundle for one attribution: the envelope, its receipt and checkpoint, the
 * content evidence (the suspect itself for digest matches, an excerpt proof otherwise), the terms,
 * the account disclosure and the match, optionally signed.
 */
export async function buildEvidence(
  backend: CryptoBackend,
  match: AttributionMatch,
  suspect: string,
  options: EvidenceOptions,
): Promise<EvidenceBundle> {
  const row = match.row;
  let content: EvidenceContent;
  if (match.method === 'exact' || match.method === 'normalized') content = { kind: 'text', text: suspect };
  else {
    const proof = excerptFor(backend, row, suspect);
    content = proof === undefined ? { kind: 'none' } : { kind: 'excerpt', proof };
  }
  let log: EvidenceBundle['log'] = null;
  if (row.receipt !== null && row.checkpoint !== null) log = { receipt: toBase64url(row.receipt), checkpoint: row.checkpoint };
  else if (options.log !== undefined) log = await options.log(row);
  const unsigned: EvidenceBundle = {
    type: EVIDENCE_TYPE,
    createdAt: new Date((options.now ?? Date.now)()).toISOString(),
    envelope: toBase64url(row.envelope),
    choice: row.choice,
    log,
    content,
    terms: { id: row.termsId, version: row.termsVersion, digest: toBase64url(row.termsDigest), uri: row.termsUri },
    account: { tag: toBase64url(row.accountTag), id: row.accountId },
    suspect: {
      id: options.suspectId,
      sha256: toBase64url(backend.sha256(utf8(suspect))),
      method: match.method,
      score: match.score,
      spans: match.spans,
      // The registry's estimate that an unrelated text shows this much overlap; the signature makes
      // the provider accountable for it, and for its wording.
      chance: match.chance,
      chanceStatement: chanceInWords(match.chance),
    },
  };
  if (options.signer === undefined) return unsigned;
  const value = await options.signer.sign(evidenceSigningInput(unsigned));
  return { ...unsigned, signature: { alg: 'EdDSA', kid: options.signer.kid, value: toBase64url(value) } };
}

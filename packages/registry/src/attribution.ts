import { normalizeText, utf8, type AttributionMethod, type CryptoBackend } from '@signet/core';
import { fingerprints, fingerprintsFromBytes, spansOf } from './fingerprint.js';
import type { RegistryStore, SealedRow } from './store.js';

/**
 * Attribution search: which sealed response does a suspect text come from?
 *
 * Three stages, cheapest and most certain first: the exact digest (the text is the sealed text),
 * the normalized digest (it is, up to white space and Unicode composition), then similarity over
 * winnowing fingerprints (an excerpt or an edited copy). Similarity candidates are scored by
 * containment: the share of the suspect's fingerprints the entry has, or of the entry's the suspect
 * has, whichever is larger (so both an excerpt and a record that pastes several answers together
 * score high).
 */

/** Tuning of the similarity stage. */
export interface AttributionOptions {
  /** Lowest score reported as a match (default 0.3). */
  readonly minScore?: number;
  /** Fewest shared fingerprints for a match (default 3): fewer is chance, not copying. */
  readonly minShared?: number;
  /** Fingerprints held by more entries than this are boilerplate and ignored (default 200). */
  readonly maxPosting?: number;
  /** How many ranked matches to return (default 5). */
  readonly limit?: number;
}

/** One attributed sealed choice, with how well the suspect matches it. */
export interface AttributionMatch {
  readonly row: SealedRow;
  readonly method: AttributionMethod;
  /** Similarity in [0, 1]; 1 for digest matches. */
  readonly score: number;
  /** Number of shared fingerprints (similarity stage only). */
  readonly shared: number;
  /** Matching spans of the suspect, `[start, end)` UTF-16 offsets. */
  readonly spans: [number, number][];
}

/** Defaults chosen on the attribution benchmark (bench/suites/audit.mjs). */
export const ATTRIBUTION_DEFAULTS = { minScore: 0.3, minShared: 3, maxPosting: 200, limit: 5 } as const;

/** Ranks the registry's entries against one suspect text. Best match first; empty when nothing matches. */
export async function attributeText(
  store: RegistryStore,
  backend: CryptoBackend,
  text: string,
  options: AttributionOptions = {},
): Promise<AttributionMatch[]> {
  const o = { ...ATTRIBUTION_DEFAULTS, ...options };
  const whole: [number, number][] = text.length === 0 ? [] : [[0, text.length]];
  // Identical text served more than once: earliest first (the first account that received it).
  const byTime = (rows: SealedRow[]): SealedRow[] => rows.sort((a, b) => a.issuedAt - b.issuedAt || a.id - b.id);
  const exact = byTime(await store.byExact(backend.sha256(utf8(text))));
  if (exact.length > 0) return exact.slice(0, o.limit).map((row) => ({ row, method: 'exact', score: 1, shared: 0, spans: whole }));
  const normalized = normalizeText(text);
  if (normalized.length > 0) {
    const rows = byTime(await store.byNormalized(backend.sha256(utf8(normalized))));
    if (rows.length > 0) return rows.slice(0, o.limit).map((row) => ({ row, method: 'normalized', score: 1, shared: 0, spans: whole }));
  }
  const fp = fingerprints(text);
  const suspectSet = new Set(fp.prints.map((p) => p.hash));
  if (suspectSet.size < o.minShared) return [];
  const postings = await store.postings([...suspectSet], o.maxPosting);
  const candidates = postings
    .filter((p) => p.hashes.length >= o.minShared)
    .sort((a, b) => b.hashes.length - a.hashes.length)
    .slice(0, o.limit * 4);
  if (candidates.length === 0) return [];
  const sets = await store.fingerprintsOf(candidates.map((c) => c.id));
  const scored = candidates
    .map((c) => {
      const entrySize = Math.max(1, Math.floor((sets.get(c.id)?.length ?? 0) / 4));
      const shared = c.hashes.length;
      return { id: c.id, hashes: c.hashes, shared, score: Math.min(1, Math.max(shared / suspectSet.size, shared / entrySize)) };
    })
    .filter((c) => c.score >= o.minScore)
    .sort((a, b) => b.score - a.score || b.shared - a.shared)
    .slice(0, o.limit);
  if (scored.length === 0) return [];
  const rows = new Map((await store.get(scored.map((c) => c.id))).map((r) => [r.id, r] as const));
  const out: AttributionMatch[] = [];
  for (const c of scored) {
    const row = rows.get(c.id);
    if (row === undefined) continue;
    const hit = new Set(c.hashes);
    out.push({
      row,
      method: 'fingerprint',
      score: round(c.score),
      shared: c.shared,
      spans: spansOf(
        fp.words,
        fp.prints.filter((p) => hit.has(p.hash)),
      ),
    });
  }
  return out;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The fingerprint set of a stored row, decoded. */
export function rowFingerprints(row: SealedRow): Int32Array {
  return fingerprintsFromBytes(row.fingerprints);
}

import type { AttributionMethod } from '@signet/core';
import type { SealedRow } from './store.js';

/** One attributed sealed choice, with how well the suspect matches it. */
export interface AttributionMatch {
  readonly row: SealedRow;
  readonly method: AttributionMethod;
  /**
   * Similarity in [0, 1]: the share of the suspect's fingerprints the entry has, or of the entry's
   * the suspect has, whichever is larger; 1 for digest matches. Descriptive only: the decision is
   * made on {@link chance}.
   */
  readonly score: number;
  /** Number of shared fingerprints. */
  readonly shared: number;
  /** Evidence in bits: the summed weight of the shared fingerprints this match explains. */
  readonly evidence: number;
  /**
   * Estimated chance that a text unrelated to this registry reaches this much evidence: "this
   * overlap would arise by chance in fewer than 1 in 1/chance unrelated texts of this registry".
   */
  readonly chance: number;
  /** Matching spans of the suspect, `[start, end)` UTF-16 offsets. */
  readonly spans: [number, number][];
}

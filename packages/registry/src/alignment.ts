/**
 * Local alignment of a suspect against one sealed text, over the suspect's fingerprints in text
 * order: the best contiguous stretch, where each fingerprint the sealed text holds adds its weight
 * and each one it lacks costs {@link GAP_BITS}.
 *
 * Why a stretch and not the whole set: copying leaves runs (an excerpt, a quoted passage, an
 * answer pasted into a longer text), while a text written from the same template shares isolated
 * stock phrases between fingerprints of its own. Summing every shared fingerprint lets a long
 * never-sealed text collect the phrases of a template one by one; a stretch pays for every
 * fingerprint in between that does not match. Fingerprints too common to look up (held by more rows
 * than the boilerplate cut-off) are unknown, and neither add nor cost.
 */

/** What a suspect fingerprint the sealed text lacks costs, in bits (chosen on the evaluation corpus). */
export const GAP_BITS = 1;

/** The suspect's fingerprints in text order, and which of them could be looked up. */
export interface Sequence {
  readonly hashes: readonly number[];
  /** `missable[i]`: how many looked-up fingerprints come before position i (length + 1 entries). */
  readonly missable: Int32Array;
}

/** Builds the sequence of `hashes` (text order), where `known(h)` says whether h was looked up. */
export function sequenceOf(hashes: readonly number[], known: (h: number) => boolean): Sequence {
  const missable = new Int32Array(hashes.length + 1);
  hashes.forEach((h, i) => (missable[i + 1] = (missable[i] as number) + (known(h) ? 1 : 0)));
  return { hashes, missable };
}

/** The best stretch: its evidence in bits and the positions of its matching fingerprints. */
export interface Stretch {
  readonly bits: number;
  readonly positions: number[];
}

/**
 * The best stretch over matching positions `hits` (ascending) with weights `weight(position)`;
 * positions for which `neutral` holds count neither for nor against.
 */
export function bestStretch(
  seq: Sequence,
  hits: readonly number[],
  weight: (position: number) => number,
  neutral?: (position: number) => boolean,
): Stretch {
  let best: Stretch = { bits: 0, positions: [] };
  let run = 0;
  let start = 0;
  let prev = -1;
  const counted: number[] = [];
  for (let k = 0; k < hits.length; k++) {
    const p = hits[k] as number;
    const isNeutral = neutral?.(p) === true;
    // Looked-up fingerprints strictly between the previous hit and this one are misses.
    const misses = prev < 0 ? 0 : (seq.missable[p] as number) - (seq.missable[prev + 1] as number);
    const carried = run - GAP_BITS * misses;
    const gain = isNeutral ? 0 : weight(p);
    if (carried > 0) run = carried + gain;
    else {
      run = gain;
      start = counted.length;
    }
    counted.push(p);
    prev = p;
    if (run > best.bits) best = { bits: run, positions: counted.slice(start) };
  }
  return best;
}

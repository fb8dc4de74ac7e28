/**
 * Text normalization for the second content digest.
 *
 * Records copied into datasets are often reformatted trivially: line endings change, indentation
 * and runs of spaces collapse, a composed character becomes decomposed. The normalized form is
 * what survives that: Unicode NFC, then every run of white space (U+0009-U+000D, U+0020, U+00A0,
 * U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000) replaced by one U+0020, then a
 * leading and a trailing U+0020 removed.
 *
 * U+FEFF (ZERO WIDTH NO-BREAK SPACE) is not white space here, although ECMAScript's `\s` counts
 * it: it is invisible, so folding it would make "no<U+FEFF>thing" match "no thing". A normalized
 * match is still weaker than an exact one (re-indented code and a list run into a paragraph match
 * too), which is why verifiers report it as such and clients accept only exact matches by default.
 *
 * The function is idempotent: normalizing a normalized text returns it unchanged.
 */
export function normalizeText(text: string): string {
  // Fast paths, same result: ASCII text is already NFC, and text with no white space other than
  // single inner spaces has nothing to fold. Both are the common case for model output.
  const nfc = NON_ASCII.test(text) ? text.normalize('NFC') : text;
  if (!NEEDS_FOLDING.test(nfc)) return nfc;
  // After folding every run is one U+0020, so trimming is taking off at most one at each end
  // (String.prototype.trim would also take U+FEFF).
  let folded = nfc.replace(WHITESPACE_RUN, ' ');
  if (folded.startsWith(' ')) folded = folded.slice(1);
  if (folded.endsWith(' ')) folded = folded.slice(0, -1);
  return folded;
}

// The white space that folds, less U+0020 (listed apart so the common single space is skipped).
const OTHER_WS = '\\t\\n\\v\\f\\r\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
// Matches only the white-space runs that change: a run of two or more characters, or one that is
// not U+0020. Replacing each with one space gives the same text as replacing every run, with far
// fewer replacements.
const WHITESPACE_RUN = new RegExp(`(?: [ ${OTHER_WS}]|[${OTHER_WS}])[ ${OTHER_WS}]*`, 'g');
const NEEDS_FOLDING = new RegExp(`[${OTHER_WS}]| {2}|^ | $`);
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Text normalization for the second content digest.
 *
 * Records copied into datasets are often reformatted trivially: line endings change, indentation
 * and runs of spaces collapse, a composed character becomes decomposed. The normalized form is
 * what survives that: Unicode NFC, then every run of white space (the ECMAScript `\s` class:
 * U+0009-U+000D, U+0020, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000,
 * U+FEFF) replaced by one U+0020, then leading and trailing white space removed.
 *
 * The function is idempotent: normalizing a normalized text returns it unchanged.
 */
export function normalizeText(text: string): string {
  // Fast paths, same result: ASCII text is already NFC, and text with no white space other than
  // single inner spaces has nothing to fold. Both are the common case for model output.
  const nfc = NON_ASCII.test(text) ? text.normalize('NFC') : text;
  return NEEDS_FOLDING.test(nfc) ? nfc.replace(WHITESPACE_RUN, ' ').trim() : nfc;
}

// Matches only the white-space runs that change: a run of two or more characters, or one that is
// not U+0020. Replacing each with one space gives the same text as replacing every run, with far
// fewer replacements. Without the `u` flag `\s` matches the same set (all of it is in the BMP).
const WHITESPACE_RUN = /(?: \s|[^\S ])\s*/g;
const NEEDS_FOLDING = /[^\S ]| {2}|^ | $/;
const NON_ASCII = /[^\x00-\x7f]/;

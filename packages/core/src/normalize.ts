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
  return text.normalize('NFC').replace(WHITESPACE_RUN, ' ').trim();
}

const WHITESPACE_RUN = /\s+/gu;

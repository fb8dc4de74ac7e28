/**
 * Whether a string is well-formed UTF-16 (no lone surrogate), the condition for it to have a UTF-8
 * encoding at all. `String.prototype.isWellFormed` (ES2024) answers at once for the common one-byte
 * strings, which cannot hold a surrogate; runtimes without it scan with a regular expression.
 */

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

type WithIsWellFormed = string & { isWellFormed(): boolean };

/** True when `text` has no lone surrogate. */
export const isWellFormed: (text: string) => boolean =
  typeof (String.prototype as Partial<WithIsWellFormed>).isWellFormed === 'function'
    ? (text) => (text as WithIsWellFormed).isWellFormed()
    : (text) => !LONE_SURROGATE.test(text);

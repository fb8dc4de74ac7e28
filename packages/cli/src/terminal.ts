/**
 * What reaches the terminal. Envelopes, bundles, datasets and logs are written by others: a `kid`,
 * an issuer or a suspect id can hold escape sequences that recolour, hide or rewrite what the user
 * reads (a carriage return that paints "valid" over "invalid"), or bidirectional overrides that
 * reorder it. Two layers keep that out:
 *
 * - {@link shown}: every untrusted string put into human-readable output goes through it. Control
 *   characters, line breaks included, are printed escaped (`\x1b`, `\n`), so one field stays one field
 *   on one line.
 * - {@link terminalSafe}: the CLI's stdout and stderr pass through it (see main.ts), so a string a
 *   printer forgot to wrap still cannot carry a live escape sequence. It keeps only the layout the
 *   CLI itself writes: newlines, tabs, and a carriage return at the start of a write (a progress
 *   line redrawing itself).
 *
 * JSON output needs no more than the sink: JSON.stringify escapes C0 controls, and the sink escapes
 * the rest as `\uXXXX`, which keeps the JSON valid and its values unchanged.
 */

// C0 controls, DEL, C1 controls, the bidirectional embeddings, overrides and isolates, the
// Unicode line and paragraph separators, and lone surrogates.
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/gu;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(ch: string): string {
  const named = NAMED[ch];
  if (named !== undefined) return named;
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** An untrusted string as it may be shown: control and direction characters escaped, on one line. */
export function shown(value: string): string {
  return value.replace(UNSAFE, escapeOne);
}

/**
 * Output text made safe for a terminal: like {@link shown}, but keeping newlines, tabs and a leading
 * carriage return, which only the CLI's own formatting writes.
 */
export function terminalSafe(text: string): string {
  let out = '';
  let i = 0;
  if (text.startsWith('\r')) {
    out = '\r';
    i = 1;
  }
  return (
    out +
    text.slice(i).replace(UNSAFE, (ch) => {
      if (ch === '\n' || ch === '\t') return ch;
      // Inside JSON a C1 or direction character is escaped the JSON way, which keeps the document valid.
      const code = ch.charCodeAt(0);
      return code >= 0x7f ? `\\u${code.toString(16).padStart(4, '0')}` : escapeOne(ch);
    })
  );
}

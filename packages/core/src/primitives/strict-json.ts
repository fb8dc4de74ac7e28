import { SignetError } from './errors.js';

/**
 * JSON.parse that refuses duplicate member names. RFC 8259 leaves duplicates to the parser, and
 * parsers differ (first wins, last wins, error): a signed JSON text with two `kid` or two `alg`
 * members could mean one thing to us and another to someone else. One meaning only.
 */
export function parseJsonStrict(text: string, what: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SignetError('SIGNET_E_PARSE_MALFORMED', `The ${what} is not JSON.`, { step: 'parse' });
  }
  // The text is valid JSON now, so a scan only has to find member names: a string followed by ':'.
  const stack: (Set<string> | null)[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '{') stack.push(new Set());
    else if (c === '[') stack.push(null);
    else if (c === '}' || c === ']') stack.pop();
    else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const raw = text.slice(i, j + 1);
      i = j + 1;
      while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
      const keys = stack[stack.length - 1];
      if (text[i] === ':' && keys !== undefined && keys !== null) {
        const name = JSON.parse(raw) as string;
        if (keys.has(name))
          throw new SignetError('SIGNET_E_PARSE_MALFORMED', `The ${what} has the member ${JSON.stringify(name.slice(0, 40))} twice.`, {
            step: 'parse',
          });
        keys.add(name);
      }
      continue;
    }
    i++;
  }
  return value;
}

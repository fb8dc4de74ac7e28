import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSignetError } from './errors.js';
import { canonicalizeJson } from './jcs.js';

describe('RFC 8785 canonical JSON', () => {
  it('sorts members by UTF-16 code units and drops white space', () => {
    expect(canonicalizeJson({ b: 1, a: [true, null, 'x'], '\u20ac': 0, '\ud83d\ude00': 1, '\ufb33': 2 })).toBe(
      '{"a":[true,null,"x"],"b":1,"\u20ac":0,"\ud83d\ude00":1,"\ufb33":2}',
    );
    expect(canonicalizeJson({ z: { y: 1, x: 2 } })).toBe('{"z":{"x":2,"y":1}}');
  });

  it('writes numbers as ECMAScript does', () => {
    expect(canonicalizeJson([1e21, 1e-7, 0.1, -0, 333333333.3333333, 1e300, 5e-324, 100])).toBe(
      '[1e+21,1e-7,0.1,0,333333333.3333333,1e+300,5e-324,100]',
    );
  });

  it('escapes strings minimally', () => {
    expect(canonicalizeJson('\u0000\b\f\n\r\t"\\/\u007f\u00e9')).toBe('"\\u0000\\b\\f\\n\\r\\t\\"\\\\/\u007f\u00e9"');
  });

  it('refuses what JSON cannot represent, with a typed error', () => {
    for (const bad of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      1n,
      () => 1,
      Symbol('x'),
      new Date(0),
      '\ud800',
      { k: '\udc00' },
      { '\ud800': 1 },
      undefined,
    ]) {
      let code: string | undefined;
      try {
        canonicalizeJson(bad);
      } catch (e) {
        code = isSignetError(e) ? e.code : 'untyped';
      }
      expect(code).toBe('SIGNET_E_INPUT_INVALID');
    }
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(() => canonicalizeJson(deep)).toThrow(/deeper/);
  });

  it('is stable under JSON round-trips and key order (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        const c = canonicalizeJson(v);
        expect(canonicalizeJson(JSON.parse(c))).toBe(c);
        expect(JSON.parse(c)).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 500 },
    );
  });

  it('gives the bytes of a plain reference implementation, and refuses the same inputs (property)', () => {
    // RFC 8785 written as plainly as possible: sorted members, JSON.stringify for strings and numbers.
    const reference = (v: unknown): string => {
      if (typeof v === 'string') {
        // With the u flag a pair is one astral code point, so only a lone surrogate matches.
        if (/\p{Cs}/u.test(v)) throw new Error('lone surrogate');
        return JSON.stringify(v);
      }
      if (typeof v === 'number') {
        if (!Number.isFinite(v)) throw new Error('not finite');
        return JSON.stringify(v);
      }
      if (typeof v === 'boolean' || v === null) return JSON.stringify(v);
      if (Array.isArray(v)) return `[${v.map(reference).join(',')}]`;
      if (typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v))) {
        const o = v as Record<string, unknown>;
        const keys = Object.keys(o)
          .filter((k) => o[k] !== undefined)
          .sort();
        return `{${keys.map((k) => `${reference(k)}:${reference(o[k])}`).join(',')}}`;
      }
      throw new Error('not JSON');
    };
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.string({ unit: fc.constantFrom('a', '"', '\\', '\n', '\u0000', '\u2028', 'é', '\ud800', '\udc00', '\ud83d\ude00'), maxLength: 8 }),
      // Around the printable-ASCII fast path and its length limit.
      fc.string({ unit: fc.constantFrom('a', ' ', '~', '/', '\u007f', '\u001f', '"', '\\', '\u0080'), minLength: 60, maxLength: 70 }),
      fc.string({ unit: fc.constantFrom('a', ' ', '~', '/', '\u007f', '\u001f', '"', '\\'), maxLength: 6 }),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        text,
        fc.double(),
        fc.constantFrom(-0, 0, 1e21, 5e-324, true, false, null),
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(text, fc.oneof(tie('node'), fc.constant(undefined)), { maxKeys: 5 }),
        // Either side of the member count where the sort changes.
        fc.dictionary(text, fc.integer(), { minKeys: 12, maxKeys: 24 }),
      ),
    })).node;
    const outcome = (f: () => string): string => {
      try {
        return f();
      } catch {
        return 'refused';
      }
    };
    fc.assert(
      fc.property(value, (v) => {
        expect(outcome(() => canonicalizeJson(v))).toBe(outcome(() => reference(v)));
      }),
      { numRuns: 1000 },
    );
  });
});

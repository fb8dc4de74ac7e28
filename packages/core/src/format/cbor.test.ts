import { Decoder, Encoder } from 'cbor-x';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../primitives/bytes.js';
import { decodeCbor, validateCbor, type CborLimits } from './cbor-decode.js';
import { compareCborKeys, encodeCbor } from './cbor.js';
import { isSignetError } from '../primitives/errors.js';

const key = fc.oneof(fc.integer({ min: -1000, max: 100000 }), fc.string({ maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 4 }));
const int = fc.oneof(
  fc.integer(),
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.constantFrom(0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, -(2 ** 32), -(2 ** 32) - 1),
);
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    int,
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'grapheme', maxLength: 10 }),
    fc.uint8Array({ maxLength: 40 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc
      .uniqueArray(fc.tuple(key, tie('value')), { maxLength: 5, selector: ([k]) => (typeof k === 'number' ? `n${k}` : `s${k}`) })
      .map((entries) => new Map(entries)),
  ),
}));

function codeOf(bytes: Uint8Array, limits: Partial<CborLimits> = {}): string | undefined {
  try {
    validateCbor(bytes, limits);
    return undefined;
  } catch (e) {
    if (isSignetError(e)) return e.code;
    throw e;
  }
}

describe('deterministic CBOR', () => {
  it('round-trips: decode(encode(v)) equals v, validateCbor accepts, and re-encoding is byte-identical (property)', () => {
    fc.assert(
      fc.property(value, (v) => {
        const bytes = encodeCbor(v);
        expect(codeOf(bytes, { maxDepth: 64, maxItems: 100000 })).toBeUndefined();
        const back = decodeCbor(bytes, { maxDepth: 64, maxItems: 100000 });
        expect(back).toEqual(v);
        expect(toHex(encodeCbor(back))).toBe(toHex(bytes));
      }),
      { numRuns: 600 },
    );
  });

  it('decodes to the same values as cbor-x, an independent decoder (property)', () => {
    const reference = new Decoder({ useRecords: false, mapsAsObjects: false, int64AsNumber: false } as ConstructorParameters<
      typeof Decoder
    >[0]);
    // cbor-x hands out Buffers on Node and BigInt for every 8-byte head; bring both to plain form.
    const plain = (x: unknown): unknown => {
      if (typeof x === 'bigint') return x <= BigInt(Number.MAX_SAFE_INTEGER) && x >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(x) : x;
      if (x instanceof Uint8Array) return new Uint8Array(x);
      if (x instanceof Map) return new Map([...x].map(([k, y]) => [k, plain(y)]));
      if (Array.isArray(x)) return x.map(plain);
      if (x !== null && typeof x === 'object' && 'tag' in x)
        return { tag: (x as { tag: number }).tag, value: plain((x as unknown as { value: unknown }).value) };
      return x;
    };
    fc.assert(
      fc.property(fc.oneof(value, fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n })), (v) => {
        const bytes = encodeCbor(v);
        expect(plain(decodeCbor(bytes, { maxDepth: 64, maxItems: 100000 }))).toEqual(plain(reference.decode(bytes)));
      }),
      { numRuns: 600 },
    );
    const tagged = fromHex('d28201f6');
    expect(decodeCbor(tagged, { allowedTags: [18] })).toEqual(plain(reference.decode(tagged)));
  });

  it('matches cbor-x byte for byte on the same (pre-sorted) values (property)', () => {
    // cbor-x is an independent encoder; given maps already in deterministic key order and 64-bit
    // integers as BigInt, its output is the deterministic encoding too.
    const reference = new Encoder({
      useRecords: false,
      mapsAsObjects: false,
      variableMapSize: true,
      tagUint8Array: false,
      useTag259ForMaps: false,
    } as ConstructorParameters<typeof Encoder>[0]);
    const prepare = (v: unknown): unknown => {
      if (v instanceof Map)
        return new Map(
          [...v.entries()]
            .sort((a, b) => compareCborKeys(a[0] as string | number, b[0] as string | number))
            .map(([k, x]) => [k, prepare(x)]),
        );
      if (Array.isArray(v)) return v.map(prepare);
      if (typeof v === 'number' && (v > 0xffffffff || v < -0x100000000)) return BigInt(v);
      return v;
    };
    fc.assert(
      fc.property(value, (v) => {
        const theirs = reference.encode(prepare(v));
        expect(toHex(encodeCbor(v))).toBe(toHex(new Uint8Array(theirs.buffer, theirs.byteOffset, theirs.byteLength)));
      }),
      { numRuns: 1000 },
    );
  });

  it('writes correct heads at every length boundary, for ASCII, 2-, 3- and 4-byte characters', () => {
    const reference = new Encoder({
      useRecords: false,
      mapsAsObjects: false,
      variableMapSize: true,
      tagUint8Array: false,
      useTag259ForMaps: false,
    } as ConstructorParameters<typeof Encoder>[0]);
    const same = (v: unknown): void => {
      const ours = encodeCbor(v);
      const theirs = reference.encode(v);
      expect(toHex(ours)).toBe(toHex(new Uint8Array(theirs.buffer, theirs.byteOffset, theirs.byteLength)));
      expect(codeOf(ours, { maxBytes: 1 << 20, maxItems: 1 << 20 })).toBeUndefined();
    };
    const lengths = [0, 1, 7, 8, 9, 22, 23, 24, 25, 85, 86, 255, 256, 257, 21845, 21846, 65535, 65536, 65537];
    for (const unit of ['a', '\u00e9', '\u20ac', '\ud83d\ude00']) {
      for (const n of lengths) {
        if (n * unit.length > 70000) continue;
        same(unit.repeat(n));
        // Mixed: one wide character among ASCII shifts the byte length across a boundary.
        same(`${'a'.repeat(Math.max(0, n - 1))}${unit}`);
      }
    }
    for (const n of [23, 24, 255, 256, 65535, 65536]) {
      same(new Uint8Array(n).fill(7));
      same(new Array(n).fill(0));
      same(new Map(Array.from({ length: Math.min(n, 300) }, (_, i) => [i, i])));
    }
  });

  it('map key order does not depend on insertion order (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(key, { maxLength: 12, selector: (k) => (typeof k === 'number' ? `n${k}` : `s${k}`) }), (keys) => {
        const a = new Map(keys.map((k, i) => [k, i] as const));
        const b = new Map([...keys.map((k, i) => [k, i] as const)].reverse());
        expect(toHex(encodeCbor(a))).toBe(toHex(encodeCbor(b)));
      }),
      { numRuns: 300 },
    );
  });

  it('compareCborKeys agrees with bytewise order of the encoded keys (property)', () => {
    fc.assert(
      fc.property(key, key, (a, b) => {
        const ea = toHex(encodeCbor(a));
        const eb = toHex(encodeCbor(b));
        const want = ea < eb ? -1 : ea > eb ? 1 : 0;
        expect(Math.sign(compareCborKeys(a, b))).toBe(want);
      }),
      { numRuns: 1000 },
    );
  });

  it('encodes integers in shortest form, with 8-byte heads beyond 32 bits', () => {
    expect(toHex(encodeCbor(23))).toBe('17');
    expect(toHex(encodeCbor(24))).toBe('1818');
    expect(toHex(encodeCbor(-25))).toBe('3818');
    expect(toHex(encodeCbor(2 ** 32 - 1))).toBe('1affffffff');
    expect(toHex(encodeCbor(2 ** 32))).toBe('1b0000000100000000');
    expect(toHex(encodeCbor(-(2 ** 32) - 1))).toBe('3b0000000100000000');
    expect(decodeCbor(encodeCbor(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(decodeCbor(encodeCbor(2n ** 64n - 1n))).toBe(2n ** 64n - 1n);
  });

  it('refuses to encode floats, unsafe integers and integers beyond 64 bits', () => {
    expect(() => encodeCbor(1.5)).toThrow(TypeError);
    expect(() => encodeCbor(new Map([[1, [0.1]]]))).toThrow(TypeError);
    expect(() => encodeCbor(2 ** 60)).toThrow(RangeError);
    expect(() => encodeCbor(2n ** 64n)).toThrow(RangeError);
    expect(() => encodeCbor(-(2n ** 64n) - 1n)).toThrow(RangeError);
  });
});

describe('validateCbor refuses hostile input with a typed parse error', () => {
  const cases: [string, string, string, Partial<CborLimits>?][] = [
    ['empty input', '', 'SIGNET_E_PARSE_MALFORMED'],
    ['truncated head', '19 01', 'SIGNET_E_PARSE_MALFORMED'],
    ['truncated string', '43 0102', 'SIGNET_E_PARSE_MALFORMED'],
    ['truncated array', '83 01 02', 'SIGNET_E_PARSE_MALFORMED'],
    ['huge declared length', '5b ffffffffffffffff 00', 'SIGNET_E_PARSE_MALFORMED'],
    ['huge declared array', '9a ffffffff 00', 'SIGNET_E_PARSE_MALFORMED'],
    ['huge declared map', 'bb 0fffffffffffffff 00', 'SIGNET_E_PARSE_MALFORMED'],
    ['trailing bytes', '01 02', 'SIGNET_E_PARSE_MALFORMED'],
    ['non-shortest integer (1 byte)', '18 17', 'SIGNET_E_PARSE_NOT_CANONICAL'],
    ['non-shortest integer (2 bytes)', '19 00ff', 'SIGNET_E_PARSE_NOT_CANONICAL'],
    ['non-shortest integer (8 bytes)', '1b 00000000ffffffff', 'SIGNET_E_PARSE_NOT_CANONICAL'],
    ['non-shortest length', '58 01 00', 'SIGNET_E_PARSE_NOT_CANONICAL'],
    ['indefinite-length array', '9f 01 ff', 'SIGNET_E_PARSE_NOT_CANONICAL'],
    ['indefinite-length byte string', '5f 41 00 ff', 'SIGNET_E_PARSE_NOT_CANONICAL'],
    ['indefinite-length map', 'bf 01 01 ff', 'SIGNET_E_PARSE_NOT_CANONICAL'],
    ['break code alone', 'ff', 'SIGNET_E_PARSE_NOT_CANONICAL'],
    ['reserved additional information', '1c', 'SIGNET_E_PARSE_MALFORMED'],
    ['half float', 'f9 3c00', 'SIGNET_E_PARSE_MALFORMED'],
    ['single float', 'fa 3fc00000', 'SIGNET_E_PARSE_MALFORMED'],
    ['double float', 'fb 3ff8000000000000', 'SIGNET_E_PARSE_MALFORMED'],
    ['undefined', 'f7', 'SIGNET_E_PARSE_MALFORMED'],
    ['simple value 16', 'f0', 'SIGNET_E_PARSE_MALFORMED'],
    ['two-byte simple value', 'f8 20', 'SIGNET_E_PARSE_MALFORMED'],
    ['tag not allowed', 'c1 01', 'SIGNET_E_PARSE_MALFORMED'],
    ['bignum tag', 'c2 41 01', 'SIGNET_E_PARSE_MALFORMED'],
    ['duplicate map key', 'a2 01 00 01 00', 'SIGNET_E_PARSE_MALFORMED'],
    ['duplicate text key', 'a2 6161 00 6161 01', 'SIGNET_E_PARSE_MALFORMED'],
    ['unsorted map keys', 'a2 02 00 01 00', 'SIGNET_E_PARSE_NOT_CANONICAL'],
    ['negative key before positive', 'a2 20 00 01 00', 'SIGNET_E_PARSE_NOT_CANONICAL'],
    ['invalid UTF-8', '62 c328', 'SIGNET_E_PARSE_MALFORMED'],
    ['UTF-8 surrogate', '63 eda080', 'SIGNET_E_PARSE_MALFORMED'],
    ['over the size cap', '44 00000000', 'SIGNET_E_PARSE_TOO_LARGE', { maxBytes: 4 }],
    ['too many items', '83 010203', 'SIGNET_E_PARSE_TOO_LARGE', { maxItems: 3 }],
  ];
  for (const [name, h, code, limits] of cases) {
    it(`${name} -> ${code}`, () => {
      expect(codeOf(fromHex(h.replace(/ /g, '')), limits)).toBe(code);
      expect(() => decodeCbor(fromHex(h.replace(/ /g, '')), limits)).toThrow();
    });
  }

  it('deep nesting is refused before recursion gets deep', () => {
    const deep = new Uint8Array(100001).fill(0x81);
    deep[deep.length - 1] = 0;
    expect(codeOf(deep, { maxBytes: 200000, maxItems: 1e9 })).toBe('SIGNET_E_PARSE_TOO_DEEP');
    const deepMaps = fromHex('a101'.repeat(20) + '00');
    expect(codeOf(deepMaps)).toBe('SIGNET_E_PARSE_TOO_DEEP');
    expect(codeOf(fromHex('81'.repeat(12) + '00'))).toBeUndefined();
    expect(codeOf(fromHex('81'.repeat(13) + '00'))).toBe('SIGNET_E_PARSE_TOO_DEEP');
  });

  it('the errors are parse-step errors', () => {
    try {
      validateCbor(fromHex('9f'));
      expect.unreachable();
    } catch (e) {
      expect(isSignetError(e) && e.step).toBe('parse');
    }
  });

  it('non-deterministic mode accepts long heads and unsorted keys but still refuses duplicates and indefinite lengths', () => {
    expect(codeOf(fromHex('1817'), { deterministic: false })).toBeUndefined();
    expect(codeOf(fromHex('a2020001 00'.replace(/ /g, '')), { deterministic: false })).toBeUndefined();
    expect(codeOf(fromHex('a2010001 00'.replace(/ /g, '')), { deterministic: false })).toBe('SIGNET_E_PARSE_MALFORMED');
    expect(codeOf(fromHex('9f01ff'), { deterministic: false })).toBe('SIGNET_E_PARSE_NOT_CANONICAL');
  });

  it('random bytes never crash the validator: typed error or success (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeCbor(bytes);
        } catch (e) {
          expect(isSignetError(e)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

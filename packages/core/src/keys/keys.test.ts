import { inspect } from 'node:util';
import { Point } from '@noble/ed25519';
import { describe, expect, it } from 'vitest';
import { nobleBackend } from '../backend/noble.js';
import { nodeBackend } from '../backend/node.js';
import { fromBase64url, fromHex, toBase64url, toHex } from '../primitives/bytes.js';
import { isSignetError } from '../primitives/errors.js';
import { importPublicKey, jwkThumbprint, parseJwks, toJwks } from './keys.js';
import { generateSigningKey, importSigningKey, SigningKey } from './signing-key.js';

// RFC 8037 appendix A: the RFC 8032 TEST 1 key as a JWK, and its RFC 7638 thumbprint.
const RFC8037 = {
  d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
  x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
  thumbprint: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k',
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return isSignetError(e) ? e.code : `untyped: ${(e as Error).message}`;
  }
}

describe('keys', () => {
  it('RFC 8037 appendix A: public key and RFC 7638 thumbprint, on both backends', () => {
    for (const backend of [nobleBackend, nodeBackend]) {
      const key = new SigningKey(fromBase64url(RFC8037.d), {}, backend);
      expect(toBase64url(key.publicKey)).toBe(RFC8037.x);
      expect(key.kid).toBe(RFC8037.thumbprint);
      expect(jwkThumbprint(fromBase64url(RFC8037.x), backend)).toBe(RFC8037.thumbprint);
    }
  });

  it('never leaks the private key through JSON, String or inspect', () => {
    const key = new SigningKey(fromBase64url(RFC8037.d));
    for (const text of [JSON.stringify(key), String(key), inspect(key, { showHidden: true, depth: 5 }), JSON.stringify({ key })]) {
      expect(text).not.toContain(RFC8037.d);
      expect(text).not.toContain('9d61b19d');
    }
    expect(key.toPrivateJwk().d).toBe(RFC8037.d);
  });

  it('private JWK round-trips; x must belong to d', () => {
    const key = generateSigningKey({ notBefore: 100, notAfter: 200 });
    const back = importSigningKey(key.toPrivateJwk());
    expect(back.kid).toBe(key.kid);
    expect(back.validity).toEqual({ notBefore: 100, notAfter: 200 });
    expect(codeOf(() => importSigningKey({ ...key.toPrivateJwk(), x: RFC8037.x }))).toBe('SIGNET_E_KEY_INVALID');
    expect(generateSigningKey().kid).not.toBe(key.kid);
  });

  it('public JWK import keeps the validity window and verifies strictly', () => {
    const key = new SigningKey(fromBase64url(RFC8037.d), { notBefore: 10, notAfter: 20 });
    const trusted = importPublicKey(key.toPublicJwk());
    expect(trusted.kid).toBe(RFC8037.thumbprint);
    expect(trusted.validity).toEqual({ notBefore: 10, notAfter: 20 });
    const msg = Uint8Array.of(1, 2, 3);
    expect(trusted.verify(key.sign(msg), msg)).toBe(true);
    expect(trusted.verify(key.sign(msg), Uint8Array.of(1, 2))).toBe(false);
  });

  const good = { kty: 'OKP', crv: 'Ed25519', x: RFC8037.x };
  const refused: [string, unknown, string][] = [
    ['a private key in a public key set', { ...good, d: RFC8037.d }, 'SIGNET_E_KEY_INVALID'],
    ['a kid that is not the thumbprint', { ...good, kid: 'my-key-1' }, 'SIGNET_E_KEY_INVALID'],
    ['the thumbprint of another key', { ...good, kid: jwkThumbprint(generateSigningKey().publicKey) }, 'SIGNET_E_KEY_INVALID'],
    [
      'a small-order key (identity)',
      { ...good, x: toBase64url(fromHex('0100000000000000000000000000000000000000000000000000000000000000')) },
      'SIGNET_E_KEY_WEAK',
    ],
    [
      'a small-order key (order 8)',
      { ...good, x: toBase64url(fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a')) },
      'SIGNET_E_KEY_WEAK',
    ],
    [
      'a key with a small-order component (A + T)',
      {
        ...good,
        x: toBase64url(
          Point.fromHex(toHex(fromBase64url(RFC8037.x)))
            .add(Point.fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'))
            .toBytes(),
        ),
      },
      'SIGNET_E_KEY_WEAK',
    ],
    [
      'a non-canonical key (y = p + 1)',
      { ...good, x: toBase64url(fromHex('eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f')) },
      'SIGNET_E_KEY_WEAK',
    ],
    [
      'a key that is not a curve point',
      { ...good, x: toBase64url(fromHex('0200000000000000000000000000000000000000000000000000000000000000')) },
      'SIGNET_E_KEY_INVALID',
    ],
    ['a short key', { ...good, x: toBase64url(new Uint8Array(31)) }, 'SIGNET_E_KEY_INVALID'],
    ['non-canonical base64url', { ...good, x: RFC8037.x.slice(0, -1) + 'p' }, 'SIGNET_E_KEY_INVALID'],
    ['padded base64url', { ...good, x: `${RFC8037.x}=` }, 'SIGNET_E_KEY_INVALID'],
    ['an X25519 key', { ...good, crv: 'X25519' }, 'SIGNET_E_KEY_INVALID'],
    ['an EC key', { kty: 'EC', crv: 'P-256', x: RFC8037.x, y: RFC8037.x }, 'SIGNET_E_KEY_INVALID'],
    ['another algorithm', { ...good, alg: 'RS256' }, 'SIGNET_E_KEY_INVALID'],
    ['exp before nbf', { ...good, nbf: 200, exp: 100 }, 'SIGNET_E_KEY_INVALID'],
    ['a fractional nbf', { ...good, nbf: 1.5 }, 'SIGNET_E_KEY_INVALID'],
    ['a text exp', { ...good, exp: '2030-01-01' }, 'SIGNET_E_KEY_INVALID'],
    ['no x', { kty: 'OKP', crv: 'Ed25519' }, 'SIGNET_E_KEY_INVALID'],
    ['not an object', 'OKP', 'SIGNET_E_KEY_INVALID'],
    ['an array', [good], 'SIGNET_E_KEY_INVALID'],
    ['null', null, 'SIGNET_E_KEY_INVALID'],
  ];
  for (const [name, jwk, code] of refused) {
    it(`refuses ${name} (${code})`, () => {
      expect(codeOf(() => importPublicKey(jwk))).toBe(code);
      // In a JWKS, one bad key refuses the whole document: trust is never partially loaded.
      expect(codeOf(() => parseJwks({ keys: [good, jwk] }))).toBe(code);
    });
  }

  it('ignores an inherited kid or d (only own members count)', () => {
    const proto = Object.create({ d: RFC8037.d, kid: 'x' }) as Record<string, unknown>;
    Object.assign(proto, good);
    expect(importPublicKey(proto).kid).toBe(RFC8037.thumbprint);
  });

  it('parses JWKS documents strictly', () => {
    const key = generateSigningKey();
    expect(parseJwks(JSON.stringify(toJwks([key]))).map((k) => k.kid)).toEqual([key.kid]);
    expect(codeOf(() => parseJwks('{not json'))).toBe('SIGNET_E_KEY_INVALID');
    expect(codeOf(() => parseJwks({ keys: 'x' }))).toBe('SIGNET_E_KEY_INVALID');
    expect(codeOf(() => parseJwks([]))).toBe('SIGNET_E_KEY_INVALID');
    expect(codeOf(() => parseJwks({ keys: new Array(1001).fill(good) }))).toBe('SIGNET_E_PARSE_TOO_LARGE');
    expect(codeOf(() => parseJwks(' '.repeat(1_000_001)))).toBe('SIGNET_E_PARSE_TOO_LARGE');
  });

  it('SigningKey refuses a seed that is not 32 bytes', () => {
    expect(() => new SigningKey(new Uint8Array(31))).toThrow(RangeError);
  });

  it('refuses a JWKS that lists the same kid twice, even with different windows', () => {
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: RFC8037.x, kid: RFC8037.thumbprint, alg: 'EdDSA', use: 'sig' };
    expect(codeOf(() => parseJwks({ keys: [{ ...jwk, exp: 1000 }, jwk] }))).toBe('SIGNET_E_KEY_DUPLICATE');
    expect(codeOf(() => parseJwks(JSON.stringify({ keys: [jwk, jwk] })))).toBe('SIGNET_E_KEY_DUPLICATE');
    expect(parseJwks({ keys: [jwk] })).toHaveLength(1);
  });

  it('refuses a JWK published for encryption (use "enc") or another use', () => {
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: RFC8037.x };
    expect(codeOf(() => importPublicKey({ ...jwk, use: 'enc' }))).toBe('SIGNET_E_KEY_USE');
    expect(codeOf(() => importPublicKey({ ...jwk, use: 'SIG' }))).toBe('SIGNET_E_KEY_USE');
    expect(codeOf(() => parseJwks({ keys: [{ ...jwk, use: 'enc' }] }))).toBe('SIGNET_E_KEY_USE');
    expect(importPublicKey({ ...jwk, use: 'sig' }).kid).toBe(RFC8037.thumbprint);
  });

  it('refuses a JWK whose key_ops do not include verify, and malformed key_ops', () => {
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: RFC8037.x };
    expect(codeOf(() => importPublicKey({ ...jwk, key_ops: ['sign'] }))).toBe('SIGNET_E_KEY_USE');
    expect(codeOf(() => importPublicKey({ ...jwk, key_ops: [] }))).toBe('SIGNET_E_KEY_USE');
    expect(codeOf(() => importPublicKey({ ...jwk, key_ops: 'verify' }))).toBe('SIGNET_E_KEY_INVALID');
    expect(codeOf(() => importPublicKey({ ...jwk, key_ops: ['verify', 'verify'] }))).toBe('SIGNET_E_KEY_INVALID');
    expect(importPublicKey({ ...jwk, key_ops: ['verify'] }).kid).toBe(RFC8037.thumbprint);
  });
});

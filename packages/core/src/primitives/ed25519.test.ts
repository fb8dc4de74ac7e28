import { createHash } from 'node:crypto';
import * as fc from 'fast-check';
import { Point } from '@noble/ed25519';
import { describe, expect, it } from 'vitest';
import { nobleBackend } from '../backend/noble.js';
import { nodeBackend } from '../backend/node.js';
import type { CryptoBackend } from '../backend/types.js';
import { fromHex, toHex } from './bytes.js';
import { assertStrongPublicKey, ed25519Verify, isStrongPublicKey, strictVerifier } from './ed25519.js';
import { cosignatureVerifier } from '../log/cosignature.js';
import { isSignetError } from './errors.js';
import { ed25519NoteVerifier } from '../log/note.js';

const backends: CryptoBackend[] = [nobleBackend, nodeBackend];

// RFC 8032 section 7.1: TEST 1024 message (1023 bytes).
const TEST_1024_MESSAGE = [
  '08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d8',
  '79de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc',
  '1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e',
  '06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7',
  'aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed185ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2',
  'd17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270',
  '88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b07',
  '07e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128bab27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51a',
  'ddd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7',
  '51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8',
  'ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34dff7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08',
  'd78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4',
  '88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e',
  '6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5fb93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b5',
  '0d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d',
  'b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0',
].join('');

/** RFC 8032 section 7.1 test vectors (secret key = seed). */
const RFC8032 = [
  {
    name: 'TEST 1',
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    name: 'TEST 2',
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    name: 'TEST 3',
    secret: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    public: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
  {
    name: 'TEST 1024',
    secret: 'f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5',
    public: '278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e',
    message: TEST_1024_MESSAGE,
    signature:
      '0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03',
  },
  {
    name: 'TEST SHA(abc)',
    secret: '833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42',
    public: 'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf',
    message:
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    signature:
      'dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704',
  },
] as const;

describe('RFC 8032 section 7.1 test vectors', () => {
  it('TEST 1024 has its 1023-byte message and TEST SHA(abc) signs SHA-512("abc")', () => {
    expect(fromHex(TEST_1024_MESSAGE).length).toBe(1023);
    expect(createHash('sha512').update('abc').digest('hex')).toBe(RFC8032[4].message);
  });

  for (const backend of backends) {
    for (const v of RFC8032) {
      it(`${v.name}: public key, signature and verification on the ${backend.name} backend`, () => {
        const seed = fromHex(v.secret);
        const message = fromHex(v.message);
        expect(toHex(backend.ed25519PublicKey(seed))).toBe(v.public);
        expect(toHex(backend.ed25519Signer(seed)(message))).toBe(v.signature);
        expect(ed25519Verify(backend, fromHex(v.public), fromHex(v.signature), message)).toBe(true);
        // The same signature over another message, or under another key, must not verify.
        const other = Uint8Array.from([...message, 0]);
        expect(ed25519Verify(backend, fromHex(v.public), fromHex(v.signature), other)).toBe(false);
        const otherKey = fromHex(RFC8032[(RFC8032.indexOf(v) + 1) % RFC8032.length]!.public);
        expect(ed25519Verify(backend, otherKey, fromHex(v.signature), message)).toBe(false);
      });
    }
  }
});

// The eight points of order dividing 8 (the torsion subgroup), canonically encoded.
const SMALL_ORDER = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
];
// y = p and y = p + 1 (0 and 1 reduced): the only reductions of small values, non-canonical.
const NON_CANONICAL = [
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
];

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (isSignetError(e)) return e.code;
    throw e;
  }
}

describe('strict Ed25519 checks', () => {
  const seed = fromHex(RFC8032[0].secret);
  const publicKey = fromHex(RFC8032[0].public);
  const message = new TextEncoder().encode('strict');

  it('the small-order list really is the 8-torsion subgroup', () => {
    const seen = new Set<string>();
    for (const h of SMALL_ORDER) {
      const p = Point.fromHex(h);
      expect(p.multiplyUnsafe(8n).is0()).toBe(true);
      seen.add(p.toHex());
    }
    expect(seen.size).toBe(8);
  });

  it('refuses every small-order public key as weak', () => {
    for (const h of SMALL_ORDER)
      expect({ h, code: codeOf(() => assertStrongPublicKey(fromHex(h))) }).toEqual({ h, code: 'SIGNET_E_KEY_WEAK' });
  });

  it('refuses non-canonical public keys as weak and malformed ones as invalid', () => {
    for (const h of NON_CANONICAL) expect(codeOf(() => assertStrongPublicKey(fromHex(h)))).toBe('SIGNET_E_KEY_WEAK');
    expect(codeOf(() => assertStrongPublicKey(new Uint8Array(31)))).toBe('SIGNET_E_KEY_INVALID');
    expect(codeOf(() => assertStrongPublicKey(new Uint8Array(33)))).toBe('SIGNET_E_KEY_INVALID');
    // y = 2 has no x on the curve.
    const notOnCurve = new Uint8Array(32);
    notOnCurve[0] = 2;
    expect(codeOf(() => assertStrongPublicKey(notOnCurve))).toBe('SIGNET_E_KEY_INVALID');
    expect(codeOf(() => assertStrongPublicKey(publicKey))).toBeUndefined();
  });

  for (const backend of backends) {
    it(`${backend.name}: rejects S + L (malleability), non-canonical R, wrong lengths, and never throws`, () => {
      const sig = backend.ed25519Signer(seed)(message);
      expect(ed25519Verify(backend, publicKey, sig, message)).toBe(true);
      // S + L: same scalar mod L, so a lenient verifier accepts it.
      const L = (1n << 252n) + 27742317777372353535851937790883648493n;
      let s = 0n;
      for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sig[32 + i]!);
      let sl = s + L;
      const malleable = Uint8Array.from(sig);
      for (let i = 0; i < 32; i++) {
        malleable[32 + i] = Number(sl & 0xffn);
        sl >>= 8n;
      }
      expect(ed25519Verify(backend, publicKey, malleable, message)).toBe(false);
      // A non-canonical R (y >= p) is refused before the backend sees it.
      const badR = Uint8Array.from(sig);
      badR.set(fromHex(NON_CANONICAL[0]!), 0);
      expect(ed25519Verify(backend, publicKey, badR, message)).toBe(false);
      expect(ed25519Verify(backend, publicKey, sig.subarray(0, 63), message)).toBe(false);
      expect(ed25519Verify(backend, publicKey, Uint8Array.from([...sig, 0]), message)).toBe(false);
      expect(ed25519Verify(backend, publicKey.subarray(0, 31), sig, message)).toBe(false);
      expect(ed25519Verify(backend, fromHex(NON_CANONICAL[1]!), sig, message)).toBe(false);
      expect(ed25519Verify(backend, new Uint8Array(32).fill(0xff), sig, message)).toBe(false);
    });
  }

  it('any single-bit change of a signature fails on both backends (property)', () => {
    const sig = nobleBackend.ed25519Signer(seed)(message);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 511 }), (bit) => {
        const bad = Uint8Array.from(sig);
        bad[bit >> 3]! ^= 1 << (bit & 7);
        return !ed25519Verify(nobleBackend, publicKey, bad, message) && !ed25519Verify(nodeBackend, publicKey, bad, message);
      }),
      { numRuns: 200 },
    );
  });
});

// Signatures with small-order components: the cofactored equation ([8][S]B = [8]R + [8][k]A) and the
// cofactorless one ([S]B = R + [k]A) disagree on them. Both backends must check the same equation.
describe('signatures with small-order components get one verdict on both backends', () => {
  const L = (1n << 252n) + 27742317777372353535851937790883648493n;
  const le = (b: Uint8Array): bigint => {
    let x = 0n;
    for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]!);
    return x;
  };
  const toLe = (x: bigint): Uint8Array => {
    const out = new Uint8Array(32);
    for (let i = 0; i < 32; i++) {
      out[i] = Number(x & 0xffn);
      x >>= 8n;
    }
    return out;
  };
  const challenge = (r: Uint8Array, a: Uint8Array, m: Uint8Array): bigint =>
    le(createHash('sha512').update(r).update(a).update(m).digest()) % L;
  /** A signature made directly from a secret scalar `a`, nonce `n` and an extra point added to R. */
  const forge = (a: bigint, n: bigint, publicKey: Uint8Array, extraR: Point, m: Uint8Array): Uint8Array => {
    const R = Point.BASE.multiply(n).add(extraR).toBytes();
    const s = (n + challenge(R, publicKey, m) * a) % L;
    return Uint8Array.from([...R, ...toLe(s)]);
  };
  const torsion = SMALL_ORDER.map((h) => Point.fromHex(h));
  const scalar = fc.bigInt({ min: 1n, max: L - 1n });
  const msg = fc.uint8Array({ maxLength: 64 });

  it('R with a small-order component, strong key: same verdict, and rejected unless the component is zero', () => {
    fc.assert(
      fc.property(scalar, scalar, fc.integer({ min: 0, max: 7 }), msg, (a, n, t, m) => {
        const A = Point.BASE.multiply(a).toBytes();
        const sig = forge(a, n, A, torsion[t]!, m);
        const raw = [nobleBackend, nodeBackend].map((b) => b.ed25519Verifier(A)(sig, m));
        expect(raw[0]).toBe(raw[1]);
        const strict = [nobleBackend, nodeBackend].map((b) => ed25519Verify(b, A, sig, m));
        expect(strict).toEqual([t === 0, t === 0]);
      }),
      { numRuns: 200 },
    );
  });

  it('a public key with a small-order component: the backends agree, and importing the key is refused', () => {
    fc.assert(
      fc.property(scalar, scalar, fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 7 }), msg, (a, n, t, u, m) => {
        const A = Point.BASE.multiply(a).add(torsion[t]!).toBytes();
        const sig = forge(a, n, A, torsion[u]!, m);
        const raw = [nobleBackend, nodeBackend].map((b) => b.ed25519Verifier(A)(sig, m));
        expect(raw[0]).toBe(raw[1]);
        expect(ed25519Verify(nobleBackend, A, sig, m)).toBe(ed25519Verify(nodeBackend, A, sig, m));
        // Such a key is never imported.
        expect(isStrongPublicKey(A)).toBe(false);
        expect(codeOf(() => assertStrongPublicKey(A))).toBe('SIGNET_E_KEY_WEAK');
      }),
      { numRuns: 200 },
    );
  });

  it('small-order public keys: a forgery that needs no secret verifies nothing, on either backend', () => {
    for (const a of SMALL_ORDER) {
      for (const r of SMALL_ORDER) {
        for (const m of [new Uint8Array(0), Uint8Array.of(1, 2, 3)]) {
          const sig = Uint8Array.from([...fromHex(r), ...new Uint8Array(32)]);
          const raw = [nobleBackend, nodeBackend].map((b) => b.ed25519Verifier(fromHex(a))(sig, m));
          expect({ a, r, raw: raw[0] }).toEqual({ a, r, raw: raw[1] });
          expect([ed25519Verify(nobleBackend, fromHex(a), sig, m), ed25519Verify(nodeBackend, fromHex(a), sig, m)]).toEqual([false, false]);
          expect([strictVerifier(nobleBackend, fromHex(a))(sig, m), strictVerifier(nodeBackend, fromHex(a))(sig, m)]).toEqual([
            false,
            false,
          ]);
        }
      }
    }
  });

  it('log and witness verifiers refuse small-order keys (a forged signature needs no secret under one)', () => {
    const text = new TextEncoder().encode('example.com/log\n1\nAAAA\n');
    for (const a of SMALL_ORDER) {
      // R = identity, S = 0 satisfies [S]B = R + [k]A whenever [k]A is the identity.
      const forged = Uint8Array.from([...fromHex(SMALL_ORDER[0]!), ...new Uint8Array(32)]);
      for (const b of backends) {
        expect(ed25519NoteVerifier(b, 'example.com/log', fromHex(a)).verify(text, forged)).toBe(false);
        expect(cosignatureVerifier(b, 'witness.example', fromHex(a)).verify(text, Uint8Array.from([...new Uint8Array(8), ...forged]))).toBe(
          false,
        );
      }
    }
    // An honest note signature still verifies.
    const seed = fromHex(RFC8032[2].secret);
    for (const b of backends)
      expect(
        ed25519NoteVerifier(b, 'example.com/log', fromHex(RFC8032[2].public)).verify(text, nodeBackend.ed25519Signer(seed)(text)),
      ).toBe(true);
  });

  it('strictVerifier verifies honest signatures under strong keys', () => {
    const seed = fromHex(RFC8032[1].secret);
    const m = Uint8Array.of(0x72);
    for (const b of backends) expect(strictVerifier(b, fromHex(RFC8032[1].public))(nodeBackend.ed25519Signer(seed)(m), m)).toBe(true);
  });
});

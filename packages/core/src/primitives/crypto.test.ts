import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleBackend } from '../backend/noble.js';
import { nodeBackend } from '../backend/node.js';
import { toHex } from './bytes.js';
import { getDefaultBackend } from './crypto.js';
import { ed25519Verify } from './ed25519.js';

// The two backends must be interchangeable: same bytes for every primitive, same verdict for every
// signature, valid or not. Anything else would let a browser and a server disagree about a seal.

const seed = fc.uint8Array({ minLength: 32, maxLength: 32 });
const message = fc.uint8Array({ maxLength: 300 });

describe('noble and node backends agree', () => {
  it('the default backend on Node is node:crypto', () => {
    expect(getDefaultBackend().name).toBe('node');
  });

  it('identical SHA-256 and HMAC-SHA-256 bytes', () => {
    fc.assert(
      fc.property(message, fc.uint8Array({ maxLength: 100 }), (data, key) => {
        expect(toHex(nobleBackend.sha256(data))).toBe(toHex(nodeBackend.sha256(data)));
        expect(toHex(nobleBackend.hmacSha256(key, data))).toBe(toHex(nodeBackend.hmacSha256(key, data)));
      }),
      { numRuns: 500 },
    );
  });

  it('identical public keys and signatures, and both verify each other', () => {
    fc.assert(
      fc.property(seed, message, (s, m) => {
        const pk = nobleBackend.ed25519PublicKey(s);
        expect(toHex(nodeBackend.ed25519PublicKey(s))).toBe(toHex(pk));
        const sig = nobleBackend.ed25519Signer(s)(m);
        expect(toHex(nodeBackend.ed25519Signer(s)(m))).toBe(toHex(sig));
        expect(ed25519Verify(nobleBackend, pk, sig, m)).toBe(true);
        expect(ed25519Verify(nodeBackend, pk, sig, m)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('identical verdicts on mutated signatures, messages and keys', () => {
    fc.assert(
      fc.property(
        seed,
        message,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.constantFrom('sig', 'msg', 'key'),
        (s, m, pos, xor, what) => {
          const pk = nodeBackend.ed25519PublicKey(s);
          let sig = nodeBackend.ed25519Signer(s)(m);
          let msg: Uint8Array = m;
          let key = pk;
          const flip = (b: Uint8Array): Uint8Array => {
            if (b.length === 0) return Uint8Array.of(xor);
            const out = Uint8Array.from(b);
            out[pos % out.length]! ^= xor;
            return out;
          };
          if (what === 'sig') sig = flip(sig);
          else if (what === 'msg') msg = flip(m);
          else key = flip(pk);
          const a = ed25519Verify(nobleBackend, key, sig, msg);
          const b = ed25519Verify(nodeBackend, key, sig, msg);
          expect(a).toBe(b);
          expect(a).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('identical verdicts on random garbage (keys, signatures)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        message,
        (pk, sig, m) => {
          expect(ed25519Verify(nobleBackend, pk, sig, m)).toBe(ed25519Verify(nodeBackend, pk, sig, m));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('randomBytes gives the requested length and is not constant', () => {
    for (const b of [nobleBackend, nodeBackend]) {
      expect(b.randomBytes(70000).length).toBe(70000);
      expect(toHex(b.randomBytes(32))).not.toBe(toHex(b.randomBytes(32)));
    }
  });
});

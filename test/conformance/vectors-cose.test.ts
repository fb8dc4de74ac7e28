import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ALG_EDDSA,
  decodeCbor,
  decodeCoseSign1,
  ed25519Verify,
  encodeCbor,
  encodeCoseSign1,
  isSignetError,
  sigStructure,
  toBase64url,
  toHex,
  utf8,
} from '@signet/core';
import { nobleBackend } from '@signet/core/noble';
import { nodeBackend } from '@signet/core/node';
import { findVectors, hex, listFiles, readJson } from '../support/vectors.js';

// COSE WG examples. What is checked against the files:
// - our Sig_structure (ToBeSign) for the headers and payload the example describes, byte for byte;
// - our COSE_Sign1 decoder on the example bytes (their headers need not be deterministic), and a
//   small reference verifier built on it whose verdict must be the file's (pass, or `fail: true`);
// - Ed25519 signatures verify with our strict verifier on both backends, and signing the ToBeSign
//   with the example key gives the example signature (Ed25519 is deterministic).

interface CoseKey {
  kty: string;
  crv: string;
  kid?: string;
  x_hex?: string;
  d_hex?: string;
  x?: string;
  y?: string;
  d?: string;
}
interface HeaderSpec {
  alg?: string;
  ctyp?: number;
  kid?: string;
}
interface Sign0 {
  key: CoseKey;
  protected?: HeaderSpec;
  unprotected?: HeaderSpec;
  alg: string;
  external?: string;
}
interface Signer {
  key: CoseKey;
  protected?: HeaderSpec;
  unprotected?: HeaderSpec;
}
interface Example {
  title: string;
  fail?: boolean;
  input: { plaintext: string; sign0?: Sign0; sign?: { protected?: HeaderSpec; signers: Signer[] }; failures?: Record<string, unknown> };
  intermediates: { ToBeSign_hex?: string; signers?: { ToBeSign_hex: string }[] };
  output: { cbor: string };
}

const ALGS: Record<string, number> = { EdDSA: ALG_EDDSA, ES256: -7 };

/** A protected header map from the example's description, encoded by our deterministic encoder. */
function protectedFromSpec(spec: HeaderSpec | undefined): Uint8Array {
  const m = new Map<number, unknown>();
  if (spec?.alg !== undefined) m.set(1, ALGS[spec.alg]);
  if (spec?.ctyp !== undefined) m.set(3, spec.ctyp);
  if (spec?.kid !== undefined) m.set(4, utf8(spec.kid));
  return m.size === 0 ? new Uint8Array(0) : encodeCbor(m);
}

/** Verifies a raw signature over `message` with the example's key, for the algorithms the examples use. */
function verifyWithKey(key: CoseKey, alg: unknown, signature: Uint8Array, message: Uint8Array): boolean {
  if (alg === ALG_EDDSA && key.kty === 'OKP' && key.crv === 'Ed25519' && key.x_hex !== undefined) {
    const a = ed25519Verify(nobleBackend, hex(key.x_hex), signature, message);
    const b = ed25519Verify(nodeBackend, hex(key.x_hex), signature, message);
    expect(a).toBe(b);
    return a;
  }
  if (alg === ALG_EDDSA && key.kty === 'OKP' && key.crv === 'Ed448' && key.x_hex !== undefined) {
    // Ed448 is outside Signet's profile; node:crypto checks the example so the verdict still counts.
    const pub = createPublicKey({ key: { kty: 'OKP', crv: 'Ed448', x: toBase64url(hex(key.x_hex)) }, format: 'jwk' });
    return nodeVerify(null, message, pub, signature);
  }
  if (alg === -7 && key.kty === 'EC' && key.crv === 'P-256' && key.x !== undefined && key.y !== undefined) {
    const pub = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: key.x, y: key.y }, format: 'jwk' });
    return nodeVerify('sha256', message, { key: pub, dsaEncoding: 'ieee-p1363' }, signature);
  }
  // Unknown or mismatched algorithm: fail closed.
  return false;
}

/** A reference COSE_Sign1 verifier on top of our decoder: true only for a well-formed, signed message. */
function verifySign1(bytes: Uint8Array, key: CoseKey, external: Uint8Array): { ok: boolean; reason: string } {
  let parts;
  try {
    parts = decodeCoseSign1(bytes, { deterministic: false });
  } catch (e) {
    return { ok: false, reason: isSignetError(e) ? e.code : 'untyped decode error' };
  }
  let header: unknown = new Map();
  if (parts.protectedBytes.length > 0) {
    try {
      header = decodeCbor(parts.protectedBytes, { deterministic: false });
    } catch (e) {
      return { ok: false, reason: isSignetError(e) ? e.code : 'untyped header error' };
    }
  }
  if (!(header instanceof Map)) return { ok: false, reason: 'protected header is not a map' };
  const alg = header.has(1) ? header.get(1) : parts.unprotected.get(1);
  if (alg !== ALG_EDDSA && alg !== -7) return { ok: false, reason: `unsupported algorithm ${String(alg)}` };
  // RFC 9052 section 4.4: with no protected header parameters the Sig_structure carries a
  // zero-length byte string, even when the message encodes the empty map (h'A0').
  const bodyProtected = header.size === 0 ? new Uint8Array(0) : parts.protectedBytes;
  const tbs = sigStructure(bodyProtected, parts.payload, external);
  return verifyWithKey(key, alg, parts.signature, tbs) ? { ok: true, reason: 'verified' } : { ok: false, reason: 'bad signature' };
}

const lookup = findVectors('cose');
const files = lookup.found
  ? [...listFiles(join(lookup.dir, 'eddsa-examples'), '.json'), ...listFiles(join(lookup.dir, 'sign1-tests'), '.json')]
  : [];

describe.skipIf(!lookup.found)('COSE WG examples (cose/eddsa-examples, cose/sign1-tests)', () => {
  it('reads every file, with pass and fail cases', () => {
    expect(files.length).toBeGreaterThanOrEqual(13);
    const examples = files.map((f) => readJson<Example>(f));
    expect(examples.some((e) => e.fail === true)).toBe(true);
    expect(examples.some((e) => e.fail !== true)).toBe(true);
  });

  for (const file of files) {
    const ex = readJson<Example>(file);
    const name = `${basename(file)}: ${ex.title}`;
    const bytes = hex(ex.output.cbor);
    const payload = utf8(ex.input.plaintext);

    if (ex.input.sign0 !== undefined) {
      const s = ex.input.sign0;
      const external = s.external === undefined ? new Uint8Array(0) : hex(s.external);
      const tbsHex = ex.intermediates.ToBeSign_hex ?? '';

      it(`${name}: our Sig_structure matches ToBeSign`, () => {
        const ours = sigStructure(protectedFromSpec(s.protected), payload, external);
        expect(toHex(ours)).toBe(tbsHex.toLowerCase());
      });

      it(`${name}: verdict is ${ex.fail === true ? 'fail' : 'pass'}`, () => {
        const result = verifySign1(bytes, s.key, external);
        expect({ file: basename(file), ok: result.ok, reason: result.reason }).toMatchObject({ ok: ex.fail !== true });
        if (ex.fail === true) {
          // And it fails for the reason the example was built for.
          const failure = Object.keys(ex.input.failures ?? {})[0];
          const want =
            failure === 'ChangeCBORTag' ? /^SIGNET_E_PARSE_/ : failure === 'ChangeAttr' ? /^unsupported algorithm/ : /^bad signature$/;
          expect(result.reason).toMatch(want);
        }
        if (ex.fail !== true) {
          // A passing message re-encodes to the exact example bytes: same four parts, same tag use.
          const parts = decodeCoseSign1(bytes, { deterministic: false });
          const tagged = encodeCoseSign1(parts);
          expect(toHex(bytes[0] === 0xd2 ? tagged : tagged.subarray(1))).toBe(toHex(bytes));
        }
      });

      if (s.key.crv === 'Ed25519' && s.key.d_hex !== undefined && ex.fail !== true) {
        it(`${name}: signing ToBeSign with the example key gives the example signature`, () => {
          const parts = decodeCoseSign1(bytes, { deterministic: false });
          for (const backend of [nobleBackend, nodeBackend]) {
            expect(toHex(backend.ed25519Signer(hex(s.key.d_hex!))(hex(tbsHex)))).toBe(toHex(parts.signature));
          }
        });
      }
    } else if (ex.input.sign !== undefined) {
      // COSE_Sign (tag 98) with one signer: the Sig_structure has the "Signature" context.
      const sign = ex.input.sign;
      it(`${name}: Sig_structure matches ToBeSign and the signer's signature verifies`, () => {
        expect(sign.signers.length).toBe(1);
        const signer = sign.signers[0]!;
        const tbsHex = ex.intermediates.signers?.[0]?.ToBeSign_hex ?? '';
        const ours = encodeCbor([
          'Signature',
          protectedFromSpec(sign.protected),
          protectedFromSpec(signer.protected),
          new Uint8Array(0),
          payload,
        ]);
        expect(toHex(ours)).toBe(tbsHex.toLowerCase());
        // Our Sign1 decoder refuses a COSE_Sign (tag 98) rather than misreading it.
        expect(() => decodeCoseSign1(bytes, { deterministic: false })).toThrow();
        const decoded = decodeCbor(bytes, { deterministic: false, allowedTags: [98] }) as { tag: number; value: unknown[] };
        expect(decoded.tag).toBe(98);
        const signatures = decoded.value[3] as unknown[][];
        const signature = signatures[0]![2] as Uint8Array;
        expect(verifyWithKey(signer.key, ALG_EDDSA, signature, hex(tbsHex))).toBe(true);
        const tampered = Uint8Array.from(hex(tbsHex));
        tampered[tampered.length - 1]! ^= 1;
        expect(verifyWithKey(signer.key, ALG_EDDSA, signature, tampered)).toBe(false);
        if (signer.key.crv === 'Ed25519')
          expect(toHex(nodeBackend.ed25519Signer(hex(signer.key.d_hex!))(hex(tbsHex)))).toBe(toHex(signature));
      });
    } else {
      it(`${name}: is a known example shape`, () => {
        expect.fail(`unexpected example shape in ${basename(file)}`);
      });
    }
  }
});

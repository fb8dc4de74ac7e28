import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ed25519Verify, type CryptoBackend } from '@signet/core';
import { nobleBackend } from '@signet/core/noble';
import { nodeBackend } from '@signet/core/node';
import { findVectors, hex, readJson } from '../support/vectors.js';

// Wycheproof Ed25519: every verdict of the file must be ours, on both backends, through the strict
// verifier (ed25519Verify), so both backends agree on malleable and non-canonical signatures too.

interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  msg: string;
  sig: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface WycheproofFile {
  algorithm: string;
  numberOfTests: number;
  testGroups: { type: string; publicKey: { pk: string }; tests: WycheproofTest[] }[];
}

const lookup = findVectors('wycheproof/ed25519_test.json');
const file = lookup.found ? readJson<WycheproofFile>(lookup.dir) : undefined;
const cases = (file?.testGroups ?? []).flatMap((g) => g.tests.map((t) => ({ ...t, pk: g.publicKey.pk })));
const backends: CryptoBackend[] = [nobleBackend, nodeBackend];

describe.skipIf(!lookup.found)(`Wycheproof Ed25519 (${join('wycheproof', 'ed25519_test.json')})`, () => {
  it('has every case of the file and both verdict kinds', () => {
    expect(file?.algorithm).toBe('EDDSA');
    expect(cases.length).toBe(file?.numberOfTests);
    expect(cases.length).toBeGreaterThan(100);
    expect(cases.some((c) => c.result === 'valid')).toBe(true);
    expect(cases.some((c) => c.result === 'invalid')).toBe(true);
    // No case is "acceptable": every one has a definite verdict to match.
    expect(cases.filter((c) => c.result === 'acceptable')).toEqual([]);
  });

  for (const backend of backends) {
    it(`every verdict matches on the ${backend.name} backend`, () => {
      const mismatches: string[] = [];
      for (const c of cases) {
        const got = ed25519Verify(backend, hex(c.pk), hex(c.sig), hex(c.msg));
        if (got !== (c.result === 'valid'))
          mismatches.push(`tcId ${c.tcId} (${c.flags.join(',')}: ${c.comment}): want ${c.result}, got ${got}`);
      }
      expect(mismatches).toEqual([]);
    });
  }

  it('both backends give the same verdict on every case', () => {
    for (const c of cases) {
      const a = ed25519Verify(nobleBackend, hex(c.pk), hex(c.sig), hex(c.msg));
      const b = ed25519Verify(nodeBackend, hex(c.pk), hex(c.sig), hex(c.msg));
      expect({ tcId: c.tcId, verdict: a }).toEqual({ tcId: c.tcId, verdict: b });
    }
  });
});

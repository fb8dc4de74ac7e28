import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalizeJson, digestRequest, toHex, utf8 } from '@signet/core';
import { nobleBackend } from '@signet/core/noble';
import { nodeBackend } from '@signet/core/node';
import { findVectors, listFiles } from '../support/vectors.js';

// RFC 8785 (JCS): every input must canonicalize to its output file byte for byte. Request digests
// are SHA-256 over exactly these bytes, so a difference here would break request binding.

const lookup = findVectors('jcs');
const inputs = lookup.found ? listFiles(join(lookup.dir, 'input'), '.json') : [];

describe.skipIf(!lookup.found)('RFC 8785 JCS vectors (jcs/input -> jcs/output)', () => {
  it('has vectors to run', () => {
    expect(inputs.length).toBeGreaterThanOrEqual(6);
  });

  for (const input of inputs) {
    const name = basename(input);
    it(`${name} canonicalizes byte for byte`, () => {
      const want = readFileSync(join(lookup.dir, 'output', name));
      const got = utf8(canonicalizeJson(JSON.parse(readFileSync(input, 'utf8'))));
      expect(toHex(got)).toBe(want.toString('hex'));
      // outhex holds the same bytes as space-separated hex.
      const outhex = readFileSync(join(lookup.dir, 'outhex', name.replace(/\.json$/, '.txt')), 'utf8').replace(/\s+/g, '');
      expect(toHex(got)).toBe(outhex.toLowerCase());
      // Canonical output is a fixed point, and both backends hash it to the same request digest.
      expect(canonicalizeJson(JSON.parse(want.toString('utf8')))).toBe(want.toString('utf8'));
      const parsed = JSON.parse(readFileSync(input, 'utf8'));
      expect(toHex(digestRequest(nobleBackend, parsed))).toBe(toHex(digestRequest(nodeBackend, parsed)));
      expect(toHex(digestRequest(nodeBackend, parsed))).toBe(toHex(nodeBackend.sha256(want)));
    });
  }
});

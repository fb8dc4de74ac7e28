import { describe, expect, it } from 'vitest';
import { NO_AI_TRAINING, type EnvelopeClaims } from '@signet/core';
import { explainVerification, NORMALIZED_WARNING, sealedStatement } from './explain.js';
import type { ValidResult } from './result.js';

const claims: EnvelopeClaims = {
  issuer: 'https://api.example.com',
  responseId: 'chatcmpl-1',
  issuedAt: 1_767_225_600,
  model: 'model-x',
  account: { mode: 'linkable', tag: new Uint8Array(16).fill(7) },
  terms: { id: 'terms', version: '1', digest: new Uint8Array(32), uri: 'https://api.example.com/terms', usage: NO_AI_TRAINING },
  content: [{ exact: new Uint8Array(32), normalized: new Uint8Array(32), chunkRoot: new Uint8Array(32), chunkCount: 1 }],
};
const valid = (over: Partial<ValidResult> = {}): ValidResult => ({
  valid: true,
  claims,
  key: { kid: 'kid-1', jwk: { kty: 'OKP', crv: 'Ed25519', x: 'x', kid: 'kid-1' } as ValidResult['key']['jwk'] },
  content: { choices: [{ index: 0, match: 'exact', structured: false }], match: 'exact', body: true },
  requestChecked: false,
  ...over,
});

describe('explainVerification says what a seal proves and does not', () => {
  it('states issuer, time, key, account tag and terms for a valid seal', () => {
    const e = explainVerification(valid());
    expect(e.proves[0]).toBe(sealedStatement(claims, 'kid-1'));
    expect(e.proves[0]).toBe(
      'https://api.example.com sealed response chatcmpl-1 (model model-x) at 2026-01-01T00:00:00Z by its own clock, signed with its key kid-1.',
    );
    expect(e.proves[1]).toContain('account with tag BwcHBwcHBwcHBwcHBwcHBw, under terms terms version 1');
    expect(e.proves[2]).toMatch(/^Every byte of the response checked is a byte the provider sealed/);
    expect(e.doesNotProve[0]).toBe(
      "When the envelope was committed: the envelope has no log receipt, so the issue time is only the provider's own claim.",
    );
  });

  it('names a normalized match and its limits', () => {
    const e = explainVerification(
      valid({ content: { choices: [{ index: 0, match: 'normalized', structured: false }], match: 'normalized', body: false } }),
    );
    expect(e.proves[2]).toBe('The text checked is the text of choice 0 of that response (after white-space and Unicode normalization).');
    expect(e.doesNotProve).toContain(`That the text is exactly the sealed text: ${NORMALIZED_WARNING}`);
  });

  it('proves log inclusion only from a verified receipt, and says when a receipt went unchecked', () => {
    const logged = explainVerification(
      valid({ receipt: { time: 1_767_225_660, detail: { log: 'log.example.com/x', index: 4, treeSize: 9 } } }),
    );
    expect(logged.proves).toContain(
      'The log log.example.com/x included the envelope as entry 4 in a tree it signed at 2026-01-01T00:01:00Z: the provider committed to it by then and cannot backdate or silently drop it.',
    );
    expect(explainVerification(valid(), { receiptUnchecked: true }).doesNotProve[0]).toBe(
      'When the envelope was committed: the receipt was not checked because no log key was given.',
    );
  });

  it('proves nothing for a failed verification', () => {
    const e = explainVerification({ valid: false, kind: 'verification', code: 'SIGNET_E_SIG_INVALID', step: 'signature', message: 'bad' });
    expect(e.proves).toEqual([]);
    expect(e.doesNotProve[0]).toMatch(/^Anything about this text/);
    const unsealed = explainVerification({
      valid: false,
      kind: 'verification',
      code: 'SIGNET_E_ENVELOPE_MISSING',
      step: 'parse',
      message: 'none',
    });
    expect(unsealed.doesNotProve[0]).toMatch(/^Anything about where this text came from: it carries no seal/);
  });
});

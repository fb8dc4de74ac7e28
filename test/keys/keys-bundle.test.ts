import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

// Verifiers check delegations, revocation lists and hybrid seals; they must never carry the code
// that makes them (signing keys, list and delegation signers) into a browser bundle.

describe('@signet/verify browser bundle and the keys features', () => {
  it('verifies delegations, revocations and hybrid seals without bundling their signing side', async () => {
    const out = await build({
      stdin: { contents: "export * from '@signet/verify';", resolveDir: dirname(fileURLToPath(import.meta.url)), loader: 'ts' },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['source'],
      minifyWhitespace: true,
      treeShaking: true,
      write: false,
      logLevel: 'silent',
    });
    const text = out.outputFiles[0]!.text;
    for (const present of ['createDelegationCheck', 'createRevocationCheck', 'createHybridCheck', 'createRemoteTrustStore', 'openSealedId'])
      expect(text).toContain(present);
    for (const absent of [
      'PqSigningKey',
      'generatePqSigningKey',
      'signDelegation',
      'signRevocationList',
      'startSignerWorker',
      'CompactEncrypt',
    ])
      expect(text).not.toContain(absent);
  }, 60_000);
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TextFileError } from '@signet/core/node-fs';
import { describe, expect, it } from 'vitest';
import { createKeysDirectory, KEY_FILES } from './keyfile.js';
import { publishedJwks } from './published-jwks.js';

describe('publishedJwks', () => {
  it('gives the public key of a keys directory and of its key file, never the private part', () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-published-'));
    const key = createKeysDirectory(dir);
    for (const jwks of [publishedJwks({ dir }), publishedJwks({ keyFile: join(dir, KEY_FILES.signingKey) })]) {
      expect(jwks.keys.map((k) => k.kid)).toEqual([key.kid]);
      expect(JSON.stringify(jwks)).not.toContain('"d"');
    }
  });

  it('refuses a folder that is not there, and a jwks.json that is not a JWKS', () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-published-'));
    expect(() => publishedJwks({ dir: join(dir, 'missing') })).toThrow(TextFileError);
    writeFileSync(join(dir, KEY_FILES.jwks), '{"keys": 3}');
    expect(() => publishedJwks({ dir })).toThrow(expect.objectContaining({ code: expect.stringMatching(/^SIGNET_E_/) }));
  });
});

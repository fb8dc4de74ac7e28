import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKeysDirectory, KEY_FILES } from './keyfile.js';
import { followKeysDirectory } from './keys-directory.js';
import { rotateKeysDirectory } from './rotation.js';

describe('followKeysDirectory', () => {
  it('follows a rotation: the new key signs and the published document holds it, after one poll', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'signet-keysdir-')), 'keys');
    const first = createKeysDirectory(dir);
    const errors: unknown[] = [];
    const keys = followKeysDirectory(dir, { checkIntervalMs: 1_000_000, onError: (e) => errors.push(e) });
    expect(keys.current().kid).toBe(first.kid);
    expect(keys.jwks().keys.map((k) => k.kid)).toEqual([first.kid]);

    const { kid } = rotateKeysDirectory(dir);
    // Within the interval nothing is looked at; reload() is the explicit way in.
    expect(keys.current().kid).toBe(first.kid);
    expect(keys.reload().kid).toBe(kid);

    const fast = followKeysDirectory(dir, { checkIntervalMs: 1 });
    const later = rotateKeysDirectory(dir);
    const until = Date.now() + 5;
    while (Date.now() < until);
    expect(fast.jwks().keys.map((k) => k.kid)).toContain(later.kid);
    expect(fast.current().kid).toBe(later.kid);
    expect(errors).toEqual([]);
  });

  it('publishes at once a key another follower of the directory already signs with', () => {
    // Two gateway workers follow one directory, each polling at its own pace: the moment either one
    // signs with a rotated key, the document every one of them serves must hold that key.
    const dir = join(mkdtempSync(join(tmpdir(), 'signet-keysdir-')), 'keys');
    const first = createKeysDirectory(dir);
    const signing = followKeysDirectory(dir, { checkIntervalMs: 1_000_000 });
    const serving = followKeysDirectory(dir, { checkIntervalMs: 1_000_000 });
    expect(serving.jwks().keys.map((k) => k.kid)).toEqual([first.kid]);
    const { kid } = rotateKeysDirectory(dir);
    expect(signing.reload().kid).toBe(kid);
    expect(serving.jwks().keys.map((k) => k.kid)).toContain(kid);
  });

  it('keeps the last good key and document when the files turn bad', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'signet-keysdir-')), 'keys');
    const key = createKeysDirectory(dir);
    const errors: unknown[] = [];
    const keys = followKeysDirectory(dir, { checkIntervalMs: 1, onError: (e) => errors.push(e) });
    writeFileSync(join(dir, KEY_FILES.signingKey), '{ not a key');
    writeFileSync(join(dir, KEY_FILES.jwks), '{ not json');
    const until = Date.now() + 5;
    while (Date.now() < until);
    expect(keys.jwks().keys.map((k) => k.kid)).toEqual([key.kid]);
    expect(keys.current().kid).toBe(key.kid);
    expect(errors.length).toBe(1);
  });
});

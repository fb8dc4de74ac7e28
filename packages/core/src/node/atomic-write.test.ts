import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'signet-atomic-'));

describe('writeFileAtomic', () => {
  it('replaces a file and gives it the mode, whatever mode the old file had', () => {
    const d = dir();
    const path = join(d, 'secret');
    writeFileSync(path, 'old', { mode: 0o644 });
    writeFileAtomic(path, 'new', 0o600);
    expect(readFileSync(path, 'utf8')).toBe('new');
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(d)).toEqual(['secret']);
  });

  it('keeps the mode of the file it replaces when no mode is given', () => {
    const d = dir();
    const path = join(d, 'state');
    writeFileSync(path, 'old', { mode: 0o640 });
    chmodSync(path, 0o640);
    writeFileAtomic(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o640);
  });

  it('leaves the old file and no temporary file behind when the write fails', () => {
    const d = dir();
    const path = join(d, 'taken');
    mkdirSync(join(path, 'inside'), { recursive: true });
    // A non-empty directory in the target's place makes the rename fail after the temporary file was written.
    expect(() => writeFileAtomic(path, 'x', 0o644)).toThrow();
    expect(readdirSync(d)).toEqual(['taken']);
    expect(readdirSync(path)).toEqual(['inside']);
  });
});

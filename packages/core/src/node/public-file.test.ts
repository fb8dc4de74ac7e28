import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileWriteError, writePublicFile } from './public-file.js';

describe('writePublicFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-public-file-'));

  it('creates the folder and writes the file with mode 0644', () => {
    const path = join(dir, 'a', 'b', 'jwks.json');
    writePublicFile(path, '{}\n');
    expect(readFileSync(path, 'utf8')).toBe('{}\n');
    expect(statSync(path).mode & 0o777).toBe(0o644);
  });

  it('says in words that part of the path is a file', () => {
    writeFileSync(join(dir, 'plain'), 'x');
    expect(() => writePublicFile(join(dir, 'plain', 'out.json'), '{}')).toThrow(FileWriteError);
    expect(() => writePublicFile(join(dir, 'plain', 'out.json'), '{}')).toThrow(/part of its path is a file/);
  });
});

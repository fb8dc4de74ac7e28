import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTextFile, TextFileError } from './text-file.js';

describe('readTextFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-text-file-'));

  it('reads UTF-8 text', () => {
    writeFileSync(join(dir, 'a.txt'), 'héllo');
    expect(readTextFile(join(dir, 'a.txt'), 'note')).toBe('héllo');
  });

  it('refuses a file over its cap, naming it and the stable code', () => {
    writeFileSync(join(dir, 'big.txt'), 'x'.repeat(11));
    expect(() => readTextFile(join(dir, 'big.txt'), 'note', 10)).toThrow(
      /^the note .*big\.txt is larger than 10 bytes \(SIGNET_E_PARSE_TOO_LARGE\)$/,
    );
  });

  it('refuses bytes that are not UTF-8, and a missing file, as TextFileError', () => {
    writeFileSync(join(dir, 'bad.txt'), new Uint8Array([0xff, 0xfe]));
    expect(() => readTextFile(join(dir, 'bad.txt'), 'note')).toThrow(TextFileError);
    expect(() => readTextFile(join(dir, 'nope.txt'), 'note')).toThrow(/^the note: .*nope\.txt does not exist$/);
  });
});

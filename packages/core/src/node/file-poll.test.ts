import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileStamp, pollFiles } from './file-poll.js';

describe('pollFiles', () => {
  it('looks at most once per interval, reports each change once, and sees files of a folder as one', () => {
    const d = mkdtempSync(join(tmpdir(), 'signet-poll-'));
    const a = join(d, 'a.json');
    const b = join(d, 'b.json');
    writeFileSync(a, '1');
    writeFileSync(b, '1');
    let t = 0;
    const poll = pollFiles([a, b], { intervalMs: 1000, now: () => t });
    expect(poll.changed()).toBe(false);
    writeFileSync(join(d, 'b.tmp'), '22');
    renameSync(join(d, 'b.tmp'), b);
    t = 500;
    expect(poll.changed()).toBe(false);
    expect(poll.changed(true)).toBe(true);
    expect(poll.changed(true)).toBe(false);
    rmSync(a);
    t = 1600;
    expect(poll.changed()).toBe(true);
    expect(fileStamp(a)).toBe('missing');
    t = 3000;
    expect(poll.changed()).toBe(false);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The main job: `signet demo` runs every part of the story as a real process and exits 0 only when
// every step turned out as it should (each part checks its own outcomes).
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('signet demo', () => {
  it('runs the whole story end to end', () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-demo-test-'));
    try {
      const r = spawnSync(process.execPath, [join(root, 'packages/cli/dist/bin.js'), 'demo', '--dir', dir], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(r.status, r.stderr + r.stdout.slice(-2000)).toBe(0);
      for (const heading of ['Sealing and verifying', 'the gateway and the openai client', 'The transparency log', 'The auditor'])
        expect(r.stdout).toContain(heading);
      expect(r.stdout).toContain('SIGNET_E_CONTENT_MISMATCH');
      expect(r.stdout).toContain('SIGNET_E_KEY_EXPIRED');
      expect(r.stdout).toContain('All parts succeeded');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** First run (issue 13, item 9): after setup, `pnpm exec signet` works from the repository root. */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('signet from the repository root', () => {
  it('the root depends on the CLI workspace package, so pnpm links its bin', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(manifest.devDependencies.signet).toBe('workspace:*');
  });

  it('node_modules/.bin/signet runs the CLI', () => {
    const r = spawnSync(join(root, 'node_modules', '.bin', 'signet'), ['--version'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^signet \d+\.\d+\.\d+/);
  });
});

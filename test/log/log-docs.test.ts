import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// docs/log.md's tiles session runs here as written, with the built CLI, in a scratch folder and
// on a free port instead of /tmp and 8788.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'signet-log-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('docs/log.md', () => {
  it('runs the tiles session as written', async () => {
    const doc = readFileSync(join(root, 'docs', 'log.md'), 'utf8');
    const blocks = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    const session = blocks.find((b) => b.includes('signet log init'));
    expect(session).toBeDefined();
    const port = await freePort();
    // `signet` as an executable on PATH (not a shell function), so `$!` of a background `signet log
    // serve` is the server process itself and the session's `kill` stops it.
    const binDir = join(dir, 'bin');
    mkdirSync(binDir, { recursive: true });
    writeFileSync(
      join(binDir, 'signet'),
      `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(root, 'packages', 'cli', 'dist', 'bin.js'))} "$@"\n`,
      { mode: 0o755 },
    );
    const script = `set -e\n${session!.replaceAll('/tmp/', `${dir}/`).replaceAll('8788', String(port))}`;
    const { stdout } = await promisify(execFile)('bash', ['-c', script], {
      cwd: dir,
      timeout: 60_000,
      env: { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ''}` },
    });
    expect(stdout).toContain('log.example.com/signet\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n');
    expect(stdout).toContain('VALID: log log.example.com/signet');
    expect(stdout).toContain('following: size 0');
  }, 90_000);
});

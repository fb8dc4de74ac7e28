import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseShellBlocks, type ShellBlock } from './shell-blocks.js';

/**
 * Every shell block of README.md and docs/*.md runs verbatim, the way a reader pastes it into a
 * terminal: in a fresh temporary folder per document (blocks of one document run in order, in the
 * same folder), with `signet` on the PATH as `pnpm exec signet` finds it after setup. A block that
 * starts a long-running server is marked `<!-- docs-test: server -->`: it runs until the server says
 * it is listening, and is stopped then. The only other mark is `<!-- docs-test: skip: REASON -->`.
 * Needs a build (`pnpm test` builds first).
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const documents = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const env = {
  ...process.env,
  PATH: `${join(root, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}`,
  SIGNET_ACCOUNT_SECRET: '',
};
const folders: string[] = [];
afterAll(() => {
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

interface Ran {
  code: number | null;
  out: string;
}

function runBlock(block: ShellBlock, cwd: string): Promise<Ran> {
  return new Promise((done) => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', block.code], {
      cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let settled = false;
    const stop = (code: number | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        process.kill(-(child.pid as number), 'SIGTERM');
      } catch {
        // Already gone.
      }
      done({ code, out });
    };
    const onData = (d: Buffer): void => {
      out += d.toString('utf8');
      // A server block has done its part once its server listens.
      if (block.mark?.kind === 'server' && /listening on/i.test(out)) stop(0);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => stop(block.mark?.kind === 'server' ? (code === 0 ? -1 : code) : code));
    const timer = setTimeout(() => {
      out += '\n[timed out]';
      stop(null);
    }, 45_000);
  });
}

for (const doc of documents) {
  const blocks = parseShellBlocks(readFileSync(join(root, doc), 'utf8'));
  if (blocks.length === 0) continue;
  describe(doc, () => {
    const cwd = mkdtempSync(join(tmpdir(), 'signet-docs-blocks-'));
    folders.push(cwd);
    for (const block of blocks) {
      const title = `the shell block at line ${block.line} runs verbatim`;
      if (block.mark?.kind === 'skip') {
        it.skip(`${title} (skipped: ${block.mark.reason})`, () => undefined);
        continue;
      }
      it(title, { timeout: 60_000 }, async () => {
        const r = await runBlock(block, cwd);
        expect(r.code, `${doc}:${block.line}\n${block.code}\n--- output ---\n${r.out}`).toBe(0);
      });
    }
  });
}

describe('the docs-test marks', () => {
  it('skip only blocks that say why', () => {
    for (const doc of documents)
      for (const b of parseShellBlocks(readFileSync(join(root, doc), 'utf8')))
        if (b.mark?.kind === 'skip') expect(b.mark.reason.length, `${doc}:${b.line}`).toBeGreaterThan(10);
  });
});

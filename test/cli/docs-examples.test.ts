import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type CommandIO } from 'signet';
import { startUpstream, type Upstream } from '../support/upstream.js';
import type * as ClientExample from '../../docs/examples/client-openai.js';
import type * as FetchExample from '../../docs/examples/provider-fetch.js';
import type * as HonoExample from '../../docs/examples/provider-hono.js';
import type * as ExpressExample from '../../docs/examples/provider-express.js';

/**
 * The guides' examples run here: the "gateway in 3 commands" exactly as docs/provider-guide.md
 * writes them (with the built CLI), each middleware example of docs/examples, and the client
 * example of docs/client-guide.md against all of them.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const examples = join(root, 'docs', 'examples');
// The examples import packages the way a reader's project would; resolve them from the test package.
const link = join(examples, 'node_modules');
if (!existsSync(link) && !isLink(link)) symlinkSync(join(root, 'test', 'node_modules'), link, 'dir');
function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

const { askVerified } = (await import(join(examples, 'client-openai.ts'))) as typeof ClientExample;

function quietIO(out: string[] = []): CommandIO {
  return { stdout: (t) => void out.push(t), stderr: () => undefined, stdin: async () => new Uint8Array(), env: {} };
}

function codeBlocks(markdown: string, lang: string): string[] {
  const out: string[] = [];
  const re = new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g');
  for (let m = re.exec(markdown); m !== null; m = re.exec(markdown)) out.push(m[1] as string);
  return out;
}

let dir: string;
let keys: string;
let upstream: Upstream;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signet-docs-'));
  keys = join(dir, 'keys');
  expect(await main(['keys', 'new', '--out', keys], quietIO())).toBe(0);
  upstream = await startUpstream();
});
afterAll(async () => {
  await upstream.close();
});

describe('docs/provider-guide.md', () => {
  it('the gateway in 3 commands works as written', { timeout: 30_000 }, async () => {
    const guide = readFileSync(join(root, 'docs', 'provider-guide.md'), 'utf8');
    const termsBlock = codeBlocks(guide, 'sh').find((b) => b.startsWith("cat > terms.json <<'EOF'\n")) as string;
    const terms = termsBlock.slice(termsBlock.indexOf('\n') + 1, termsBlock.lastIndexOf('EOF\n'));
    const commands = (codeBlocks(guide, 'sh').find((b) => b.includes('signet gateway')) as string).trim().split('\n');
    expect(commands).toHaveLength(3);
    const cwd = mkdtempSync(join(tmpdir(), 'signet-3cmd-'));
    writeFileSync(join(cwd, 'terms.json'), terms);
    // File arguments are relative to the reader's folder: here, a fresh temporary one.
    const pathFlags = new Set(['--out', '--file', '--keys', '--accounts', '--terms']);
    const argvOf = (line: string): string[] =>
      line
        .trim()
        .split(/\s+/)
        .slice(1)
        .map((a, i, all) => (pathFlags.has(all[i - 1] as string) ? join(cwd, a) : a));
    const out: string[] = [];
    expect(await main(argvOf(commands[0] as string), quietIO())).toBe(0);
    expect(await main(argvOf(commands[1] as string), quietIO(out))).toBe(0);
    const apiKey = out.join('').trim();
    const gatewayArgv = argvOf((commands[2] as string).replace('http://127.0.0.1:8000', upstream.url));
    const child = spawn(process.execPath, [join(root, 'packages', 'cli', 'dist', 'bin.js'), ...gatewayArgv, '--port', '0'], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((res, rej) => {
        let err = '';
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /listening on (http:\/\/\S+),/.exec(err);
          if (m !== null) res(m[1] as string);
        });
        child.once('exit', (code) => rej(new Error(`gateway exited with ${code}: ${err}`)));
      });
      const results = await askVerified({ baseURL: `${url}/v1`, apiKey });
      expect(results.map((r) => [r.valid, r.streamed])).toEqual([
        [true, false],
        [true, true],
      ]);
    } finally {
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it('the fetch-handler example serves sealed answers and its JWKS', async () => {
    const { startFetchProvider } = (await import(join(examples, 'provider-fetch.ts'))) as typeof FetchExample;
    const server = await startFetchProvider(keys);
    try {
      const results = await askVerified({ baseURL: `${server.url}/v1`, apiKey: 'example-key-1', issuer: 'https://api.example.com' });
      expect(results.map((r) => r.valid)).toEqual([true, true]);
    } finally {
      await server.close();
    }
  });

  it('the Hono example serves sealed answers', async () => {
    const { startHonoProvider } = (await import(join(examples, 'provider-hono.ts'))) as typeof HonoExample;
    const server = await startHonoProvider(keys);
    try {
      const results = await askVerified({
        baseURL: `${server.url}/v1`,
        apiKey: 'example-key-1',
        jwks: JSON.parse(readFileSync(join(keys, 'jwks.json'), 'utf8')),
      });
      expect(results.map((r) => r.valid)).toEqual([true, true]);
    } finally {
      await server.close();
    }
  });

  it('the Express example serves sealed answers (a real Express app)', async () => {
    const { startExpressProvider } = (await import(join(examples, 'provider-express.ts'))) as typeof ExpressExample;
    const server = await startExpressProvider(keys);
    try {
      const results = await askVerified({
        baseURL: `${server.url}/v1`,
        apiKey: 'example-key-1',
        jwks: JSON.parse(readFileSync(join(keys, 'jwks.json'), 'utf8')),
      });
      expect(results.map((r) => r.valid)).toEqual([true, true]);
    } finally {
      await server.close();
    }
  });
});

describe('docs/client-guide.md', () => {
  it('links the example it describes, and the example rejects an unsealed answer', async () => {
    const guide = readFileSync(join(root, 'docs', 'client-guide.md'), 'utf8');
    expect(guide).toContain('examples/client-openai.ts');
    // Straight at the upstream (no gateway): nothing is sealed, so the client example must throw.
    await expect(
      askVerified({ baseURL: `${upstream.url}/v1`, apiKey: 'x', jwks: JSON.parse(readFileSync(join(keys, 'jwks.json'), 'utf8')) }),
    ).rejects.toThrow();
  });
});

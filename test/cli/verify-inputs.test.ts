import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/auditor-fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/**
 * `signet verify` takes what users hold (issue 13, item 7): a saved response JSON or a saved stream
 * capture (the envelope taken from its carrier), a remote trust store by URL, and `-` for stdin in
 * every command that reads a file.
 */

let gw: TestGateway;
let jwksServer: Server;
let jwksUrl: string;
const dir = tempDir('signet-verify-inputs-');
const trust = join(dir, 'jwks.json');

beforeAll(async () => {
  gw = await startTestGateway();
  writeFileSync(trust, JSON.stringify(gw.jwks));
  jwksServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(gw.jwks));
  });
  await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
  const addr = jwksServer.address() as { port: number };
  jwksUrl = `http://127.0.0.1:${addr.port}/.well-known/signet/jwks.json`;
});
afterAll(async () => {
  await new Promise((r) => jwksServer.close(r));
  await gw.close();
});

/** The CLI as a child process, without blocking this process: the trust server here must answer it. */
function runCliAsync(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'packages', 'cli', 'dist', 'bin.js');
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

async function save(name: string, content: string, stream = false): Promise<string> {
  const r = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'local-model', messages: [{ role: 'user', content }], ...(stream ? { stream: true } : {}) }),
  });
  const file = join(dir, name);
  writeFileSync(file, new Uint8Array(await r.arrayBuffer()));
  return file;
}

describe('signet verify takes what users hold', () => {
  it('a saved response JSON: the envelope comes from its carrier', async () => {
    const file = await save('answer.json', 'saved json');
    const r = runCli(['verify', '--trust', trust, '--response', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^valid/);
    const tampered = join(dir, 'tampered.json');
    writeFileSync(tampered, readFileSync(file, 'utf8').replace('You said', 'You saiD'));
    const bad = runCli(['verify', '--trust', trust, '--response', tampered]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('SIGNET_E_CONTENT_BODY_MISMATCH');
  });

  it('a saved stream capture, also from stdin', async () => {
    const file = await save('answer.sse', 'saved stream', true);
    expect(runCli(['verify', '--trust', trust, '--response', file]).code).toBe(0);
    expect(runCli(['verify', '--trust', trust, '--response', '-'], readFileSync(file, 'utf8')).code).toBe(0);
    const cut = readFileSync(file, 'utf8');
    const truncated = runCli(['verify', '--trust', trust, '--response', '-'], cut.slice(0, cut.indexOf('\n\n') + 2));
    expect(truncated.code).toBe(1);
    expect(truncated.stderr).toContain('SIGNET_E_STREAM_TRUNCATED');
  });

  it('--envelope takes a saved response and finds the envelope in it', async () => {
    const file = await save('answer-2.json', 'envelope from carrier');
    const inspect = runCli(['inspect', file]);
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toContain('"iss"');
  });

  it('--trust URL fetches the remote trust store; an unreachable one is exit 3', async () => {
    const file = await save('answer-3.json', 'remote trust');
    expect((await runCliAsync(['verify', '--trust', jwksUrl, '--response', file])).code).toBe(0);
    const down = await runCliAsync(['verify', '--trust', 'http://127.0.0.1:9/jwks.json', '--response', file]);
    expect(down.code).toBe(3);
    expect(`${down.stdout}${down.stderr}`).not.toMatch(/INVALID|invalid:/);
  });

  // Was: `signet audit -` failed: only files were read.
  it('audit reads the dataset from stdin', async () => {
    const file = await save('answer-4.json', 'audit from stdin');
    const record = readFileSync(file, 'utf8').trim();
    const r = runCli(['audit', '-', '--trust', trust, '--out', join(dir, 'audit-out')], `${record}\n`);
    expect(r.stderr).not.toMatch(/cannot read/);
    expect(r.code).toBe(0);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatewayDemo, type DemoContext } from '@signet/demo';
import { demoHost, main, type CommandIO } from 'signet';

describe('the gateway part of signet demo', () => {
  it('runs end to end: sealed and verified answers, whole and streamed, and a 403', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-demo-gw-'));
    const keysDir = join(dir, 'keys');
    const termsFile = join(dir, 'terms.json');
    writeFileSync(
      termsFile,
      JSON.stringify({
        id: 'demo-terms',
        version: '2026-01',
        uri: 'https://demo.example/terms',
        document: 'No training.',
        usage: { 'cawg.ai_generative_training': 'notAllowed' },
      }),
    );
    const lines: string[] = [];
    const io: CommandIO = { stdout: (t) => void lines.push(t), stderr: () => undefined, stdin: async () => new Uint8Array(), env: {} };
    const cli = async (argv: readonly string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(argv, { ...io, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) });
      return { code, stdout: out.join(''), stderr: err.join('') };
    };
    expect((await cli(['keys', 'new', '--out', keysDir])).code).toBe(0);
    const failures: string[] = [];
    const ctx: DemoContext = {
      dir,
      keysDir,
      termsFile,
      issuer: 'https://demo.example',
      step: (t) => void lines.push(`== ${t}`),
      say: (l) => void lines.push(l),
      expect: (c, what) => {
        if (!c) failures.push(what);
        if (!c) throw new Error(`demo expectation failed: ${what}`);
      },
      cli,
      startGateway: (argv) => demoHost(io).startGateway(argv),
      readTermsFile: (path) => demoHost(io).readTermsFile(path),
    };
    await gatewayDemo(ctx);
    expect(failures).toEqual([]);
    const text = lines.join('\n');
    expect(text).toContain('verified: yes');
    expect(text).toContain('HTTP 403 SIGNET_E_AUTH_TERMS_NOT_ACCEPTED');
  });
});

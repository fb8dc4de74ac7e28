import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditorDemo, type DemoContext } from '@signet/demo';
import { demoHost, main, type CommandIO } from 'signet';
import { tempDir } from '../support/auditor-fixtures.js';

/** The auditor part of `signet demo`, run on its own: it throws if any step does not turn out as it should. */
describe('auditor demo part', () => {
  it('attributes a laundered dataset to the harvesting account and verifies a bundle offline', async () => {
    const dir = tempDir('signet-demo-auditor-');
    const termsFile = join(dir, 'terms.json');
    writeFileSync(
      termsFile,
      JSON.stringify({
        id: 'example-api-terms',
        version: '2026-01',
        uri: 'https://api.example.com/terms/2026-01',
        document: 'No distillation.',
        usage: { 'cawg.ai_training': 'notAllowed' },
      }),
    );
    const said: string[] = [];
    const io: CommandIO = { stdout: () => undefined, stderr: () => undefined, stdin: async () => new Uint8Array(), env: {} };
    const ctx: DemoContext = {
      dir,
      keysDir: join(dir, 'keys'),
      termsFile,
      issuer: 'https://api.example.com',
      step: (t) => said.push(t),
      say: (t) => said.push(t),
      expect(condition, what) {
        if (!condition) throw new Error(`expected: ${what}\n${said.join('\n')}`);
      },
      async cli(argv) {
        let stdout = '';
        let stderr = '';
        const code = await main(argv, {
          stdout: (t) => (stdout += t),
          stderr: (t) => (stderr += t),
          stdin: async () => new Uint8Array(),
          env: {},
        });
        return { code, stdout, stderr };
      },
      startGateway: (argv) => demoHost(io).startGateway(argv),
      readTermsFile: (path) => demoHost(io).readTermsFile(path),
    };
    await auditorDemo(ctx);
    expect(said.join('\n')).toContain('attributed to acct_mallory_distill');
    expect(said.join('\n')).toContain('SIGNET_E_EVIDENCE_SIGNATURE');
  }, 60_000);
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { optional, parseArgs } from '../args.js';
import type { Command } from '../command.js';
import type { DemoContext, DemoPart } from '../demo/context.js';
import { DEMO_PARTS } from '../demo/parts.js';
import type { CommandIO } from '../io.js';

class DemoFailure extends Error {}

/** `signet demo`: the whole story end to end, on the embedded SQLite default. */
export const demo: Command = {
  name: ['demo'],
  summary: 'run the end-to-end story: seal, verify, serve, log, audit',
  usage: `Usage: signet demo [--dir DIR] [--only PART]

Runs every part of the story in a fresh folder (a temporary one unless --dir is given) and exits
non-zero if anything does not turn out as it should. Parts: ${DEMO_PARTS.map((p) => p.name).join(', ')}.`,
  async run(argv, io) {
    const args = parseArgs(argv, { dir: 'string', only: 'list' });
    const given = optional(args, 'dir');
    const dir = given === undefined ? mkdtempSync(join(tmpdir(), 'signet-demo-')) : resolve(given);
    const only = args.flags.only as string[] | undefined;
    const termsFile = join(dir, 'terms.json');
    writeFileSync(
      join(dir, 'terms.md'),
      '# Example API terms, version 2026-01\n\nOutputs may not be used to train, fine-tune or distill models that compete with the provider.\n',
    );
    writeFileSync(
      termsFile,
      `${JSON.stringify({ id: 'example-api-terms', version: '2026-01', uri: 'https://api.example.com/terms/2026-01', document: 'terms.md', usage: { 'cawg.ai_training': 'notAllowed', 'cawg.ai_generative_training': 'notAllowed', 'cawg.ai_inference': 'allowed' } }, null, 2)}\n`,
    );
    const ctx = makeContext(dir, termsFile, io);
    io.stdout(`Signet demo: working in ${dir}\n`);
    for (const part of DEMO_PARTS) {
      if (only !== undefined && !only.includes(part.name)) continue;
      io.stdout(`\n=== ${part.title} ===\n`);
      try {
        await part.run(ctx);
      } catch (e) {
        io.stderr(`\ndemo part "${part.name}" failed: ${(e as Error).message}\n`);
        return 1;
      }
    }
    io.stdout(`\nAll parts succeeded. Files are in ${dir}\n`);
    return 0;
  },
};

function makeContext(dir: string, termsFile: string, io: CommandIO): DemoContext {
  return {
    dir,
    keysDir: join(dir, 'keys'),
    termsFile,
    issuer: 'https://api.example.com',
    io,
    step: (title) => io.stdout(`\n-- ${title}\n`),
    say: (line) => io.stdout(`   ${line}\n`),
    expect(condition, what) {
      if (!condition) throw new DemoFailure(`expected: ${what}`);
    },
    async cli(argv, stdin) {
      // Imported lazily: main imports the command list, which imports this file.
      const { main } = await import('../main.js');
      let stdout = '';
      let stderr = '';
      const code = await main(argv, {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        stdin: async () => new TextEncoder().encode(stdin ?? ''),
        env: io.env,
      });
      return { code, stdout, stderr };
    },
  };
}

export type { DemoPart };

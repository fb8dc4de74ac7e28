import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CliResult, DemoContext, DemoGateway } from './context.js';
import { DEMO_PARTS } from './parts.js';
import type { TermsConfig } from '@signet/server';

class DemoFailure extends Error {}

/**
 * What the demo needs from its host, the signet command line: the demo tells its story in CLI
 * commands, so the CLI hands itself in (the demo never imports it: no circle).
 */
export interface DemoHost {
  /** Runs `signet ARGV...` in process. */
  cli(argv: readonly string[], stdin?: string): Promise<CliResult>;
  /** Starts `signet gateway ARGV...` in process, its own output silenced. */
  startGateway(argv: readonly string[]): Promise<DemoGateway>;
  /** Reads a terms file as `signet gateway` does. */
  readTermsFile(path: string): TermsConfig;
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** The working folder (default: a fresh temporary one). */
  readonly dir?: string;
  /** Run only the parts with these names. */
  readonly only?: readonly string[];
}

/** The names of the demo's parts, in story order. */
export const DEMO_PART_NAMES: readonly string[] = DEMO_PARTS.map((p) => p.name);

/**
 * Runs every part of the story in a fresh folder. Returns 0 when every part turned out as it
 * should, 1 when one did not (the reason is on stderr).
 */
export async function runDemo(host: DemoHost, options: DemoOptions = {}): Promise<0 | 1> {
  // A part name that matches nothing would run nothing and still report success.
  const unknown = (options.only ?? []).filter((name) => !DEMO_PART_NAMES.includes(name));
  if (unknown.length > 0) throw new RangeError(`unknown demo part ${unknown.join(', ')} (parts: ${DEMO_PART_NAMES.join(', ')})`);
  if (options.only !== undefined && options.only.length === 0) throw new RangeError('options.only names no part');
  const dir = options.dir === undefined ? mkdtempSync(join(tmpdir(), 'signet-demo-')) : resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const termsFile = join(dir, 'terms.json');
  writeFileSync(
    join(dir, 'terms.md'),
    '# Example API terms, version 2026-01\n\nOutputs may not be used to train, fine-tune or distill models that compete with the provider.\n',
  );
  writeFileSync(
    termsFile,
    `${JSON.stringify({ id: 'example-api-terms', version: '2026-01', uri: 'https://api.example.com/terms/2026-01', documentFile: 'terms.md', usage: { 'cawg.ai_training': 'notAllowed', 'cawg.ai_generative_training': 'notAllowed', 'cawg.ai_inference': 'allowed' } }, null, 2)}\n`,
  );
  const ctx: DemoContext = {
    dir,
    keysDir: join(dir, 'keys'),
    termsFile,
    issuer: 'https://api.example.com',
    step: (title) => host.stdout(`\n-- ${title}\n`),
    say: (line) => host.stdout(`   ${line}\n`),
    expect(condition, what) {
      if (!condition) throw new DemoFailure(`expected: ${what}`);
    },
    cli: (argv, stdin) => host.cli(argv, stdin),
    startGateway: (argv) => host.startGateway(argv),
    readTermsFile: (path) => host.readTermsFile(path),
  };
  host.stdout(`Signet demo: working in ${dir}\n`);
  for (const part of DEMO_PARTS) {
    if (options.only !== undefined && !options.only.includes(part.name)) continue;
    host.stdout(`\n=== ${part.title} ===\n`);
    try {
      await part.run(ctx);
    } catch (e) {
      host.stderr(`\ndemo part "${part.name}" failed: ${(e as Error).message}\n`);
      return 1;
    }
  }
  host.stdout(`\nAll parts succeeded. Files are in ${dir}\n`);
  return 0;
}

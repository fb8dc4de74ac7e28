import { DEMO_PART_NAMES, runDemo, type DemoHost } from '@signet/demo';
import { optional, parseArgs, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import type { CommandIO } from '../io.js';
import type { CliMain } from '../runner.js';
import { readTermsFile } from '@signet/server';
import { startGatewayFromArgs, GATEWAY_FLAGS } from './gateway.js';

/**
 * `signet demo`: the whole story end to end, on the embedded SQLite default. The story itself is
 * the @signet/demo package; this command hands it the CLI (`cli`), which runs commands in process.
 */
export function createDemoCommand(cli: CliMain): Command {
  return defineCommand({
    name: ['demo'],
    summary: 'run the end-to-end story: seal, verify, serve, log, audit',
    flags: {
      dir: { value: 'DIR', help: 'run in DIR (default: a fresh temporary folder)' },
      only: { value: 'PART', repeatable: true, help: `run only this part (${DEMO_PART_NAMES.join(', ')})` },
    },
    text: `Runs every part of the story in a fresh folder (a temporary one unless --dir is given) and exits
non-zero if anything does not turn out as it should. Parts: ${DEMO_PART_NAMES.join(', ')}.`,
    async run(args, io) {
      const dir = optional(args, 'dir');
      const only = args.flags.only as string[] | undefined;
      const unknown = (only ?? []).filter((p) => !DEMO_PART_NAMES.includes(p));
      if (unknown.length > 0) throw new UsageError(`unknown demo part ${unknown.join(', ')} (parts: ${DEMO_PART_NAMES.join(', ')})`);
      return runDemo(createDemoHost(cli, io), { ...(dir === undefined ? {} : { dir }), ...(only === undefined ? {} : { only }) });
    },
  });
}

/**
 * What the demo gets from the CLI: `cli` runs a command in process (its output captured), the
 * gateway starts in process (its own output silenced), terms files are read as `signet gateway`
 * reads them, and the story prints on `io`.
 */
export function createDemoHost(cli: CliMain, io: CommandIO): DemoHost {
  return {
    async cli(argv, stdin) {
      let stdout = '';
      let stderr = '';
      const code = await cli(argv, {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        stdin: async () => new TextEncoder().encode(stdin ?? ''),
        env: io.env,
      });
      return { code, stdout, stderr };
    },
    async startGateway(argv) {
      const gateway = await startGatewayFromArgs(parseArgs(argv, GATEWAY_FLAGS), { ...io, stderr: () => undefined });
      return { url: gateway.server.url, close: () => gateway.close() };
    },
    readTermsFile,
    stdout: (t) => io.stdout(t),
    stderr: (t) => io.stderr(t),
  };
}

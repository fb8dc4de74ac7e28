import { SignetError } from '@signet/core';
import { UsageError } from './args.js';
import type { Command } from './command.js';
import { InputError, type CommandIO } from './io.js';
import { shown, terminalSafe } from './terminal.js';

function findCommand(commands: readonly Command[], argv: readonly string[]): { command: Command; rest: readonly string[] } | undefined {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.name.every((w, i) => argv[i] === w) && (best === undefined || c.name.length > best.name.length)) best = c;
  }
  return best === undefined ? undefined : { command: best, rest: argv.slice(best.name.length) };
}

function help(commands: readonly Command[]): string {
  const lines = commands.map((c) => `  signet ${c.name.join(' ').padEnd(20)} ${c.summary}`);
  return `signet: seal AI model responses and verify the seals\n\nUsage: signet <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "signet <command> --help" for a command's options.\nExit codes: 0 ok, 1 verification failed, 2 usage or unreadable input.\n`;
}

/** The CLI's entry point: runs `argv` (without node and script) and returns the exit code. */
export type CliMain = (argv: readonly string[], io: CommandIO) => Promise<number>;

/**
 * Builds the CLI over a command list (read at each call, so a command may hold the runner of the
 * list it is in). The runner never throws: every failure becomes a message on stderr and an exit
 * code. Secrets never reach the output (errors carry codes and hints).
 */
export function createMain(commandList: () => readonly Command[]): CliMain {
  return async (argv, rawIO) => {
    const COMMANDS = commandList();
    // Every byte a command prints passes the terminal filter: no live escape sequence from untrusted input.
    const io: CommandIO = { ...rawIO, stdout: (t) => rawIO.stdout(terminalSafe(t)), stderr: (t) => rawIO.stderr(terminalSafe(t)) };
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help' || argv[0] === '-h') {
      io.stdout(help(COMMANDS));
      return argv.length === 0 ? 2 : 0;
    }
    if (argv[0] === '--version') {
      io.stdout('signet 0.1.0\n');
      return 0;
    }
    const found = findCommand(COMMANDS, argv);
    if (found === undefined) {
      io.stderr(`signet: unknown command "${shown(argv.slice(0, 2).join(' '))}"\n\n${help(COMMANDS)}`);
      return 2;
    }
    if (found.rest.includes('--help') || found.rest.includes('-h')) {
      io.stdout(found.command.usage.endsWith('\n') ? found.command.usage : `${found.command.usage}\n`);
      return 0;
    }
    try {
      return await found.command.run(found.rest, io);
    } catch (e) {
      if (e instanceof UsageError) {
        io.stderr(`signet ${found.command.name.join(' ')}: ${e.message}\n\n${found.command.usage}\n`);
        return 2;
      }
      if (e instanceof InputError) {
        io.stderr(`signet ${found.command.name.join(' ')}: ${shown(e.message)}\n`);
        return 2;
      }
      if (e instanceof SignetError) {
        io.stderr(`signet ${found.command.name.join(' ')}: ${e.code}: ${shown(e.message)}${e.hint ? `\n  hint: ${shown(e.hint)}` : ''}\n`);
        return 2;
      }
      io.stderr(`signet ${found.command.name.join(' ')}: unexpected error: ${shown((e as Error)?.message ?? String(e))}\n`);
      return 2;
    }
  };
}

import { SignetError } from '@signet/core';
import { UsageError } from './args.js';
import type { Command } from './command.js';
import { EXIT, isUnreachable, isUnreadable } from './exit.js';
import { describeFileError } from '@signet/core/node-fs';
import { InputError, type CommandIO } from './io.js';
import { shown, terminalSafe } from './terminal.js';

function findCommand(commands: readonly Command[], argv: readonly string[]): { command: Command; rest: readonly string[] } | undefined {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.name.every((w, i) => argv[i] === w) && (best === undefined || c.name.length > best.name.length)) best = c;
  }
  return best === undefined ? undefined : { command: best, rest: argv.slice(best.name.length) };
}

/** The command list of `signet --help`, or of a group (`signet keys --help`); undefined for no such group. */
function help(commands: readonly Command[], group?: string): string | undefined {
  const members = group === undefined ? commands : commands.filter((c) => c.name.length > 1 && c.name[0] === group);
  if (members.length === 0) return undefined;
  const lines = members
    .filter((c) => c.hidden !== true)
    .map((c) => `  signet ${c.name.join(' ').padEnd(20)} ${c.summary}`)
    .join('\n');
  const what =
    group === undefined
      ? 'signet: seal AI model responses and verify the seals\n\nUsage: signet <command>'
      : `Usage: signet ${group} <command>`;
  return `${what} [options]\n\nCommands:\n${lines}\n\nRun "signet ${group === undefined ? '' : `${group} `}<command> --help" for a command's options.\nExit codes: 0 done (valid), 1 checked and invalid, 2 could not check (usage, input), 3 could not check (a log or URL did not answer); see docs/cli.md.\n`;
}

const HELP = new Set(['--help', '-h', 'help']);

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
      io.stdout(help(COMMANDS) ?? '');
      return argv.length === 0 ? 2 : 0;
    }
    if (argv[0] === '--version') {
      io.stdout('signet 0.1.0\n');
      return 0;
    }
    const found = findCommand(COMMANDS, argv);
    const group = argv[0] as string;
    // `signet keys`, `signet keys --help`: the group's commands.
    if ((found === undefined || found.command.name.length === 1) && (argv.length === 1 || HELP.has(argv[1] as string))) {
      const text = help(COMMANDS, group);
      if (text !== undefined) {
        if (argv.length === 1) {
          io.stderr(`signet ${shown(group)}: give a command\n\n${text}`);
          return EXIT.input;
        }
        io.stdout(text);
        return EXIT.ok;
      }
    }
    if (found === undefined) {
      io.stderr(`signet: unknown command "${shown(argv.slice(0, 2).join(' '))}"\n\n${help(COMMANDS) ?? ''}`);
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
      if (e instanceof InputError || isUnreadable(e)) {
        io.stderr(`signet ${found.command.name.join(' ')}: ${shown(e.message)}\n`);
        return 2;
      }
      if (e instanceof SignetError) {
        io.stderr(`signet ${found.command.name.join(' ')}: ${e.code}: ${shown(e.message)}${e.hint ? `\n  hint: ${shown(e.hint)}` : ''}\n`);
        return isUnreachable(e) ? EXIT.unreachable : EXIT.input;
      }
      if (isUnreachable(e)) {
        io.stderr(`signet ${found.command.name.join(' ')}: could not check: ${shown((e as Error).message)}\n`);
        return EXIT.unreachable;
      }
      // A file system error the command did not catch: say what it means, never its errno.
      const fsError = e as NodeJS.ErrnoException;
      if (typeof fsError?.code === 'string' && /^E[A-Z]+$/.test(fsError.code)) {
        const path = typeof fsError.path === 'string' ? fsError.path : 'a file';
        io.stderr(
          `signet ${found.command.name.join(' ')}: ${shown(describeFileError(path, fsError, ['mkdir', 'write', 'rename', 'copyfile', 'chmod'].includes(fsError.syscall ?? '')))}\n`,
        );
        return EXIT.input;
      }
      io.stderr(`signet ${found.command.name.join(' ')}: unexpected error: ${shown((e as Error)?.message ?? String(e))}\n`);
      return EXIT.input;
    }
  };
}

import { flagKind, parseArgs, type FlagSpec, type ParsedArgs } from './args.js';
import type { Command } from './command.js';
import type { CommandIO } from './io.js';

/** A command declared once: its flags drive both parsing and the generated `--help`. */
export interface CommandSpec {
  readonly name: readonly string[];
  readonly summary: string;
  readonly flags: FlagSpec;
  /** Extra synopsis lines (alternative forms, positionals), after the one built from the flags. */
  readonly synopsis?: readonly string[];
  /** What the command does, in free text, between the synopsis and the options. */
  readonly text?: string;
  run(args: ParsedArgs, io: CommandIO): Promise<number>;
}

function wrap(words: readonly string[], first: string, indent: string, width = 100): string {
  const lines: string[] = [];
  let line = first;
  for (const w of words) {
    if (line.length + 1 + w.length > width && line.trim().length > first.trim().length) {
      lines.push(line);
      line = indent;
    }
    line += `${line.endsWith(' ') ? '' : ' '}${w}`;
  }
  return [...lines, line].join('\n');
}

/** The usage text of a command, built from its spec. */
export function usageOf(spec: Omit<CommandSpec, 'run'>): string {
  const prefix = `signet ${spec.name.join(' ')}`;
  const entries = Object.entries(spec.flags).map(([name, f]) => ({ name, doc: typeof f === 'string' ? {} : f, kind: flagKind(f) }));
  const words = entries.map(({ name, doc, kind }) => {
    const w = `--${name}${kind === 'boolean' ? '' : ` ${doc.value ?? 'VALUE'}`}`;
    return doc.required === true ? w : `[${w}]${kind === 'list' ? '...' : ''}`;
  });
  const head = [
    wrap(words, `Usage: ${prefix}`, ' '.repeat(8 + prefix.length)),
    ...(spec.synopsis ?? []).map((s) => `       ${prefix} ${s}`),
  ];
  const rows = entries
    .filter(({ doc }) => doc.help !== undefined)
    .map(({ name, doc, kind }) => {
      const notes = [doc.default === undefined ? '' : `default ${doc.default}`, kind === 'list' ? 'repeatable' : ''].filter(
        (n) => n !== '',
      );
      const left = `  --${name}${kind === 'boolean' ? '' : ` ${doc.value ?? 'VALUE'}`}`;
      const text = `${doc.help}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`.split(' ');
      const indent = ' '.repeat(30);
      return left.length < 30 ? wrap(text, left.padEnd(30), indent) : `${left}\n${wrap(text, indent, indent)}`;
    });
  return [head.join('\n'), spec.text, rows.length > 0 ? `Options:\n${rows.join('\n')}` : undefined]
    .filter((p) => p !== undefined)
    .join('\n\n');
}

/** Builds a command from its spec: flags parsed strictly, help generated from the same spec. */
export function defineCommand(spec: CommandSpec): Command {
  return { name: spec.name, summary: spec.summary, usage: usageOf(spec), run: (argv, io) => spec.run(parseArgs(argv, spec.flags), io) };
}

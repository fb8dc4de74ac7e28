import { flagKind, parseArgs, type FlagSpec, type ParsedArgs } from './args.js';
import type { Command } from './command.js';
import type { CommandIO } from './io.js';

/**
 * A command declared once: its flags drive both parsing and the generated `--help`. `operands`
 * follow the name in the synopsis (`URL`), `synopsis` adds alternative forms, and `text` (what the
 * command does) sits between the synopsis and the options.
 */
export interface CommandSpec {
  readonly name: readonly string[];
  readonly summary: string;
  readonly flags: FlagSpec;
  readonly operands?: string;
  readonly synopsis?: readonly string[];
  readonly text?: string;
  run(args: ParsedArgs, io: CommandIO): Promise<number>;
}

/** Fills lines of at most `width` columns with `words`, the first line starting with `first`. */
function wrap(words: readonly string[], first: string, indent: string, width = 100): string {
  const lines = [first];
  for (const w of words) {
    const line = lines[lines.length - 1] as string;
    if (line.length + 1 + w.length > width && line.trim() !== first.trim()) lines.push(`${indent}${w}`);
    else lines[lines.length - 1] = `${line}${line.endsWith(' ') ? '' : ' '}${w}`;
  }
  return lines.join('\n');
}

/** The usage text of a command, built from its spec. */
export function usageOf(spec: Omit<CommandSpec, 'run'>): string {
  const prefix = `signet ${spec.name.join(' ')}`;
  const entries = Object.entries(spec.flags).map(([name, f]) => {
    const doc = typeof f === 'string' ? {} : f;
    const kind = flagKind(f);
    return { doc, kind, form: `--${name}${kind === 'boolean' ? '' : ` ${doc.value ?? 'VALUE'}`}` };
  });
  const words = entries.map(({ doc, kind, form }) => (doc.required === true ? form : `[${form}]${kind === 'list' ? '...' : ''}`));
  const first = `Usage: ${prefix}${spec.operands === undefined ? '' : ` ${spec.operands}`}`;
  const head = [wrap(words, first, ' '.repeat(8 + prefix.length)), ...(spec.synopsis ?? []).map((s) => `       ${prefix} ${s}`)];
  const indent = ' '.repeat(30);
  const rows = entries.flatMap(({ doc, kind, form }) => {
    if (doc.help === undefined) return [];
    const notes = [doc.default === undefined ? '' : `default ${doc.default}`, kind === 'list' ? 'repeatable' : ''].filter((n) => n);
    const text = `${doc.help}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`.split(' ');
    return [form.length < 28 ? wrap(text, `  ${form}`.padEnd(30), indent) : `  ${form}\n${wrap(text, indent, indent)}`];
  });
  const parts = [head.join('\n'), spec.text, rows.length > 0 ? `Options:\n${rows.join('\n')}` : undefined];
  return parts.filter((p) => p !== undefined).join('\n\n');
}

/** Builds a command from its spec: flags parsed strictly, help generated from the same spec. */
export function defineCommand(spec: CommandSpec): Command {
  return { name: spec.name, summary: spec.summary, usage: usageOf(spec), run: (argv, io) => spec.run(parseArgs(argv, spec.flags), io) };
}

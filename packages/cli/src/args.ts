import { parseArgs as parseTokens } from 'node:util';

/**
 * Strict argument parsing on `node:util` parseArgs: `--flag value`, `--flag=value`, boolean
 * `--flag`, and positionals (a lone `-` and words starting with a single dash among them).
 * Unknown flags are usage errors (exit 2), never ignored.
 */

/** How a flag is read: `string` takes a value, `boolean` does not, `list` takes a value and may repeat. */
export type FlagKind = 'string' | 'boolean' | 'list';

/**
 * A documented flag, read by the parser and the generated help alike: a `string` flag when it has
 * a value name (`FILE`), a `list` when also repeatable, else a `boolean`. `required` is shown in
 * the help; the command still checks it.
 */
export interface FlagDoc {
  readonly value?: string;
  readonly help?: string;
  readonly default?: string;
  readonly repeatable?: boolean;
  readonly required?: boolean;
}

/** Declares a command's flags, by kind or documented. */
export type FlagSpec = Record<string, FlagKind | FlagDoc>;

/** The kind of a flag entry. */
export function flagKind(f: FlagKind | FlagDoc): FlagKind {
  return typeof f === 'string' ? f : f.repeatable === true ? 'list' : f.value === undefined ? 'boolean' : 'string';
}

/** Parsed arguments. */
export interface ParsedArgs {
  readonly flags: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
}

/** A usage error: printed with the command's help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Options that were renamed, and why: a command that has the new name points to it. */
const RENAMED: Record<string, { to: string; why: string }> = {
  'log-key': {
    to: 'log-verifier-key',
    why: "--log-key names the log's private key (gateway, log init); give its verifier key with --log-verifier-key",
  },
};

/** Parses argv against a spec. */
export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const options = Object.fromEntries(
    Object.entries(spec).map(([name, f]) => [name, { type: flagKind(f) === 'boolean' ? ('boolean' as const) : ('string' as const) }]),
  );
  // Not strict: the checks below give this CLI's own messages, and single-dash words stay positionals.
  const { tokens } = parseTokens({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const flags: Record<string, string | boolean | string[] | undefined> = {};
  const positionals: string[] = [];
  let lastShort = -1;
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    else if (token.kind === 'option-terminator') continue;
    else if (!token.rawName.startsWith('--')) {
      // `-x` or `-abc` is one positional word, however many letters it has.
      if (token.index !== lastShort) positionals.push(argv[token.index] as string);
      lastShort = token.index;
    } else {
      // The name as written: node reads `--=a` as an option named "=a", this CLI as "--" with a value.
      const raw = argv[token.index] as string;
      const eq = raw.indexOf('=');
      const name = eq >= 0 ? raw.slice(2, eq) : raw.slice(2);
      const entry = spec[name];
      if (entry === undefined) {
        const renamed = RENAMED[name];
        throw new UsageError(
          renamed !== undefined && spec[renamed.to] !== undefined ? `unknown option --${name}: ${renamed.why}` : `unknown option --${name}`,
        );
      }
      const kind = flagKind(entry);
      if (kind === 'boolean') {
        if (eq >= 0) throw new UsageError(`--${name} takes no value`);
        flags[name] = true;
        continue;
      }
      const value = token.value;
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      // `--out --json` is a forgotten value, not a folder named "--json".
      if (!token.inlineValue && /^--./.test(value))
        throw new UsageError(`--${name} needs a value (a value that starts with "--" is written --${name}=VALUE)`);
      if (kind === 'list') {
        const prev = flags[name];
        flags[name] = [...(Array.isArray(prev) ? prev : []), value];
      } else {
        if (flags[name] !== undefined) throw new UsageError(`--${name} given twice`);
        flags[name] = value;
      }
    }
  }
  return { flags, positionals };
}

/** A required string flag. */
export function required(args: ParsedArgs, name: string): string {
  const v = args.flags[name];
  if (typeof v !== 'string' || v.length === 0) throw new UsageError(`--${name} is required`);
  return v;
}

/** An optional string flag. */
export function optional(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  return typeof v === 'string' ? v : undefined;
}

/** A boolean flag. */
export function flag(args: ParsedArgs, name: string): boolean {
  return args.flags[name] === true;
}

/** An optional whole-number flag. */
export function intFlag(args: ParsedArgs, name: string, fallback: number): number {
  const v = optional(args, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number`);
  return n;
}

import { SignetError } from '@signet/core';

/**
 * A small, strict argument parser: `--flag value`, `--flag=value`, boolean `--flag`, and positionals.
 * Unknown flags are usage errors (exit 2), never ignored.
 */

/** Declares a command's flags: `string` flags take a value, `boolean` flags do not, `list` may repeat. */
export type FlagSpec = Record<string, 'string' | 'boolean' | 'list'>;

/** Parsed arguments. */
export interface ParsedArgs {
  readonly flags: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
}

/** A usage error: printed with the command's help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses argv against a spec. */
export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const flags: Record<string, string | boolean | string[] | undefined> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const kind = spec[name];
    if (kind === undefined) throw new UsageError(`unknown option --${name}`);
    if (kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (kind === 'list') {
      const prev = flags[name];
      flags[name] = [...(Array.isArray(prev) ? prev : []), value];
    } else {
      if (flags[name] !== undefined) throw new UsageError(`--${name} given twice`);
      flags[name] = value;
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

export { SignetError };

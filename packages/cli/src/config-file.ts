import { applySettings, settingsTable } from '@signet/server';
import { flagKind, type FlagSpec, type ParsedArgs } from './args.js';

/** A command's flags filled from `--config FILE` and SIGNET_* variables (see `applySettings`). */
export function applyConfig(args: ParsedArgs, spec: FlagSpec, env: Readonly<Record<string, string | undefined>>): ParsedArgs {
  const kinds = Object.fromEntries(Object.entries(spec).map(([n, f]) => [n, flagKind(f)]));
  return { flags: applySettings(args.flags, kinds, env), positionals: args.positionals };
}

/** The configuration table of a command's flags, in Markdown (docs/gateway-operations.md holds the gateway's). */
export function configTable(spec: FlagSpec): string {
  return settingsTable(
    Object.fromEntries(Object.entries(spec).map(([n, f]) => [n, { ...(typeof f === 'string' ? {} : f), kind: flagKind(f) }])),
  );
}

import { UsageError } from './args.js';

/** Parses an ISO time or seconds since the epoch into seconds. */
export function parseTimeArg(value: string, name: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (!Number.isFinite(ms)) throw new UsageError(`--${name} must be an ISO time or seconds since the epoch`);
  return Math.floor(ms / 1000);
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Parses a duration such as `90s`, `30m`, `12h`, `7d` (or plain seconds) into seconds. */
export function parseDurationArg(value: string, name: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(value.trim());
  if (m === null) throw new UsageError(`--${name} must be a duration such as 30m, 12h or 7d`);
  const n = Number(m[1]) * (UNITS[m[2] || 's'] as number);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive duration`);
  return n;
}

/** Splits a comma-separated list flag (repeatable) into names. */
export function listArg(values: string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const out = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
  return out.length === 0 ? undefined : out;
}

import { existsSync } from 'node:fs';
import { getDefaultBackend, parseVerifierKey, SignetError } from '@signet/core';
import { optional, UsageError, type ParsedArgs } from '../args.js';
import { readTextFile } from '@signet/core/node-fs';
import { InputError } from '../io.js';

/** Helpers shared by the `signet log ...` commands. */

/** `--log DB|URL`, from the flag or SIGNET_LOG. */
export function logTarget(args: ParsedArgs, env: Record<string, string | undefined>): string {
  const v = optional(args, 'log') ?? env.SIGNET_LOG;
  if (v === undefined || v.length === 0) throw new UsageError('--log DB|URL is required (a SQLite file or a postgres:// URL)');
  return v;
}

/** `--schema` for PostgreSQL logs. */
export function schemaOption(args: ParsedArgs): { schema?: string } {
  const s = optional(args, 'schema');
  return s === undefined ? {} : { schema: s };
}

/**
 * A log verifier key given on the command line: the key text itself (`name+id+key`), or a file
 * holding it. Checked at once so a typo is a usage error, not a failed verification.
 */
export function verifierKeyArg(value: string | undefined, flagName = 'log-verifier-key'): string {
  if (value === undefined) throw new UsageError(`--${flagName} is required (the log's verifier key, from "signet log key")`);
  let text = value;
  // Key text (a verifier key, or a private key given by mistake: both hold "+") is parsed as it is
  // and never echoed; anything else names a file.
  if (existsSync(value)) text = readTextFile(value, 'log key file', 64 * 1024).trim();
  else if (!value.includes('+'))
    throw new InputError(`--${flagName}: ${value.slice(0, 200)} is neither a verifier key nor an existing file`);
  try {
    parseVerifierKey(getDefaultBackend(), text);
  } catch (e) {
    // The message never echoes the key: it may be a private one.
    if (e instanceof SignetError) throw new InputError(`--${flagName}: ${e.message}${e.hint === undefined ? '' : ` ${e.hint}`}`);
    throw e;
  }
  return text;
}

/** Reads receipt bytes: raw COSE, or base64url/base64 text. */
export function decodeReceiptInput(bytes: Uint8Array): Uint8Array {
  if (bytes[0] === 0xd2 || bytes[0] === 0x84) return bytes;
  const text = new TextDecoder().decode(bytes).trim();
  if (!/^[A-Za-z0-9+/_=-]+$/.test(text)) throw new InputError('the receipt is neither COSE bytes nor base64 text');
  return new Uint8Array(Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
}

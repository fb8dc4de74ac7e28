import { SignetError } from '@signet/core';
import { TextFileError } from '@signet/core/node-fs';
import { TrustFileError } from '@signet/verify/node';

/** Exit codes, one meaning each (docs/cli.md): done/valid, checked and invalid, input, unreachable. */
export const EXIT = { ok: 0, invalid: 1, input: 2, unreachable: 3 } as const;

/** Whether an error means "something did not answer" (exit 3) rather than "the input is wrong" (2). */
export function isUnreachable(e: unknown): boolean {
  return (e instanceof TrustFileError && e.reason === 'unreachable') || (e instanceof SignetError && e.code === 'SIGNET_E_LOG_UNREACHABLE');
}

/** A library's "this file or URL cannot be read or used" (exit 2, its message as it is). */
export function isUnreadable(e: unknown): e is Error {
  return e instanceof TextFileError || (e instanceof TrustFileError && e.reason === 'unusable');
}

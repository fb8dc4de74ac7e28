import { SignetError } from '@signet/core';

/**
 * The exit codes of every command, one meaning each (the table is in docs/cli.md):
 * 0 done (valid), 1 checked and invalid, 2 could not check because of the input, 3 could not
 * check because something did not answer.
 */
export const EXIT = { ok: 0, invalid: 1, input: 2, unreachable: 3 } as const;

/** Something the command needed did not answer (a log, a URL): nothing was checked. Exit code 3. */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
}

// Codes that say the network, not the input, stopped the check.
const UNREACHABLE_CODES: ReadonlySet<string> = new Set(['SIGNET_E_LOG_UNREACHABLE']);

/** Whether an error means "something did not answer" (exit 3) rather than "the input is wrong" (2). */
export function isUnreachable(e: unknown): boolean {
  return e instanceof UnreachableError || (e instanceof SignetError && UNREACHABLE_CODES.has(e.code));
}
